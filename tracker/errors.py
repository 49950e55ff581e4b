"""The engine's errors, each saying in plain words what went wrong and where.

    TrackerError
    ├── FetchError      a source or page could not be fetched (with the URL)
    ├── DiscoverError   a listing (feed, page, sitemap) could not be read
    └── ExtractError    an article page held no usable article

Configuration and storage errors live in their own packages (config.ConfigError,
storage.StorageError), which import nothing from here.
"""

from __future__ import annotations

from tracker.sources.netguard import redact


class TrackerError(Exception):
    """Base of the engine's errors."""


class FetchError(TrackerError):
    """`retry_after` is None when retrying is pointless, else the seconds to wait first."""

    def __init__(self, url: str, reason: str, *, retry_after: float | None = None) -> None:
        self.url = redact(url)  # errors are logged and stored: no secrets in them
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(f"{reason} ({self.url})")


class DiscoverError(TrackerError):
    """The listing was fetched but could not be read as what the watchlist says it is."""


class ExtractError(TrackerError):
    """The page was fetched but no article could be taken from it."""
