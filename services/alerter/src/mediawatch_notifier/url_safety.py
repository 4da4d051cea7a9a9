"""Webhook URLs are secrets and can point anywhere: redact them, refuse dangerous targets."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata", "metadata.azure.com", "instance-data"}
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)

Resolver = Callable[[str], list[str]]


class UnsafeUrlError(ValueError):
    """A webhook URL is malformed or targets a link-local or cloud-metadata address."""


def redact(url: str) -> str:
    """``https://hooks.slack.com/…``: scheme and host only, for logs and errors."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…" if parts.scheme else "<invalid url>"


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


def check_url(
    url: str, *, allow_link_local: bool = False, resolve: Resolver = system_resolver
) -> None:
    """Raises :class:`UnsafeUrlError` unless ``url`` is http(s) to an acceptable address.

    Link-local addresses (169.254.0.0/16, fe80::/10) and the well-known cloud metadata
    endpoints are refused unless ``allow_link_local``; names are resolved and every address
    they map to is checked. Resolution failures are not refused here (the send will fail and
    be retried); only a positive match is.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrlError(f"not an http(s) URL: {redact(url)}")
    if allow_link_local:
        return
    host = parts.hostname.lower().rstrip(".")
    if host in METADATA_HOSTS:
        raise UnsafeUrlError(f"cloud metadata host refused: {redact(url)}")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host)]
        except OSError:
            return
    for address in addresses:
        if address.is_link_local or address in METADATA_ADDRESSES:
            raise UnsafeUrlError(f"link-local or metadata address {address} refused: {redact(url)}")
