"""Where a webhook may point: the public internet, unless the operator allows more.

An API key is not an operator: it must not make the service POST to its own network (the cloud
metadata service at 169.254.169.254, Redis on 127.0.0.1, an internal admin page). A target's name
is resolved and every address it resolves to is checked, at registration and again at each
delivery; the delivery then connects to the address that was checked (not a second look-up that
DNS rebinding could change), naming the host in the Host header and TLS SNI. Redirects are not
followed, and what went wrong is recorded as a short summary, never the target's own words.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from claim_intake.errors import WebhookTargetError

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookTargetError(f"the webhook host {host!r} does not resolve") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def forbidden_class(address: IpAddress) -> str | None:
    """Why an address is not a public one (None: it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return forbidden_class(embedded)
    checks = (("loopback", address.is_loopback), ("link-local", address.is_link_local),
              ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
              ("private", address.is_private), ("reserved", address.is_reserved),
              ("not globally routable", not address.is_global))
    return next((name for name, hit in checks if hit), None)


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    address: str
    """The checked address the delivery connects to."""

    def pinned_url(self) -> str:
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if ":" in self.address else self.address
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def check_target(url: str, allowed: Sequence[IpNetwork] = (), resolver: Resolver = resolve) -> Target:
    """The URL's host resolved and every address checked; raises WebhookTargetError naming the
    class of a refused address (never echoing more than the caller gave)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise WebhookTargetError("the webhook URL is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetError("a webhook URL is http:// or https:// with a host")
    if parts.username or parts.password:
        raise WebhookTargetError("a webhook URL carries no user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookTargetError("the webhook URL's port is not valid") from exc
    addresses = resolver(parts.hostname, port)
    if not addresses:
        raise WebhookTargetError(f"the webhook host {parts.hostname!r} does not resolve")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if any(address in network for network in allowed):
            continue
        if (why := forbidden_class(address)) is not None:
            raise WebhookTargetError(
                f"the webhook host {parts.hostname!r} is a {why} address: only public addresses are allowed "
                "(an operator may allow networks with CLAIM_INTAKE_WEBHOOK_ALLOWED_NETWORKS)"
            )
    return Target(url=url, host=parts.hostname, address=addresses[0])


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> httpx.Response:
    """POSTs to the checked address, without following redirects."""
    host_header = target.host if not urlsplit(target.url).port else f"{target.host}:{urlsplit(target.url).port}"
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return client.post(target.pinned_url(), content=body, headers={**headers, "Host": host_header},
                           extensions={"sni_hostname": target.host})


def summarise(exc: Exception) -> str:
    """What a failed delivery records and shows: its kind, not the receiver's or resolver's text."""
    if isinstance(exc, WebhookTargetError):
        return "refused: the target is not a public address"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.HTTPError):
        return "the connection failed"
    return "delivery failed"
