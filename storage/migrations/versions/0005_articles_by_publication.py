"""articles by publication time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORIGINALS = sa.text("dup_of_id IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_articles_originals_published_lang",
        "articles",
        ["published_at", "lang"],
        postgresql_where=ORIGINALS,
        sqlite_where=ORIGINALS,
    )


def downgrade() -> None:
    op.drop_index("ix_articles_originals_published_lang", table_name="articles")
