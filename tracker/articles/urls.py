"""Canonical article URLs: the same article under tracking parameters, fragments or AMP."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "ocid"}
_AMP_PARAMS = {"amp", "outputtype"}


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in _TRACKING_PARAMS or name in _AMP_PARAMS


def canonical_url(url: str, base: str | None = None) -> str:
    """Lower-case scheme and host, no default port, fragment, tracking parameters or /amp."""
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    for amp_suffix in ("/amp/", "/amp"):
        if path.endswith(amp_suffix) and len(path) > len(amp_suffix):
            path = path[: -len(amp_suffix)]
            break
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    return urlunsplit((scheme, host, path, query, ""))


def absolute_url(link: str, base: str) -> str:
    return urljoin(base, link.strip())
