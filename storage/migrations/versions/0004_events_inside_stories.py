"""events inside stories

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_events_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_story_id"), ["story_id"], unique=False)

    # A plain ADD COLUMN, not a batch rebuild: SQLite would copy `articles` and drop the
    # old table, and with foreign keys on that drop cascades into buckets and topic hits
    # (or fails on the alerts that point at articles). SQLite takes the reference inline.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE articles ADD COLUMN event_id INTEGER REFERENCES events (id)")
    else:
        op.add_column("articles", sa.Column("event_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_articles_event_id_events"), "articles", "events", ["event_id"], ["id"]
        )
    op.create_index(op.f("ix_articles_event_id"), "articles", ["event_id"], unique=False)


def downgrade() -> None:
    # On SQLite this rebuilds `articles`: run it with foreign keys off, or the rebuild's
    # DROP TABLE cascades into the buckets and topic hits.
    op.drop_index(op.f("ix_articles_event_id"), table_name="articles")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_articles_event_id_events"), type_="foreignkey")
        batch_op.drop_column("event_id")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_story_id"))

    op.drop_table("events")
