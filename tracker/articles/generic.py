"""The article text of any page, for pages without JSON-LD or source selectors.

One walk over the DOM cuts the page into blocks: runs of text owned by their nearest block
element, with their linked share. Block elements whose tag, class, id, role or style mark
them as page furniture (menus, share bars, captions, related teasers, ads, hidden text) are
noted, not removed. Then, as in readability, every paragraph-like block votes for its
container and, less, for the container's ancestors, and the votes are weighed by the
container's link density; a vote does not cross a marked element. The best container is
widened to the ancestor that adds the most text from strong paragraph clusters against
linked or marked text, which joins articles split in parts around ads but not teasers.
Its blocks are kept, except the linked ones, the headline and those under a marked element
inside it: markers around the chosen container were layout classes ("has-sidebar").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
        "canvas", "select", "option", "button", "input", "textarea", "figure", "figcaption",
        "marquee", "dialog", "video", "audio", "picture", "img", "map", "head", "title",
        "-comment",
    }
)  # fmt: skip
_INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
        "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
        "wbr", "del", "ins", "big", "tt", "strike", "nobr", "label",
    }
)  # fmt: skip
# Blocks whose container, not themselves, holds the article.
_PARAGRAPH_TAGS = frozenset(
    {"p", "li", "pre", "blockquote", "td", "dd", "h2", "h3", "h4", "h5", "h6"}
)
_JUNK_TAGS = frozenset({"nav", "aside", "footer", "header"})
_JUNK_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo"})
# Words of page furniture in the lower-cased "class id" string.
_JUNK = re.compile(
    r"comment|share|sharing|social|related|sidebar|ticker|breaking|newsletter|caption|advert|"
    r"promo|sponsor|breadcrumb|menu|widget|read-?more|most-?read|popular|poll|weather|byline|"
    r"dateline|subscribe|footer|masthead|keyword|trending|recirc|recommend|outbrain|taboola|"
    r"(?<![a-z0-9])(?:ads?|tags)(?![a-z0-9])|(?<![a-z0-9])nav|"
    r"(?<!\S)(?:tag|hidden|hide|invisible|sr-only|visually-?hidden|screen-reader-text)(?!\S)"
)
# Content names win over junk words in the same string ("entry-content-read-more"), and
# embedded posts quoted by the article are part of it.
_CONTENT = re.compile(
    r"(?:article|entry|post|story|main|body|news)[-_]?(?:content|body|text)|articlebody|hentry|"
    r"tweet|(?<![a-z0-9])embed(?![a-z0-9])"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# What an ad slot leaves behind once its script is gone.
_AD_LABEL = re.compile(
    r"(?:advertisement|advert|ad|sponsored|anzeige|publicidad|publicité|pubblicità|iklan|"
    r"реклама|إعلان)\W*$",
    re.I,
)
# Teasers of other articles end cut short.
_TEASER_END = re.compile(r"(?:…|\.\.\.)$")
_COMMAS = re.compile(r"[,،，、;]")
# Share of a paragraph's vote given to its container and the container's ancestors.
_DECAY = (1.0, 0.5, 1 / 3, 0.25)
_MARKED_PENALTY = 0.5  # per marked element around a candidate container
_CLUSTER_SHARE = 0.4  # of the best container's score, for another cluster to join it


@dataclass(slots=True)
class _Block:
    text: str
    chars: int
    link_chars: int
    owner: int  # index of the nearest block element in the boxes list


@dataclass(slots=True)
class _Box:
    """A block element: its blocks are blocks[start:end]."""

    tag: str
    cls: str
    marked: bool
    marks: int  # marked elements from the root down to this one, itself included
    parent: int
    start: int
    end: int = 0


def generic_body(tree: LexborHTMLParser) -> str:
    """The article text of a page, paragraphs separated by one blank line."""
    if tree.body is None:
        return ""
    blocks, boxes = _walk(tree.body)
    if not blocks:
        return ""
    chosen = _article_box(blocks, boxes)
    if chosen < 0:
        return ""
    box = boxes[chosen]
    return "\n\n".join(
        b.text
        for b in blocks[box.start : box.end]
        if boxes[b.owner].marks == box.marks and _keep(b, boxes[b.owner].tag)
    )


def _article_box(blocks: list[_Block], boxes: list[_Box]) -> int:
    """The block element that holds the article, the best voted container widened; -1 when
    the page has no prose."""
    cluster, density, score = _votes(blocks, boxes)
    best = max(range(len(boxes)), key=score.__getitem__)
    if score[best] <= 0:
        return -1  # not one paragraph of prose: no article here
    # Text counts for widening when it sits in a strong cluster: one scoring near the best,
    # or a part with the top cluster's tag and class (an article split around ads).
    top = max((c for c in cluster if c >= 0), key=score.__getitem__, default=best)
    kind = (boxes[top].tag, boxes[top].cls)
    floor = _CLUSTER_SHARE * score[best]
    marks = boxes[best].marks
    values = []
    for block, c in zip(blocks, cluster, strict=True):
        if boxes[block.owner].marks > marks or block.link_chars > 0.5 * block.chars:
            values.append(-block.chars)
        elif (
            c >= 0
            and density[c] < 0.3
            and (score[c] >= floor or (kind[1] and (boxes[c].tag, boxes[c].cls) == kind))
            and _is_prose(block)
            and not _TEASER_END.search(block.text)
        ):
            values.append(block.chars)
        else:
            values.append(0)
    net = [0, *accumulate(values)]
    chosen, gain = best, net[boxes[best].end] - net[boxes[best].start]
    index = boxes[best].parent
    while index >= 0:
        box = boxes[index]
        if net[box.end] - net[box.start] > gain:
            chosen, gain = index, net[box.end] - net[box.start]
        index = box.parent
    return chosen


def _votes(blocks: list[_Block], boxes: list[_Box]) -> tuple[list[int], list[float], list[float]]:
    """Each block's first container, and each box's link density and score."""
    votes = [0.0] * len(boxes)
    cluster = [-1] * len(blocks)
    for i, block in enumerate(blocks):
        index = block.owner
        if boxes[index].tag in _PARAGRAPH_TAGS:
            index = -1 if boxes[index].marked else boxes[index].parent
        cluster[i] = index
        value = _paragraph_score(block)
        for weight in _DECAY if value else ():
            if index < 0:
                break
            votes[index] += value * weight
            if boxes[index].marked:
                break
            index = boxes[index].parent
    chars = [0, *accumulate(b.chars for b in blocks)]
    links = [0, *accumulate(b.link_chars for b in blocks)]
    density = [
        (links[b.end] - links[b.start]) / max(chars[b.end] - chars[b.start], 1) for b in boxes
    ]
    score = [
        v * (1 - d) * _MARKED_PENALTY**b.marks
        for v, d, b in zip(votes, density, boxes, strict=True)
    ]
    return cluster, density, score


def _is_prose(block: _Block) -> bool:
    """Long enough, and words rather than a date, a code or binary noise (scripts written
    without spaces count by their letters)."""
    if block.chars < 25:
        return False
    if block.text.count(" ") >= 3:
        return True
    return block.chars >= 80 and sum(c.isalpha() for c in block.text) > block.chars / 2


def _paragraph_score(block: _Block) -> float:
    if block.link_chars > 0.5 * block.chars or not _is_prose(block):
        return 0.0
    return 1 + min(block.chars / 100, 3) + len(_COMMAS.findall(block.text))


def _keep(block: _Block, tag: str) -> bool:
    return (
        block.link_chars <= 0.5 * block.chars
        and tag != "h1"  # the headline: the title field carries it
        and not (block.chars < 40 and _AD_LABEL.match(block.text))
    )


def _is_marked(tag: str, attrs: dict[str, str | None]) -> bool:
    if tag in _JUNK_TAGS or "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    marker = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
    return attrs.get("role") in _JUNK_ROLES or (len(marker) > 1 and _junk_marker(marker))


@lru_cache(maxsize=4096)
def _junk_marker(marker: str) -> bool:
    return bool(_JUNK.search(marker)) and not _CONTENT.search(marker)


def _walk(root: LexborNode) -> tuple[list[_Block], list[_Box]]:
    """The blocks of the page in order, and the block elements that hold them."""
    blocks: list[_Block] = []
    boxes = [_Box(root.tag or "body", "", False, 0, -1, 0)]
    parts: list[str] = []
    linked: list[str] = []
    owner = 0

    def flush() -> None:
        if parts:
            text = " ".join("".join(parts).split())
            if text:
                link_chars = len(" ".join("".join(linked).split())) if linked else 0
                blocks.append(_Block(text, len(text), link_chars, owner))
            parts.clear()
            linked.clear()

    # Depth-first with a stack of our own rather than recursion: a page nested thousands
    # of elements deep is walked like any other.
    stack: list[tuple[Iterator[LexborNode], bool, _Box | None, int]] = [
        (root.iter(include_text=True), False, None, 0)
    ]
    while stack:
        children, in_link, closing_box, parent = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if closing_box is not None:
                flush()
                closing_box.end = len(blocks)
                owner = parent
            continue
        tag = child.tag or ""
        # Whitespace-only text nodes stay: between inline elements they separate words.
        if tag == "-text":
            text = child.text_content or ""
            parts.append(text)
            if in_link:
                linked.append(text)
            continue
        if tag in _SKIP_TAGS:
            continue
        if tag == "br":
            flush()
            continue
        attrs = child.attributes
        marked = _is_marked(tag, attrs) if attrs else tag in _JUNK_TAGS
        if tag in _INLINE_TAGS:
            if not marked:
                stack.append((child.iter(include_text=True), in_link or tag == "a", None, owner))
            continue
        flush()
        parent_box, owner = owner, len(boxes)
        cls = attrs.get("class") or ""
        box = _Box(tag, cls, marked, boxes[parent_box].marks + marked, parent_box, len(blocks))
        boxes.append(box)
        stack.append((child.iter(include_text=True), in_link, box, parent_box))

    flush()
    boxes[0].end = len(blocks)
    return blocks, boxes
