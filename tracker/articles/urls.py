"""Canonical article URLs: one form for one article, however a listing writes its link.

Tracking parameters, fragments and AMP suffixes go; scheme and host are lower-cased and a
default port dropped; an international host is written in its ASCII form (IDNA 2008). The
path is normalised as RFC 3986 (6.2.2) says: escapes of unreserved characters are decoded,
other escapes upper-cased, non-ASCII written as UTF-8 escapes, so «/سوريا» and
"/%d8%b3%d9%88%d8%b1%d9%8a%d8%a7" are one address while "/a%2Fb" and "/a/b" stay two. The
query's parameters are decoded, sorted by name and encoded one way: "?b=2&a=1" is "?a=1&b=2".
"""

from __future__ import annotations

import contextlib
import re
import string
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "ocid"}
_AMP_PARAMS = {"amp", "outputtype"}
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# What a path may hold as written (RFC 3986 pchar and "/"); "%" keeps existing escapes.
_PATH_SAFE = "/!$&'()*+,;=:@-._~%"
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # printable ASCII stays as written


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in _TRACKING_PARAMS or name in _AMP_PARAMS


def _host(hostname: str) -> str:
    host = hostname.lower()
    if not host.isascii():
        import idna  # httpx's own dependency; needed only for an international name

        # Not a valid international name: left as it is, for the fetch to report.
        with contextlib.suppress(idna.IDNAError):
            host = idna.encode(host, uts46=True).decode("ascii")
    return f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets


def _unescape_unreserved(match: re.Match[str]) -> str:
    character = chr(int(match.group(1), 16))
    return character if character in _UNRESERVED else "%" + match.group(1).upper()


def _path(path: str) -> str:
    return quote(_ESCAPE.sub(_unescape_unreserved, path), safe=_PATH_SAFE)


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
