"""`tracker once` exit statuses: 0 when the pass ran, 1 only when it could not run."""

from __future__ import annotations

from tracker.cli import main

VALID = "version: 1\nsources:\n  - name: nowhere\n    feed: http://127.0.0.1:9/feed.xml\n"


def test_once_exits_0_when_sources_fail(write_watchlist, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    assert main(["once", "--config", str(write_watchlist(VALID))]) == 0
    err = capsys.readouterr().err
    assert "[1/1] nowhere: failed" in err
    assert "pass done: 1 sources polled (1 failed)" in err


def test_once_exits_1_when_the_database_is_unreachable(
    write_watchlist, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", "postgresql+psycopg://tracker:hunter2@127.0.0.1:1/news"
    )
    assert main(["once", "--config", str(write_watchlist(VALID))]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the database postgresql+psycopg://tracker:***@127.0.0.1:1/news" in err
    assert "hunter2" not in err


def test_once_exits_1_with_file_line_col_for_an_invalid_watchlist(write_watchlist, capsys) -> None:
    path = write_watchlist(VALID.replace("feed:", "fed:"))
    assert main(["once", "--config", str(path)]) == 1
    assert f"{path}:4:5: unknown key 'fed'" in capsys.readouterr().err


def test_an_unknown_source_name_is_refused(write_watchlist, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    assert main(["once", "--source", "nope", "--config", str(write_watchlist(VALID))]) == 1
    assert "no source named 'nope'" in capsys.readouterr().err
