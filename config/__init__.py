"""The watchlist: its schema, loading with positions, validation and env interpolation.

Of the project it imports only tracker.errors, the error tree every package raises into.
"""

from config.loader import default_config_paths, load_watchlist
from config.schema import ArticleHints, Channel, Defaults, Ops, Source, Topic, Watchlist
from tracker.errors import ConfigError, ConfigProblem

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
