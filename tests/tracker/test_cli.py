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


# Libraries a command should load only when it uses them (each costs a tenth of a second or
# more at start): the database layer, the HTTP client, apprise, MinHash and what it drags in.
HEAVY = (
    *("sqlalchemy", "alembic", "httpx", "apprise", "datasketch", "scipy", "numpy", "feedparser"),
    "rich",  # tables and the progress bar, loaded by the commands that draw them
)
_LOADED = """
import sys
from tracker.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("loaded:", ",".join(sorted({{m.split(".")[0] for m in sys.modules}} & {heavy})))
"""


def _heavy_libraries_loaded(args: list[str], cwd) -> str:
    import subprocess
    import sys

    script = _LOADED.format(heavy=set(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_help_and_check_start_without_the_heavy_libraries(write_watchlist, tmp_path) -> None:
    path = write_watchlist(VALID + 'channels:\n  desk: "${UNSET_CHANNEL_URL:-}"\n')
    assert _heavy_libraries_loaded(["--help"], tmp_path) == "loaded:"
    assert _heavy_libraries_loaded(["check", "--config", str(path)], tmp_path) == "loaded:"
    # A channel with a URL is checked by apprise itself, and only apprise is loaded for it.
    path = write_watchlist(VALID + 'channels:\n  desk: "json://127.0.0.1:9/hook"\n', "on.yaml")
    assert _heavy_libraries_loaded(["check", "--config", str(path)], tmp_path) == "loaded: apprise"
