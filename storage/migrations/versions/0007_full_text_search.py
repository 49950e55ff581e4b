"""full-text search over articles, filled with the articles already stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500  # articles read and indexed at a time: a big database never sits in memory


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The words arrive normalised and stacked by position (storage/search.py): the
        # column is filled from Python, not by to_tsvector, so no text search
        # configuration applies its own rules on top of the tracker's.
        op.execute(
            "CREATE TABLE article_search ("
            " article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
            " document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_search_document ON article_search USING gin (document)")
    else:
        # unicode61 only splits at spaces here: the text is normalised already.
        op.execute(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 0')"
        )
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    # The same document as ingest writes (tracker/service/pipeline.py): one function builds
    # both, so an article stored before this revision is found as a new one is.
    from storage.search import write
    from tracker.text.search_words import search_document

    after = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, title, text FROM articles"
                " WHERE id > :after AND dup_of_id IS NULL ORDER BY id LIMIT :batch"
            ),
            {"after": after, "batch": BATCH},
        ).all()
        for row in rows:
            document = search_document(row.title, row.text)
            write(bind, row.id, document.title, document.body, replace=False)
        if len(rows) < BATCH:
            return
        after = rows[-1].id


def downgrade() -> None:
    op.execute("DROP TABLE article_search")
