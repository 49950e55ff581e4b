"""The watchlist: its schema, loading with positions, validation and env interpolation.

This package imports none of the project's other packages.
"""

from config.errors import ConfigError, ConfigProblem
from config.loader import default_config_paths, load_watchlist
from config.schema import ArticleHints, Channel, Defaults, Ops, Source, Topic, Watchlist

__all__ = [
    "ArticleHints",
    "Channel",
    "ConfigError",
    "ConfigProblem",
    "Defaults",
    "Ops",
    "Source",
    "Topic",
    "Watchlist",
    "default_config_paths",
    "load_watchlist",
]
