"""Pages that are not worth parsing: binary data, and HTML nested so deep that parsing it
would take the service's time for minutes (lexbor's parse grows faster than quadratically
with depth: 100,000 nested <div>s take ~20 s)."""

from __future__ import annotations

import re

from tracker.errors import ExtractError

MAX_NESTING = 2000
_BINARY_TYPES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-",
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr")
)  # fmt: skip
_NOISE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_SAMPLE = 65536
_TAGS_WORTH_MEASURING = 20000  # an ordinary article page has a few thousand tags


def check_page(text: str, content_type: str = "") -> None:
    """Raise ExtractError for a page that is not text, or that is nested absurdly deep."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith(_BINARY_TYPES):
        raise ExtractError(f"the page is not text but {kind}")
    sample = text[:_SAMPLE]
    if sample and len(_NOISE.findall(sample)) > 0.02 * len(sample):
        raise ExtractError("the page is not text (it looks like binary data)")
    if text.count("<") > _TAGS_WORTH_MEASURING and (depth := nesting(text)) > MAX_NESTING:
        raise ExtractError(f"the page is nested {depth:,} elements deep, past {MAX_NESTING:,}")


def nesting(text: str) -> int:
    """The deepest nesting of elements, counted roughly from the tags as written."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(text):
        if closing:
            depth = max(depth - 1, 0)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
