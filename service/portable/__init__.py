"""`registry export` / `registry import`: a registry's whole history in one verifiable file."""
