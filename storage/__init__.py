"""Storage: SQLAlchemy 2.0 models, engine set-up, queries and Alembic migrations.

This package imports none of the project's other packages.
"""

from storage.db import Database, StorageError, default_database_url
from storage.models import (
    Alert,
    AlertStatus,
    Article,
    ArticleBucket,
    Base,
    SourceState,
    Story,
    TopicHit,
)

__all__ = [
    "Alert",
    "AlertStatus",
    "Article",
    "ArticleBucket",
    "Base",
    "Database",
    "SourceState",
    "StorageError",
    "Story",
    "TopicHit",
    "default_database_url",
]
