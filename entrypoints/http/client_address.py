"""Who is asking: the one definition of "client" every per-client limit keys on (the login
throttle, open holds, the checkout and webhook rate limits).

The peer address of the connection, unless that peer is a proxy listed in TRUSTED_PROXIES:
then `X-Forwarded-For` is walked from the right (the entry the trusted proxy itself added)
past every trusted hop, and the first address that is not trusted is the client. Anything a
client writes into the header lands to the left of what our proxies append, so it is never
reached; a value that is not an address stops the walk at the last trusted hop.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# One IPv6 customer line is usually a /64: keyed by address, its owner would have 2^64
# fresh budgets.
IPV6_CLIENT_PREFIX = 64


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """`10.0.0.1, 10.1.0.0/16, ::1` -> networks; ValueError names the entry that is not one."""
    networks: list[Network] = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"'{entry}' is not an IP address or CIDR network") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_key(address: Address) -> str:
    """The limit key of an address: itself for IPv4, its /64 for IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


class ClientAddresses:
    """Derives the client key of a request, believing `X-Forwarded-For` only from `trusted`."""

    def __init__(self, trusted: tuple[Network, ...] = ()) -> None:
        self._trusted = trusted

    def _is_trusted(self, address: Address) -> bool:
        return any(address in network for network in self._trusted)

    def client(self, peer: str | None, forwarded_for: list[str]) -> str:
        peer_address = _address(peer) if peer else None
        if peer_address is None:
            # Not an IP socket (a unix socket, a test transport): one shared key for all.
            return (peer or "unknown")[:64]
        client = peer_address
        if self._is_trusted(peer_address):
            hops = [hop for header in forwarded_for for hop in header.split(",")]
            for hop in reversed(hops):
                address = _address(hop)
                if address is None:
                    break  # not written by a trusted proxy: stop at the last trusted hop
                client = address
                if not self._is_trusted(address):
                    break
        return client_key(client)

    def of(self, request: ASGIConnection[Any, Any, Any, Any]) -> str:
        peer = request.client.host if request.client else None
        return self.client(peer, request.headers.getall("x-forwarded-for", []))
