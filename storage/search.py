"""The full-text index of articles: written with each article, read by `tracker search`.

One table, `article_search`, one row per original article (copies are left out: they say
what their original says). SQLite holds it in an FTS5 table whose rowid is the article's
id, ranked by bm25; PostgreSQL in a tsvector column with a GIN index, ranked by ts_rank.
Both receive words already normalised by the caller (tracker/text/search_words.py), each
position with every form of its word; neither database applies language rules of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Float, Integer, column, func, select, text
from sqlalchemy.orm import Session

from storage.models import Article, TopicHit

TABLE = "article_search"
NEAR_WORDS = 12  # SQLite: words between two query words still "next to each other"
MAX_POSITION = 16383  # PostgreSQL keeps no position beyond this one
MAX_POSITIONS = 256  # ... nor more positions than this for one word

# Each word's forms in text order (tracker.text.search_words.Positions).
Positions = Sequence[Sequence[str]]


@dataclass(frozen=True)
class Found:
    id: int
    story_id: int
    title: str
    text: str
    outlet: str
    published: datetime | None
    url: str
    score: float  # the database's own: higher is better, comparable within one search
    closeness: int  # 2: the words next to each other, 1: all of them, 0: some


_POSTGRES_INSERT = (
    "INSERT INTO article_search (article_id, document) VALUES (:id, CAST(:doc AS tsvector))"
)
_POSTGRES_REPLACE = (
    _POSTGRES_INSERT + " ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
)


def write(
    connection: Connection, article_id: int, title: Positions, body: Positions, *, replace: bool
) -> None:
    """Index an article (`replace`: instead of what the index holds for it)."""
    if connection.dialect.name == "postgresql":
        statement = _POSTGRES_REPLACE if replace else _POSTGRES_INSERT
        connection.execute(text(statement), {"id": article_id, "doc": tsvector(title, body)})
        return
    if replace:
        connection.execute(text("DELETE FROM article_search WHERE rowid = :id"), {"id": article_id})
    connection.execute(
        text("INSERT INTO article_search (rowid, title, body) VALUES (:id, :title, :body)"),
        {"id": article_id, "title": _flat(title), "body": _flat(body)},
    )


def _flat(words: Positions) -> str:
    # FTS5 has no way to put two words at one position from SQL: the forms follow each
    # other, and a phrase becomes words within NEAR_WORDS of each other.
    return " ".join(form for word in words for form in word)


def tsvector(title: Positions, body: Positions) -> str:
    """A tsvector literal: the forms of a word share its position, so a phrase query
    finds «وبقانون قيصر» as «قانون <-> قيصر»; title words weigh A, body words D.
    to_tsvector cannot stack words at one position, hence the literal."""
    where: dict[str, list[str]] = {}
    # The body starts a position after the title's end: no phrase runs across the two.
    for offset, weight, words in ((1, "A", title), (len(title) + 2, "", body)):
        for index, word in enumerate(words):
            position = min(offset + index, MAX_POSITION)
            for form in word:
                found = where.setdefault(form, [])
                if len(found) < MAX_POSITIONS:
                    found.append(f"{position}{weight}")
    return " ".join(f"{_quoted(form)}:{','.join(p)}" for form, p in where.items())


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# The rows holding any of the words, with their rank and how closely they match.
_POSTGRES_MATCHED = """
    SELECT article_id AS id, ts_rank(document, CAST(:any AS tsquery)) AS score,
           CAST(document @@ CAST(:all AS tsquery) AS integer)
           + CAST(document @@ CAST(:near AS tsquery) AS integer) AS closeness
    FROM article_search WHERE document @@ CAST(:any AS tsquery)"""
# bm25 is lower for better matches; a title word counts as three body words.
_SQLITE_MATCHED = """
    SELECT rowid AS id, -bm25(article_search, 3.0, 1.0) AS score,
           (rowid IN (SELECT rowid FROM article_search WHERE article_search MATCH :all))
           + (rowid IN (SELECT rowid FROM article_search WHERE article_search MATCH :near))
           AS closeness
    FROM article_search WHERE article_search MATCH :any"""


def search(
    session: Session,
    keys: Sequence[str],
    *,
    since: datetime | None = None,
    topic: str | None = None,
    limit: int = 20,
) -> list[Found]:
    """Original articles holding any of `keys` (normalised query words), the closest
    match first (all words next to each other, then all words, then some), then by the
    database's rank, then the newest."""
    if not keys:
        return []
    if session.get_bind().dialect.name == "postgresql":
        matched, words = _POSTGRES_MATCHED, list(map(_quoted, keys))
        params = {"any": " | ".join(words), "all": " & ".join(words), "near": " <-> ".join(words)}
    else:
        matched, words = _SQLITE_MATCHED, [_fts_phrase(k) for k in keys]
        near = f"NEAR({' '.join(words)}, {NEAR_WORDS * (len(keys) - 1)})"
        params = {"any": " OR ".join(words), "all": " AND ".join(words), "near": near}
    m = (
        text(matched)
        .bindparams(**params)
        .columns(column("id", Integer), column("score", Float), column("closeness", Integer))
        .subquery("m")
    )
    query = (
        select(
            Article.id,
            Article.story_id,
            Article.title,
            Article.text,
            Article.outlet,
            Article.published_at,
            Article.link,
            m.c.score,
            m.c.closeness,
        )
        .join_from(m, Article, Article.id == m.c.id)
        .where(Article.dup_of_id.is_(None))
        .order_by(m.c.closeness.desc(), m.c.score.desc(), Article.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(func.coalesce(Article.published_at, Article.ingested_at) >= since)
    if topic is not None:
        hit = select(TopicHit.id).where(TopicHit.article_id == Article.id, TopicHit.topic == topic)
        query = query.where(hit.exists())
    return [
        Found(
            row.id,
            row.story_id,
            row.title,
            row.text,
            row.outlet,
            row.published_at,
            row.link,
            float(row.score),
            int(row.closeness),
        )
        for row in session.execute(query)
    ]


def _fts_phrase(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def is_search_table(name: str | None) -> bool:
    """The index's tables (with FTS5's own on SQLite), which the models do not describe:
    Alembic's comparisons leave them alone."""
    return name is not None and (name == TABLE or name.startswith(f"{TABLE}_"))
