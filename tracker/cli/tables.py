"""Plain-text tables for `tracker sources` and `tracker stories`."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from config import Watchlist
from config.intervals import format_interval
from storage import Alert, Article, queries


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(x.rstrip() for x in out)


def ago(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if seconds < 0:
        return f"in {_span(-seconds)}"
    return f"{_span(seconds)} ago"


def _span(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _short(text: str | None, limit: int = 60) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sources_table(watchlist: Watchlist, rows: dict[str, queries.SourceRow]) -> str:
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
    return render_table(headers, table)


def stories_table(rows: Sequence[queries.StoryRow]) -> str:
    headers = ["story", "first seen", "updated", "articles", "topics", "outlets", "title"]
    table = [
        [
            str(r.story.id),
            r.story.created_at.strftime("%Y-%m-%d %H:%M"),
            ago(r.story.updated_at),
            str(r.articles),
            ", ".join(r.topics) or "-",
            _short(", ".join(r.outlets), 40),
            _short(r.story.title, 70),
        ]
        for r in rows
    ]
    return render_table(headers, table)


def timeline_table(articles: Sequence[Article]) -> str:
    headers = ["published (UTC)", "outlet", "event", "decision", "why", "title"]
    rows = []
    for article in articles:
        rows.append(
            [
                article.published_at.strftime("%Y-%m-%d %H:%M") if article.published_at else "-",
                article.outlet,
                f"#{article.event_id}" if article.event_id else "-",
                article.decision.replace("_", " "),
                _short(why_of(article), 60),
                _short(article.title, 60),
            ]
        )
    return render_table(headers, rows)


def why_of(article: Article) -> str:
    """The reason stored with a decision, in words."""
    why = article.novelty or {}
    if article.dup_of_id:
        return f"copy of #{article.dup_of_id}"
    reason = str(why.get("reason", "")) or _reason_before_events(article.decision, why)
    if why.get("too_old"):
        reason += "; found too long after it was published to alert"
    return reason


def _reason_before_events(decision: str, why: dict[str, Any]) -> str:
    """Articles stored before events kept the numbers and wording they added, not a reason."""
    if decision == "new_story":
        return "a new story"
    numbers = ", ".join(str(n) for n in why.get("new_numbers") or [])
    if decision == "development":
        return f"new numbers: {numbers}" if numbers else "new wording"
    return "more coverage of the story" if decision == "coverage" else ""


def alerts_table(alerts: Sequence[Alert]) -> str:
    headers = ["id", "status", "channel", "event", "tries", "when", "title", "last error"]
    rows = []
    for alert in alerts:
        if alert.status == "sent":
            when = f"sent {ago(alert.sent_at)}"
        elif alert.status == "pending":
            when = f"next {ago(alert.next_attempt_at)}"
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
