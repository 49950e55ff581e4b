from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import Article, Database
from tests.support.corpus import CORPUS, CORPUS_WATCHLIST, records
from tests.support.site import json_lines
from tracker.cli import main

REPO = Path(__file__).resolve().parents[3]
KEYS = {"id", "decision", "story", "event", "topics", "alert", "dup_of"}


def _replay(capsys, *args: str) -> list[dict]:
    status = main(["replay", *args, "--config", str(CORPUS_WATCHLIST), "--json"])
    out = capsys.readouterr().out
    assert status == 0
    return [json.loads(line) for line in out.splitlines()]


def test_replay_prints_one_decision_per_record_in_the_design_format(
    capsys, database_url: str
) -> None:
    decisions = _replay(capsys, str(CORPUS / "articles.jsonl"), "--database", database_url)

    assert [d["id"] for d in decisions] == [r["id"] for r in records()]
    assert all(set(d) == KEYS for d in decisions)
    by_id = {d["id"]: d for d in decisions}
    texts = {r["id"]: r["text"] for r in records()}
    for r in records():
        got = by_id[r["id"]]
        assert sorted(got["topics"]) == sorted(r["topics"]), r["id"]
        if r["kind"] == "copy":
            assert got["decision"] == "duplicate", r["id"]
            assert texts[got["dup_of"]] == r["text"], r["id"]
            assert got["story"] == by_id[got["dup_of"]]["story"]
            assert got["alert"] is False
        if r["expected_alert"]:
            assert got["alert"] is True, r["id"]
        if not r["topics"]:
            assert got["alert"] is False, r["id"]


def test_replaying_twice_into_one_database_alerts_nothing_the_second_time(
    capsys, database_url: str
) -> None:
    database = database_url
    stream = str(CORPUS / "articles.jsonl")
    first = _replay(capsys, stream, "--database", database)
    second = _replay(capsys, stream, "--database", database)
    assert any(d["alert"] for d in first)
    assert not any(d["alert"] for d in second)
    assert {d["decision"] for d in second} == {"duplicate"}


def test_a_record_without_published_takes_the_time_of_the_one_before(tmp_path, capsys) -> None:
    first, second = records()[0], dict(records()[1])
    del second["published"]
    stream = tmp_path / "stream.jsonl"
    stream.write_text(json_lines([first, second]), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'replay.db'}"

    _replay(capsys, str(stream), "--database", database)

    db = Database(database)
    with db.session() as session:
        times = session.scalars(select(Article.published_at).order_by(Article.id)).all()
    db.dispose()
    assert times[0] is not None and times[1] == times[0]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "stream.jsonl:2: not valid JSON"),
        ('{"id": "x", "url": "https://a.test/x"}', "stream.jsonl:2: missing text"),
    ],
)
def test_a_broken_line_is_named_in_the_error(tmp_path, capsys, line: str, message: str) -> None:
    stream = tmp_path / "stream.jsonl"
    stream.write_text(json_lines(records()[:1]) + line + "\n", encoding="utf-8")

    status = main(["replay", str(stream), "--config", str(CORPUS_WATCHLIST)])

    assert status == 1
    assert message in capsys.readouterr().err


_DECISIONS = """
import json, sys
from config import load_watchlist
from tests.support.arrivals import STREAMS, load_stream, run_passes, time_lapse_order
records = load_stream("part1")
outcomes = run_passes(time_lapse_order(records), load_watchlist([STREAMS["part1"][1]]), sys.argv[1])
print(json.dumps({i: [o.decision, o.story_id, o.event_id, o.alert] for i, o in outcomes.items()}))
"""


@pytest.mark.slow
def test_the_same_stream_gives_the_same_decisions_in_every_process(tmp_path) -> None:
    """Python salts string hashes per process, so the order of a set differs between runs;
    the decisions must not (a user replaying a stream twice gets the same events)."""
    outputs = []
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-c", _DECISIONS, f"sqlite:///{tmp_path / f'{seed}.db'}"],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    assert len(outputs[0]) == 127
    assert outputs[0] == outputs[1] == outputs[2]
