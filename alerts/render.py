"""What an alert says: Markdown for chat, HTML (right-to-left around Arabic) for e-mail,
from the Jinja2 templates in alerts/templates/ or a channel's own (`template:`)."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from config import Channel

_ARABIC = re.compile(r"[\u0600-\u06FF]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
EVENT_LABELS = {
    "new_story": "New story",
    "development": "Development",
    "test": "Test",
    "source_down": "Source down",
    "source_up": "Source recovered",
    "digest": "Digest",
}
TEMPLATES = Path(__file__).parent / "templates"


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
    items: list[AlertPayload] = field(default_factory=list)  # a digest's alerts

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertPayload:
        topics = [TopicLine(**t) for t in data.get("topics", [])]
        items = [cls.from_json(i) for i in data.get("items", [])]
        return cls(**{**data, "topics": topics, "items": items})

    @property
    def matched_terms(self) -> list[str]:
        return list(dict.fromkeys(term for t in self.topics for term in t.terms))


def is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def digest_payload(items: list[AlertPayload], now: datetime) -> AlertPayload:
    """One message for many alerts (a digest period, or the end of quiet hours)."""
    stories = sum(1 for item in items if item.event == "new_story")
    parts = [_count(stories, "new story", "new stories")]
    if len(items) > stories:
        parts.append(_count(len(items) - stories, "development", "developments"))
    return AlertPayload(
        event="digest",
        topics=[],
        title=" and ".join(parts),
        outlet="",
        url="",
        published=now.isoformat(),
        lead="",
        items=items,
    )


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number} {many}"


@dataclass(frozen=True)
class DigestItem:
    event: str
    title: str
    url: str
    published: str | None
    outlets: list[str]


@dataclass(frozen=True)
class DigestGroup:
    topic: str
    items: list[DigestItem]


def digest_groups(payload: AlertPayload) -> list[DigestGroup]:
    """A digest's alerts by topic (an alert under the first of its topics), newest first
    within each topic and the topic with the newest alert first."""
    groups: dict[str, list[DigestItem]] = {}
    for item in payload.items:
        topic = item.topics[0].title if item.topics else "Other"
        outlets = list(dict.fromkeys([item.outlet, *item.also]))
        groups.setdefault(topic, []).append(
            DigestItem(item.event, item.title, item.url, item.published, outlets)
        )

    def newest(item: DigestItem) -> str:
        return item.published or ""

    ordered = [DigestGroup(t, sorted(i, key=newest, reverse=True)) for t, i in groups.items()]
    return sorted(ordered, key=lambda g: newest(g.items[0]), reverse=True)


def render_title(payload: AlertPayload) -> str:
    label = EVENT_LABELS.get(payload.event, payload.event)
    topics = ", ".join(t.title for t in payload.topics)
    return f"{label} · {topics}: {payload.title}" if topics else f"{label}: {payload.title}"


MARKDOWN_TEMPLATE = TEMPLATES / "alert.md.j2"  # chat
HTML_TEMPLATE = TEMPLATES / "alert.html.j2"  # e-mail


def render_markdown(payload: AlertPayload) -> str:
    return render_with(MARKDOWN_TEMPLATE, payload)


def render_html(payload: AlertPayload) -> str:
    return render_with(HTML_TEMPLATE, payload)


def render_with(template: Path, payload: AlertPayload) -> str:
    """A message from a template, Markdown or HTML by its name (*.md.j2, *.html.j2)."""
    return _render(_template(template), payload)


def is_html_template(template: Path) -> bool:
    return template.name.endswith(".html.j2")


def sample_alert() -> AlertPayload:
    """What `tracker test-alert` sends, and what `tracker check` renders templates with."""
    return AlertPayload(
        event="test",
        topics=[],
        title="Test alert from news tracker · رسالة تجريبية",
        outlet="news tracker",
        url="https://example.org/",
        published=None,
        lead="If you can read this, alerts reach this channel. "
        "إذا وصلتك هذه الرسالة فالتنبيهات تصل إلى هذه القناة.",
    )


def template_path(channel: Channel, config_paths: list[Path]) -> Path | None:
    """A channel's own template, read beside the watchlist."""
    if channel.template is None:
        return None
    folder = config_paths[0].parent if config_paths else Path()
    return folder / channel.template


def check_template(path: Path) -> str | None:
    """Why a channel's template cannot render an alert or a digest, as `file:line: what`;
    None when it can."""
    if not path.is_file():
        return f"{path}: no such template file"
    sample = sample_alert()
    try:
        for payload in (sample, digest_payload([sample, sample], datetime(2026, 1, 1))):
            render_with(path, payload)
    except Exception as exc:
        return f"{path}:{_template_line(exc, path)}: {type(exc).__name__}: {exc}"
    return None


def _template_line(exc: Exception, path: Path) -> int | str:
    line = getattr(exc, "lineno", None)  # a syntax error knows its line
    if isinstance(line, int):
        return line
    # An error while rendering: Jinja2 puts the template's own frames in the traceback.
    found: int | str = "?"
    trace = exc.__traceback__
    while trace is not None:
        if Path(trace.tb_frame.f_code.co_filename) == path:
            found = trace.tb_lineno
        trace = trace.tb_next
    return found


def _render(template: Template, payload: AlertPayload) -> str:
    groups = digest_groups(payload) if payload.items else []
    return template.render(alert=payload, groups=groups).strip("\n")


def _template(path: Path) -> Template:
    return _environment(path.parent).get_template(path.name)


@functools.cache
def _environment(folder: Path) -> Environment:
    # Imported here: Jinja2 loads only where a message is rendered.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(folder),
        # HTML templates escape everything: article text is never markup in an e-mail.
        # Markdown ones escape with the `md` filter.
        autoescape=select_autoescape(enabled_extensions=["html.j2"], default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,  # a misspelt field is an error, not an empty line
    )
    environment.filters.update(md=_md, when=_when, label=_label, rtl=_rtl, is_arabic=is_arabic)
    return environment


def _when(published: str | None) -> str:
    if not published:
        return "time unknown"
    return datetime.fromisoformat(published).strftime("%d %b %Y %H:%M UTC")


def _label(event: str) -> str:
    return EVENT_LABELS.get(event, event)


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _rtl(text: str) -> str:
    """Escaped text; Arabic pieces are wrapped right-to-left so mail clients lay them out."""
    from markupsafe import Markup, escape

    return (
        Markup('<span dir="rtl" lang="ar">{}</span>').format(text)
        if is_arabic(text)
        else escape(text)
    )
