"""What an alert says: Markdown for chat, HTML (right-to-left around Arabic) for email."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

_ARABIC = re.compile(r"[\u0600-\u06FF]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
EVENT_LABELS = {
    "new_story": "New story",
    "development": "Development",
    "test": "Test",
    "source_down": "Source down",
    "source_up": "Source recovered",
}


@dataclass(frozen=True)
class TopicLine:
    name: str
    title: str
    terms: list[str]


@dataclass(frozen=True)
class AlertPayload:
    """Everything a message shows, stored as JSON in the outbox row."""

    event: str
    topics: list[TopicLine]
    title: str
    outlet: str
    url: str
    published: str | None  # ISO 8601, UTC
    lead: str
    lang: str | None = None
    also: list[str] = field(default_factory=list)
    new_facts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertPayload:
        topics = [TopicLine(**t) for t in data.get("topics", [])]
        return cls(**{**data, "topics": topics})

    @property
    def matched_terms(self) -> list[str]:
        return list(dict.fromkeys(term for t in self.topics for term in t.terms))


def is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def _when(published: str | None) -> str:
    if not published:
        return "time unknown"
    return datetime.fromisoformat(published).strftime("%d %b %Y %H:%M UTC")


def render_title(payload: AlertPayload) -> str:
    label = EVENT_LABELS.get(payload.event, payload.event)
    topics = ", ".join(t.title for t in payload.topics)
    return f"{label} · {topics}: {payload.title}" if topics else f"{label}: {payload.title}"


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_markdown(payload: AlertPayload) -> str:
    lines = [f"**{_md(payload.title)}**", f"{_md(payload.outlet)} · {_when(payload.published)}"]
    if payload.lead:
        lines += ["", _md(payload.lead)]
    if payload.new_facts:
        lines += ["", "What is new:"] + [f"- {_md(fact)}" for fact in payload.new_facts]
    lines += ["", payload.url]
    if payload.matched_terms:
        lines += ["", f"matched: {_md(', '.join(payload.matched_terms))}"]
    if payload.also:
        lines.append(f"also: {_md(', '.join(payload.also))}")
    return "\n".join(lines)


def _h(text: str, tag: str = "span") -> str:
    """Escaped text; Arabic pieces are wrapped right-to-left so mail clients lay them out."""
    escaped = html.escape(text)
    return f'<{tag} dir="rtl" lang="ar">{escaped}</{tag}>' if is_arabic(text) else escaped


def render_html(payload: AlertPayload) -> str:
    rtl = is_arabic(payload.title + payload.lead)
    direction = ' dir="rtl" lang="ar" style="text-align:right"' if rtl else ""
    parts = [
        f"<div{direction}>",
        f"<h2>{html.escape(payload.title)}</h2>",
        f"<p>{html.escape(payload.lead)}</p>" if payload.lead else "",
    ]
    if payload.new_facts:
        items = "".join(f"<li>{html.escape(f)}</li>" for f in payload.new_facts)
        parts.append(f"<ul>{items}</ul>")
    parts.append("</div>")
    link = html.escape(payload.url, quote=True)
    parts += [
        f"<p>{_h(payload.outlet)} · {html.escape(_when(payload.published))}</p>",
        f'<p><a href="{link}">{link}</a></p>',
    ]
    if payload.matched_terms:
        terms = ", ".join(_h(term) for term in payload.matched_terms)
        parts.append(f"<p>matched: {terms}</p>")
    if payload.also:
        parts.append(f"<p>also: {', '.join(_h(o) for o in payload.also)}</p>")
    return "\n".join(p for p in parts if p)
