"""The news tracker engine: scheduling, fetching, discovery, extraction, text, matching."""

__version__ = "0.1.0"
