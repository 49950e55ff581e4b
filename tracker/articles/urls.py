"""Canonical article URLs: one form for one article, however a listing writes its link.

Tracking parameters, fragments and AMP suffixes go; scheme and host are lower-cased and a
default port dropped; an international host is written in its ASCII (IDNA) form. The path
and query are percent-encoded one way (UTF-8, upper-case hex, unreserved characters as
themselves), so «/سوريا» and "/%d8%b3%d9%88%d8%b1%d9%8a%d8%a7" are one address, and the
query's parameters are sorted by name, so "?b=2&a=1" is "?a=1&b=2".
"""

from __future__ import annotations

import contextlib
from urllib.parse import (
    parse_qsl,
    quote,
    unquote_to_bytes,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

_TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "ocid"}
_AMP_PARAMS = {"amp", "outputtype"}
# Characters a path segment keeps as they are (RFC 3986 pchar without "/", which separates).
_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # printable ASCII stays as written


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in _TRACKING_PARAMS or name in _AMP_PARAMS


def _host(hostname: str) -> str:
    host = hostname.lower()
    if not host.isascii():
        # Not a valid international name: left as it is, for the fetch to report.
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets


def _path(path: str) -> str:
    # Segment by segment, so an encoded slash (%2F) stays inside its segment; bytes, so a
    # legacy-encoded escape (%C7 in windows-1256) survives as it is.
    return "/".join(quote(unquote_to_bytes(s), safe=_SEGMENT_SAFE) for s in path.split("/"))


def _query(query: str) -> str:
    # Raw non-ASCII first becomes UTF-8 escapes; Latin-1 then maps escapes to bytes and
    # back one to one, so no parameter is re-encoded into something else.
    pairs = parse_qsl(quote(query, safe=_QUERY_SAFE), keep_blank_values=True, encoding="latin-1")
    kept = sorted((pair for pair in pairs if not _is_tracking(pair[0])), key=lambda p: p[0])
    return urlencode(kept, encoding="latin-1")


def canonical_url(url: str, base: str | None = None) -> str:
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _host(parts.hostname or "")
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    for amp_suffix in ("/amp/", "/amp"):
        if path.endswith(amp_suffix) and len(path) > len(amp_suffix):
            path = path[: -len(amp_suffix)]
            break
    return urlunsplit((scheme, host, _path(path), _query(parts.query), ""))


def absolute_url(link: str, base: str) -> str:
    return urljoin(base, link.strip())
