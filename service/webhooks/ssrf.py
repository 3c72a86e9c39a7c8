"""Webhook URLs may only reach public addresses, unless the operator allows private ones."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class UrlNotAllowed(Exception):
    pass


# NAT64's well-known prefix (RFC 6052): a gateway delivers to the IPv4 address in the last 32
# bits, so that address is what counts. Its local-use prefix (RFC 8215) only ever reaches a local
# network. Python calls both global whatever they carry; 6to4 (2002::/16) is `sixtofour`.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """`address` as a refusal names it when a connection to it reaches a non-public host
    (itself, or the IPv4 address it carries); None when it is public."""
    if not address.is_global or address.is_multicast or address in _NAT64_LOCAL:
        return str(address)
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in _NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None and _internal(carried) is not None:
            return f"{address} (which carries {carried})"
    return None


def check_syntax(url: str) -> tuple[str, int]:
    """(host, port) of an absolute http(s) URL without credentials; UrlNotAllowed otherwise."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed `[` of an IPv6 address, say
        raise UrlNotAllowed(f"the URL is malformed: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise UrlNotAllowed("only http and https URLs can receive webhooks")
    if not parts.hostname:
        raise UrlNotAllowed("the URL has no host")
    if parts.username or parts.password:
        raise UrlNotAllowed("the URL must not carry credentials; the signature authenticates")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UrlNotAllowed("the URL's port is not a number from 1 to 65535") from exc
    return parts.hostname, port


async def check_reachable(url: str, *, allow_private: bool) -> list[str]:
    """The addresses a request to `url` may connect to: one lookup, every answer public (checked
    again before each delivery, so a name that later resolves to an internal address is refused
    then). Connect to these, never to a second lookup of the name: a name with a zero TTL can
    answer the check with a public address and the connection with an internal one (DNS
    rebinding). With private addresses allowed, the host itself, looked up as usual."""
    host, port = check_syntax(url)
    if allow_private:
        return [host]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UrlNotAllowed(f"the host {host!r} does not resolve") from exc
    except ValueError as exc:  # IDNA: an empty label, or one over 63 characters
        raise UrlNotAllowed(f"{host!r} is not a valid host name") from exc
    addresses: list[str] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (shown := _internal(address)) is not None:
            raise UrlNotAllowed(
                f"{host} resolves to {shown}, a loopback, private, link-local or reserved"
                " address; set REGISTRY_WEBHOOK_ALLOW_PRIVATE=true to allow it"
            )
        if str(address) not in addresses:
            addresses.append(str(address))
    return addresses
