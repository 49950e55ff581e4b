"""service messages in the outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:06:25.698095
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("story_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("article_id", existing_type=sa.INTEGER(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("article_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column("story_id", existing_type=sa.INTEGER(), nullable=False)
