"""near-copy fingerprints and story state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:50:54.402349
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_buckets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_buckets_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_buckets")),
    )
    with op.batch_alter_table("article_buckets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_buckets_bucket"), ["bucket"], unique=False)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("shingles", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("numbers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("novelty", sa.JSON(), nullable=True))

    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_stories_last_published_at"), ["last_published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stories_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_updated_at"))
        batch_op.drop_index(batch_op.f("ix_stories_last_published_at"))
        batch_op.drop_column("state")
        batch_op.drop_column("last_published_at")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("novelty")
        batch_op.drop_column("numbers")
        batch_op.drop_column("shingles")
        batch_op.drop_column("signature")

    with op.batch_alter_table("article_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_buckets_bucket"))

    op.drop_table("article_buckets")
