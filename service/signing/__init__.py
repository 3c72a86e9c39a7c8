"""Signed profiles: Ed25519 keys, detached JWS over the exact response bytes, the JWKS."""
