"""an index of the article bodies retention has yet to empty, by age

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_articles_unpruned",
        "articles",
        [sa.text("coalesce(published_at, ingested_at)")],
        postgresql_where=sa.text("text <> ''"),
        sqlite_where=sa.text("text <> ''"),
    )


def downgrade() -> None:
    op.drop_index("ix_articles_unpruned", table_name="articles")
