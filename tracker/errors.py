"""Every error the tracker reports, in one tree. Each says in plain words what went wrong
and where, so the command line prints it and the service logs it: never a traceback.

    TrackerError
    ├── ConfigError         the watchlist cannot be used: every problem, as file:line:col
    ├── StorageError        the database cannot be reached or used
    ├── SourceError         a source, or one of its pages, cannot be read (the poll goes on
    │   │                   with the next page or source, and the failure is recorded)
    │   ├── FetchError      a listing or page could not be fetched (with the URL), and
    │   │                   whether another try is worth it
    │   ├── DiscoverError   a listing was fetched but is not what the watchlist says it is
    │   └── ExtractError    a page was fetched but holds no usable article
    ├── DeliveryError       a channel did not take a message
    └── ReplayInputError    a line of a replay stream cannot be replayed

Library errors (httpx, SQLAlchemy, apprise, ruamel.yaml, pydantic) are translated where
they enter, with `raise ... from exc`. This module imports nothing of the project, so the
config, storage and alerts packages raise into the same tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAM = re.compile(
    r"token|key|secret|passw|pwd|auth|sig|session|credential|api[-_]?key", re.I
)


def redact(url: str) -> str:
    """The URL with its password and secret-looking query values masked: errors and logs
    are read by people and stored, so they carry no secrets."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class TrackerError(Exception):
    """Base of every error the tracker reports to its user."""

    def report(self) -> str:
        """What the command line prints."""
        return f"error: {self}"


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One mistake in a watchlist file; `line` and `column` are 1-based."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:  # the whole file: missing, unreadable
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ConfigError(TrackerError):
    """The watchlist cannot be used; `problems` lists every mistake found."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        return f"{self}\n{len(self.problems)} problem(s) in the watchlist"


class StorageError(TrackerError):
    """The database cannot be reached or used; the message says which and why."""


class SourceError(TrackerError):
    """A source, or one of its pages, cannot be read."""


class FetchError(SourceError):
    """A URL could not be fetched. `retryable` says whether another try may succeed (a
    connect or read timeout, 429, 5xx); `retry_after` is how long the server asked us to
    wait first (0 when it did not say)."""

    def __init__(
        self, url: str, reason: str, *, retryable: bool = False, retry_after: float = 0.0
    ) -> None:
        self.url = redact(url)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        super().__init__(f"{reason} ({self.url})")


class DiscoverError(SourceError):
    """The listing was fetched but could not be read as what the watchlist says it is."""


class ExtractError(SourceError):
    """The page was fetched but no article could be taken from it."""


class DeliveryError(TrackerError):
    """A channel did not take a message: its URL is unusable, or the service refused."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel = channel
        self.reason = reason
        super().__init__(f"channel {channel}: {reason}")


class ReplayInputError(TrackerError):
    """A line of the input cannot be replayed; the message names the line."""


def reason_of(error: Exception) -> str:
    """What went wrong without the URL, for places that already name the source."""
    return error.reason if isinstance(error, FetchError | DeliveryError) else str(error)
