"""`tracker stories`, `tracker story ID` and `tracker sources` over a database filled by
replaying the labelled corpus, read as a user reads them: the table printed and the JSON."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.corpus import CORPUS, CORPUS_WATCHLIST, record
from tracker.cli import main


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus replayed into a SQLite file: its URL and each record's decision."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browse')}/tracker.db"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        args = ["replay", str(CORPUS / "articles.jsonl"), "--config", str(CORPUS_WATCHLIST)]
        assert main([*args, "--database", url, "--json"]) == 0
    return {"url": url, "decisions": [json.loads(line) for line in out.getvalue().splitlines()]}


@pytest.fixture
def database(replayed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", replayed["url"])
    decisions: list[dict[str, Any]] = replayed["decisions"]
    return decisions


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    status, out, _ = _run(capsys, *args, "--json")
    assert status == 0
    found: list[dict[str, Any]] = json.loads(out)
    return found


def _story_of(decisions: list[dict[str, Any]], record_id: str) -> int:
    return int(next(d["story"] for d in decisions if d["id"] == record_id))


def test_stories_lists_titles_and_outlets_newest_activity_first(database, capsys) -> None:
    stories = _json(capsys, "stories", "--limit", "100")
    assert {s["id"] for s in stories} == {d["story"] for d in database}
    activity = [datetime.fromisoformat(s["last_activity"]) for s in stories]
    assert activity == sorted(activity, reverse=True)
    assert all(a.tzinfo is not None for a in activity)
    first = next(s for s in stories if s["id"] == _story_of(database, "a001"))
    assert first["title"] == record("a001")["title"]
    members = [d["id"] for d in database if d["story"] == first["id"]]
    assert first["articles"] == len(members)
    assert set(first["outlets"]) == {record(m)["outlet"] for m in members}
    assert first["outlets"][0] == "levant-daily"  # the outlet that broke it comes first
    assert first["topics"] == ["caesar-act"]
    assert first["events"] == len({d["event"] for d in database if d["story"] == first["id"]})

    status, out, _ = _run(capsys, "stories", "--limit", "100")
    assert status == 0
    assert "\x1b[" not in out  # not a terminal: plain text
    header, _rule, *rows = out.splitlines()
    assert header.split() == [
        "story",
        "first",
        "seen",
        "last",
        "activity",
        "articles",
        "events",
        "topics",
        "outlets",
        "title",
    ]
    assert [int(row.split()[0]) for row in rows] == [s["id"] for s in stories]
    row = next(r for r in rows if r.split()[0] == str(first["id"]))
    assert "levant-daily" in row and "caesar-act" in row
    assert record("a001")["title"][:40] in row  # Arabic stays as written


def test_stories_by_topic_are_the_stories_that_matched_it(database, capsys) -> None:
    stories = _json(capsys, "stories", "--topic", "israel-talks", "--limit", "100")
    expected = {d["story"] for d in database if "israel-talks" in d["topics"]}
    assert expected and {s["id"] for s in stories} == expected
    assert all("israel-talks" in s["topics"] for s in stories)


def test_stories_since_a_span_or_a_date(database, capsys, monkeypatch) -> None:
    every = _json(capsys, "stories", "--limit", "100")
    cutoff = datetime(2026, 2, 8, tzinfo=UTC)
    recent = {s["id"] for s in every if datetime.fromisoformat(s["last_activity"]) >= cutoff}
    assert 0 < len(recent) < len(every)

    by_date = _json(capsys, "stories", "--since", "2026-02-08", "--limit", "100")
    assert {s["id"] for s in by_date} == recent

    # "7d" counts back from now: the corpus ends in mid-February 2026.
    monkeypatch.setattr("tracker.cli.browse.now", lambda: datetime(2026, 2, 15, tzinfo=UTC))
    by_span = _json(capsys, "stories", "--since", "7d", "--limit", "100")
    assert {s["id"] for s in by_span} == recent

    with pytest.raises(SystemExit):
        main(["stories", "--since", "last week"])
    assert "neither a span (7d, 12h, 1d12h) nor a date" in capsys.readouterr().err


def test_story_shows_each_article_its_decision_and_why(database, capsys) -> None:
    story_id = _story_of(database, "a001")
    members = [d for d in database if d["story"] == story_id]
    timeline = _json(capsys, "story", str(story_id))
    assert sorted(a["decision"] for a in timeline) == sorted(d["decision"] for d in members)
    assert [a["outlet"] for a in timeline] == [record(d["id"])["outlet"] for d in members]
    published = [datetime.fromisoformat(a["published"]) for a in timeline]
    assert published == sorted(published)

    opened = timeline[0]
    assert (opened["decision"], opened["why"]) == ("new_story", "a new story")
    assert opened["title"] == record("a001")["title"]
    assert opened["event_title"] == record("a001")["title"]
    assert opened["topics"] == ["caesar-act"]
    by_id = {a["id"]: a for a in timeline}
    near = next(a for a in timeline if a["decision"] == "near_duplicate")
    original = by_id[near["copy_of"]]
    assert near["why"].startswith(f"near-copy of #{original['id']} ({original['outlet']})")
    assert near["event"] == original["event"]
    development = next(a for a in timeline if a["decision"] == "development")
    assert development["event"] != opened["event"]
    assert development["reason"]["event"] == "opened"
    assert development["why"].startswith(development["reason"]["reason"])

    status, out, _ = _run(capsys, "story", str(story_id))
    assert status == 0
    assert out.startswith(f"story {story_id}: {record('a001')['title']}\n")
    assert f"event #{development['event']}: {development['title']}" in out
    assert "\x1b[" not in out
    assert "near duplicate" in out and near["why"] in out
    assert "copy of #" in out  # the exact copy names its original
    assert development["why"] in out

    # The older spelling prints the same.
    assert _run(capsys, "stories", "--story", str(story_id)) == (0, out, "")


def test_an_unknown_story_is_an_error(database, capsys) -> None:
    for extra in ([], ["--json"]):
        status, out, err = _run(capsys, "story", "9999", *extra)
        assert (status, out) == (1, "")
        assert "error: no story 9999" in err
    assert _run(capsys, "stories", "--story", "9999")[0] == 1


TWO_DOWN = """version: 1
sources:
  - name: gone-outlet
    feed: http://127.0.0.1:9/feed.xml
  - name: paused
    feed: http://127.0.0.1:9/other.xml
    enabled: false
