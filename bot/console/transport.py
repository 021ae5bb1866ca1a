"""What the console believes about the connection: HTTPS or not, the client's address, the host it
was asked for. Pure (settings and headers in, answers out); the web app reads the settings once.

The web app binds 127.0.0.1 and is published through a TLS reverse proxy. Behind it every request
comes from the proxy over plain HTTP, so the proxy's X-Forwarded-Proto and X-Forwarded-For are
believed, but only from the addresses in HOTLINE_TRUSTED_PROXIES: anybody else could send them.

Settings (environment variables):
- HOTLINE_TRUSTED_PROXIES: comma-separated addresses or networks of the reverse proxies
  (e.g. "127.0.0.1,::1"); empty (the default) trusts no forwarded header.
- HOTLINE_SECURE_COOKIES: "auto" (default: Secure when the request came over HTTPS, directly or
  through a trusted proxy), "always" (also sends HSTS), or "never" (plain-HTTP development only).
- HOTLINE_CONSOLE_HOST: the console's own host name (e.g. "console.12348.internal"); when set, the
  console and the staff APIs answer only requests for that host, so the public chat page never
  shares an origin with it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Mapping

HSTS = "max-age=31536000; includeSubDomains"
SECURE_MODES = ("auto", "always", "never")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Settings:
    trusted_proxies: tuple[Network, ...] = ()
    secure_cookies: str = "auto"
    console_host: str | None = None  # lower case, without port
    problems: tuple[str, ...] = field(default=())  # settings that were ignored, for the start-up log


def from_env(environ: Mapping[str, str]) -> Settings:
    networks: list[Network] = []
    problems: list[str] = []
    for item in (environ.get("HOTLINE_TRUSTED_PROXIES") or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            problems.append(f"HOTLINE_TRUSTED_PROXIES: not an address: {item!r}")
    mode = (environ.get("HOTLINE_SECURE_COOKIES") or "auto").strip().lower()
    if mode not in SECURE_MODES:
        problems.append(f"HOTLINE_SECURE_COOKIES: {mode!r} is not one of {', '.join(SECURE_MODES)}; using 'always'")
        mode = "always"  # a typo must not turn the flag off
    host = (environ.get("HOTLINE_CONSOLE_HOST") or "").strip().lower()
    return Settings(tuple(networks), mode, _hostname(host) or None, tuple(problems))


def _hostname(host: str) -> str:
    """"Example.org:8443" → "example.org"; "[::1]:8000" → "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(settings: Settings, peer: str | None) -> bool:
    ip = _ip(peer)
    return ip is not None and any(ip in net for net in settings.trusted_proxies)


def is_https(settings: Settings, peer: str | None, direct_tls: bool, headers: Mapping[str, str]) -> bool:
    """True for a TLS connection to us, or a trusted proxy saying its client used HTTPS."""
    if direct_tls:
        return True
    if not is_trusted_proxy(settings, peer):
        return False
    proto = headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return proto == "https"


def secure_cookies(settings: Settings, https: bool) -> bool:
    return settings.secure_cookies == "always" or (settings.secure_cookies == "auto" and https)


def send_hsts(settings: Settings, https: bool) -> bool:
    # Browsers ignore HSTS over plain HTTP, so it is only sent where it means something.
    return settings.secure_cookies != "never" and (https or settings.secure_cookies == "always")


def client_address(settings: Settings, peer: str | None, headers: Mapping[str, str]) -> str:
    """The address the login throttle counts: the peer, or behind trusted proxies the right-most
    X-Forwarded-For entry that is not a trusted proxy (the left part is whatever the client wrote)."""
    if not is_trusted_proxy(settings, peer):
        return peer or ""
    hops = [h.strip() for h in headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            break  # garbage: stop believing the chain here
        if not any(ip in net for net in settings.trusted_proxies):
            return str(ip)
    return peer or ""


def host_allowed(settings: Settings, host_header: str | None) -> bool:
    """False when the console has its own host name and the request was for another one."""
    if settings.console_host is None:
        return True
    return _hostname(host_header or "") == settings.console_host
