"""Outbound connections that reach public addresses only.

Every address a person typed (a page to scan, a webhook, a mail or Mastodon server) is resolved
first; a name that resolves to a loopback, private, link-local, shared, reserved or cloud-metadata
address is refused unless the machine's operator named that host in a setting
(`exposure_allowed_hosts`, `allowed_local_hosts`). HTTP connections then go to the address that
was checked, so a second DNS answer cannot move them.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl

import httpx


class BlockedAddressError(httpx.TransportError):
    """The host resolves to an address civicshield must not reach."""


def public_address(host: str) -> str:
    """The first address ``host`` resolves to, when every address it resolves to is public;
    BlockedAddressError otherwise (loopback, private, link-local, shared, reserved, metadata)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"{host} cannot be resolved") from exc
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise BlockedAddressError(f"{host} is a local or private address ({ip}), which "
                                      "civicshield does not reach")
    return addresses[0]


class PublicOnlyTransport(httpx.BaseTransport):
    """Sends each request to the public address its host was checked to resolve to (the Host
    header and TLS name stay the host's), unless the host is allowed by name."""

    def __init__(self, allowed_hosts: frozenset[str] = frozenset(),
                 tls: ssl.SSLContext | None = None) -> None:
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self._inner = httpx.HTTPTransport(verify=tls if tls is not None else True)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host.lower() not in self.allowed_hosts:
            address = public_address(host)
            request.extensions = {**request.extensions, "sni_hostname": host}
            request.url = request.url.copy_with(
                host=address if ":" not in address else f"[{address}]")
            request.headers["Host"] = request.headers.get("Host") or host
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()



def check_host(host: str, allowed_hosts: frozenset[str]) -> None:
    """BlockedAddressError unless ``host`` is allowed by name or resolves to public addresses
    only (for connections that are not HTTP: IMAP, SMTP)."""
    if host.lower() not in {h.lower() for h in allowed_hosts}:
        public_address(host)


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """Certificate checks as the machine does them, also trusting the authorities in
    ``ca_file`` when one is given (an office's own certificate authority)."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def guarded_client(allowed_hosts: frozenset[str], *, user_agent: str, timeout: float = 30.0,
                   ca_file: str = "") -> httpx.Client:
    """An HTTP client that reaches public addresses only (and the hosts allowed by name)."""
    return httpx.Client(headers={"User-Agent": user_agent}, timeout=timeout,
                        transport=PublicOnlyTransport(allowed_hosts, tls_context(ca_file)))