"""


def test_sources_as_a_table_and_as_json(write_watchlist, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    config = str(write_watchlist(TWO_DOWN))
    assert main(["once", "--config", config]) == 0
    capsys.readouterr()

    sources = _json(capsys, "sources", "--config", config)
    assert [s["name"] for s in sources] == ["gone-outlet", "paused"]
    down, paused = sources
    assert down["consecutive_failures"] == 1 and "cannot connect" in down["last_error"]
    assert datetime.fromisoformat(down["last_error_at"]).tzinfo is not None
    assert (down["kind"], down["every"], down["enabled"]) == ("feed", "15m", True)
    assert (paused["enabled"], paused["last_success"], paused["articles"]) == (False, None, 0)

    status, out, _ = _run(capsys, "sources", "--config", config)
    assert status == 0 and "\x1b[" not in out
    assert out.splitlines()[0].split()[:3] == ["source", "kind", "every"]
    assert "paused (disabled)" in out and "cannot connect" in out


def test_arabic_is_cut_between_letters_never_inside_one() -> None:
    from tracker.cli.tables import _short

    title = "قَانُونُ قَيْصَرَ يُلْغَى بِالْكَامِلِ فِي مَجْلِسِ الشُّيُوخِ"
    for limit in range(2, 30):
        cut = _short(title, limit)
        kept = cut.removesuffix("…").rstrip()
        assert title.startswith(kept)
        rest = title[len(kept) :].lstrip()
        assert not rest or rest[0] not in "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"


def test_a_terminal_gets_a_rich_table_with_the_whole_title() -> None:
    from tracker.cli.output import render_rich
    from tracker.cli.tables import Table

    title = "واشنطن تعلق عقوبات [قانون قيصر] على سوريا لمدة 180 يوماً"
    drawn = render_rich(Table(["story", "title"], [["7", title]], prose=frozenset({1})), width=120)
    assert "\x1b[" in drawn  # styled for a terminal
    assert title in drawn  # whole, and "[...]" is not taken for markup


def test_the_progress_bar_counts_sources_and_keeps_log_lines() -> None:
    import logging

    from tracker.cli.progress import pass_progress
    from tracker.service.poller import PollReport

    screen = io.StringIO()
    handler = logging.StreamHandler(screen)
    logging.getLogger().addHandler(handler)
    try:
        with pass_progress(3, screen, force=True) as polled:
            assert polled is not None
            polled(1, 3, PollReport("wire-ar", new=4))
            logging.getLogger("tracker").warning("[2/3] gone-outlet: failed: timed out")
            polled(2, 3, PollReport("gone-outlet", error="timed out"))
            polled(3, 3, PollReport("sham-post", new=0))
    finally:
        logging.getLogger().removeHandler(handler)
    shown = screen.getvalue()
    assert "wire-ar: 4 new" in shown and "2/3" in shown and "3/3" in shown
    assert "[2/3] gone-outlet: failed: timed out" in shown
    assert handler.stream is screen  # log lines go straight to stderr again

    with pass_progress(3, io.StringIO()) as polled:  # not a terminal: no bar
        assert polled is None


def test_once_in_a_terminal_draws_a_bar_and_piped_logs_each_source(
    write_watchlist, tmp_path: Path
) -> None:
    import os
    import pty
    import subprocess
    import sys

    config = str(
        write_watchlist(TWO_DOWN.replace("    enabled: false\n", "").replace("paused", "gone-2"))
    )
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    command = [sys.executable, "-m", "tracker", "once", "--config", config]

    piped = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "[1/2]" in piped.stderr and "[2/2]" in piped.stderr
    assert "\x1b[" not in piped.stderr

    primary, secondary = pty.openpty()
    with subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stderr=secondary) as run:
        os.close(secondary)
        screen = b""
        with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
            while chunk := os.read(primary, 4096):
                screen += chunk
    os.close(primary)
    assert run.returncode == 0
    shown = screen.decode("utf-8", "replace")
    assert "2/2" in shown and "\x1b[" in shown  # the bar
    assert "failed: cannot connect" in shown  # log lines still printed
    assert "pass done: 2 sources polled (2 failed)" in shown


def test_a_misspelt_topic_is_an_error_that_lists_the_topics(database, capsys) -> None:
    for command in (["stories"], ["search", "قيصر"]):
        status, out, err = _run(capsys, *command, "--topic", "caesar")
        assert (status, out) == (1, "")
        assert "no stored story matched a topic named 'caesar'" in err
        assert "caesar-act" in err


def test_a_span_reaching_before_year_one_is_a_usage_error(database, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["stories", "--since", "99999999d"])
    assert exit_.value.code == 2
    assert "reaches back before year 1" in capsys.readouterr().err
