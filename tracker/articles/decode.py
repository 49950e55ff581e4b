"""Bytes to text by the charset the server or the page declares (Arabic sites still serve
windows-1256), else UTF-8 when the bytes are valid UTF-8, else the charset detected."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_DETECTION_SAMPLE = 64 * 1024


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def header_charset(content_type: str) -> str | None:
    found = _HEADER_CHARSET.search(content_type or "")
    return _codec(found.group(1)) if found else None


def declared_charset(body: bytes, content_type: str = "") -> str | None:
    """The charset of the Content-Type header, else of a <meta> or <?xml?> in the first 4 KB."""
    if charset := header_charset(content_type):
        return charset
    head = body[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return _codec(declared.group(1).decode("ascii", "ignore")) if declared else None


def detect_charset(body: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else the most likely charset (cp1256 for
    legacy Arabic pages)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(body[:_DETECTION_SAMPLE]).best()
        return _codec(best.encoding if best else None) or "cp1256"
    return "utf-8"


def usable_charset(body: bytes, content_type: str = "") -> str:
    """The declared charset when the bytes really are in it, else the detected one: a
    windows-1256 page that says UTF-8 is still read as Arabic."""
    declared = declared_charset(body, content_type)
    if declared:
        try:
            body.decode(declared)
        except UnicodeDecodeError:
            return detect_charset(body)
        return declared
    return detect_charset(body)


def decode_html(body: bytes, content_type: str = "") -> str:
    return body.decode(usable_charset(body, content_type), errors="replace")
