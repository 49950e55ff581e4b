"""The tables of `tracker sources`, `stories`, `story` and `alerts`: cells as text, drawn
plain here (for pipes and files) or with rich by `tracker.cli.output` (for a terminal)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from config import Watchlist
from config.intervals import ago, format_interval
from storage import Alert, queries
from tracker.stories.why import why_of

if TYPE_CHECKING:
    from storage.story_views import StorySummary, Timeline


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = frozenset()  # columns aligned right in a terminal
    # Columns of running text (titles, reasons) that wrap at spaces in a narrow terminal;
    # the others (ids, times, names) keep their width.
    prose: frozenset[int] = frozenset()

    def __str__(self) -> str:
        return render_table(self.headers, self.rows)


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(x.rstrip() for x in out)


def stamp(moment: datetime | None) -> str:
    """A stored time as people read it in a table (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _short(text: str | None, limit: int = 60) -> str:
    """At most `limit` letters; a letter keeps its combining marks (Arabic vowels, shadda),
    which take no room, so a cut never strands or drops half of one."""
    if not text:
        return ""
    text = " ".join(text.split())
    if _width(text) <= limit:
        return text
    kept, width = [], 0
    for char in text:
        if not unicodedata.combining(char):
            if width == limit - 1:
                break
            width += 1
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def sources_table(watchlist: Watchlist, rows: dict[str, queries.SourceRow]) -> Table:
    headers = [
        "source",
        "kind",
        "every",
        "last success",
        "failures",
        "articles",
        "next poll",
        "last error",
    ]
    table = []
    for source in watchlist.sources:
        row = rows.get(source.name)
        state = row.state if row else None
        error = ""
        if state and state.last_error:
            error = f"{_short(state.last_error)} ({ago(state.last_error_at)})"
        table.append(
            [
                source.name + ("" if source.enabled else " (disabled)"),
                source.kind,
                format_interval(source.interval),
                ago(state.last_success_at) if state else "never",
                str(state.consecutive_failures) if state else "0",
                str(row.articles) if row else "0",
                ago(state.next_due_at) if state and state.next_due_at else "-",
                error,
            ]
        )
    return Table(headers, table, numeric=frozenset({4, 5}), prose=frozenset({7}))


def stories_table(stories: Sequence[StorySummary]) -> Table:
    headers = [
        "story",
        "first seen",
        "last activity",
        "articles",
        "events",
        "topics",
        "outlets",
        "title",
    ]
    table = [
        [
            str(s.id),
            stamp(s.first_seen),
            stamp(s.last_activity),
            str(s.articles),
            str(s.events),
            ", ".join(s.topics) or "-",
            _short(", ".join(s.outlets), 40),
            _short(s.title, 70),
        ]
        for s in stories
    ]
    return Table(headers, table, numeric=frozenset({0, 3, 4}), prose=frozenset({5, 6, 7}))


def timeline_table(timeline: Timeline) -> Table:
    headers = ["article", "published (UTC)", "outlet", "event", "decision", "why", "title"]
    outlets = {a.id: a.outlet for a in timeline.articles}
    rows = [
        [
            f"#{article.id}",
            stamp(article.published_at),
            article.outlet,
            f"#{article.event_id}" if article.event_id else "-",
            article.decision.replace("_", " "),
            _short(why_of(article, outlets), 90),
            _short(article.title, 60),
        ]
        for article in timeline.articles
    ]
    return Table(headers, rows, numeric=frozenset({0}), prose=frozenset({5, 6}))


def story_heading(timeline: Timeline) -> str:
    """The lines above a timeline: the story, and each of its events."""
    story = timeline.story
    lines = [
        f"story {story.id}: {story.title}",
        f"first seen {stamp(story.first_seen)}, last activity {stamp(story.last_activity)}; "
        f"{story.articles} articles from {', '.join(story.outlets)}; "
        f"topics: {', '.join(story.topics) or '-'}",
    ]
    lines += [f"event #{n}: {title}" for n, title in sorted(timeline.event_titles.items())]
    return "\n".join(lines)


def alerts_table(alerts: Sequence[Alert]) -> str:
    headers = ["id", "status", "channel", "event", "tries", "when", "title", "last error"]
    rows = []
    for alert in alerts:
        if alert.status == "sent":
            when = f"sent {ago(alert.sent_at)}"
        elif alert.status in ("pending", "held"):
            when = f"next {ago(alert.next_attempt_at)}"
        elif alert.status == "digested":
            when = "in a digest"
        else:
            when = "given up"
        rows.append(
            [
                str(alert.id),
                alert.status,
                alert.channel,
                alert.event.replace("_", " "),
                str(alert.attempts),
                when,
                _short(str(alert.payload.get("title", "")), 50),
                _short(alert.last_error, 60),
            ]
        )
    return render_table(headers, rows)
