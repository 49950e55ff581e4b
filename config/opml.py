"""OPML, the file RSS readers import and export their subscriptions as: reading its feeds
and writing a watchlist's feeds as OPML 2.0."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tracker.errors import ConfigProblem, TrackerError


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None  # as the reader shows it
    folder: str | None  # the category outline it sits in, if any


def read_opml(data: bytes, file: str) -> list[OpmlFeed]:
    """Every outline with an `xmlUrl`, in document order, however deep its folders."""
    try:
        # The standard parser fetches no external entity, and expat (>= 2.4.1) refuses
        # entity bombs: a hostile export cannot make us read files or eat memory.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        problem = ConfigProblem(file, line, column + 1, f"not an OPML file: {reason}")
        raise TrackerError(str(problem)) from None
    body = root.find("body")
    if root.tag.lower() != "opml" or body is None:
        message = f"not an OPML file: it is <{root.tag}>, not <opml> with a <body>"
        raise TrackerError(str(ConfigProblem(file, 0, 0, message)))
    return list(_feeds(body, None))


def _feeds(parent: ET.Element, folder: str | None) -> Iterator[OpmlFeed]:
    for outline in parent.findall("outline"):
        # Readers disagree on case (xmlUrl, xmlurl) and on title or text: take either.
        attributes = {key.lower(): value.strip() for key, value in outline.attrib.items()}
        title = attributes.get("title") or attributes.get("text") or None
        if url := attributes.get("xmlurl"):
            yield OpmlFeed(url, title, folder)
        yield from _feeds(outline, title if not url else folder)


def write_opml(feeds: Sequence[tuple[str, str]], title: str) -> str:
    """OPML 2.0 listing `(name, url)` feeds, one outline each."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for name, url in feeds:
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
