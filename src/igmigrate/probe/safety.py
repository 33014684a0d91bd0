"""Where the probe may send anything, and where it may send secrets.

Checked before the first request, so a refused run sends nothing at all.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from igmigrate.probe.steps import Planned

INSTAGRAM_HOSTS = frozenset({"api.instagram.com", "graph.instagram.com"})


class UsageError(Exception):
    """Bad options or an unsafe target: the CLI prints the message and exits 2."""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base(option: str, url: str) -> str:
    """A base must be http(s)://host[:port][/path]; plain http only to this machine."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        raise UsageError(f"{option} {url!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http(s) URL with a host, got {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(f"{option} must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname.lower()):
        raise UsageError(
            f"{option}: refusing plain http:// to {parts.hostname} (only loopback hosts may use http; use https)"
        )
    return url


def check_secret_hosts(planned: Iterable[Planned], allow_hosts: Iterable[str]) -> None:
    """Secrets go only to Instagram's own hosts, loopback, or hosts the user named."""
    allowed = INSTAGRAM_HOSTS | {h.lower() for h in allow_hosts}
    for item in planned:
        req = item.request
        if req is None or not req.carries_secret:
            continue
        host = host_of(req.url)
        if host not in allowed and not is_loopback(host):
            raise UsageError(
                f"refusing to send secrets to {host} (step {item.step}); "
                f"pass --allow-host {host} if you trust that host"
            )
