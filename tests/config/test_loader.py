"""The watchlist loader and `tracker check`: every mistake reported as file:line:col.

Positions are 1-based; for a value, the column is where the value starts (its opening
quote included), for an unknown key, where the key starts.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from config import ConfigError, ConfigProblem, Watchlist, load_watchlist
from tracker.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_test_variables(monkeypatch):
    for name in (
        "TG_TOKEN",
        "FEED_HOST",
        "CHAT_URL",
        "DESK_URL",
        "TRACKER_CHAT_URL",
        "TRACKER_MAIL_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def problems_in(path: Path, environ=None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_watchlist([path], environ={} if environ is None else environ)
    return caught.value


def check(*argv: str) -> int:
    return main(list(argv))


VALID = """\
version: 1
defaults:
  every: 10m
channels:
  desk: "json://127.0.0.1:9/hook"
  chat: "${CHAT_URL:-}"
sources:
  - name: wire
    feed: https://wire.example/feed.xml
  - name: outlet
    page: https://outlet.example/syria
    links: "h3 a"
    every: 1h30m
topics:
  - name: caesar
    any: ["قانون قيصر", "Caesar Act"]
    notify: [desk, chat]
"""


# (id, YAML text, line, column, fragments of the message)
MISTAKES = [
    (
        "unknown-key-in-source",
        """\
version: 1
sources:
  - name: a
    feedd: https://a.example/feed
""",
        4,
        5,
        ["unknown key 'feedd'", "did you mean 'feed'?"],
    ),
    (
        "unknown-top-level-key",
        """\
version: 1
sourcess: []
""",
        2,
        1,
        ["unknown key 'sourcess'", "did you mean 'sources'?"],
    ),
    (
        "unknown-key-in-topic",
        """\
version: 1
topics:
  - name: t
    any: [x]
    notfy: [desk]
""",
        5,
        5,
        ["unknown key 'notfy'", "did you mean 'notify'?"],
    ),
    (
        "unknown-key-in-article-hints",
        """\
version: 1
sources:
  - name: a
    feed: https://a.example/feed
    article: {bdy: "div.body"}
""",
        5,
        15,
        ["unknown key 'bdy'", "did you mean 'body'?"],
    ),
    (
        "undefined-channel-in-flow-list",
        """\
version: 1
channels:
  desk: "json://127.0.0.1:9/hook"
topics:
  - name: t
    any: [x]
    notify: [desk, nowhere]
""",
        7,
        20,
        ["topic 't' notifies 'nowhere'", "not a defined channel", "channels: desk"],
    ),
    (
        "undefined-channel-in-block-list",
        """\
version: 1
channels:
  desk: "json://127.0.0.1:9/hook"
topics:
  - name: t
    any: [x]
    notify:
      - desk
      - dsk
""",
        9,
        9,
        ["notifies 'dsk'", "not a defined channel", "did you mean 'desk'?"],
    ),
    (
        "bad-interval-in-defaults",
        """\
version: 1
defaults:
  every: 15x
""",
        3,
        10,
        ["invalid interval '15x'", "15m"],
    ),
    (
        "bad-interval-in-source",
        """\
version: 1
sources:
  - name: a
    feed: https://a.example/feed
    every: 15x
""",
        5,
        12,
        ["invalid interval '15x'"],
    ),
    (
        "zero-interval",
        """\
version: 1
defaults:
  every: "0m"
""",
        3,
        10,
        ["invalid interval '0m'", "longer than zero"],
    ),
    (
        "feed-not-a-url",
        """\
version: 1
sources:
  - name: a
    feed: notaurl
""",
        4,
        11,
        ["invalid URL 'notaurl'", "http:// or https://"],
    ),
    (
        "feed-ftp-url",
        """\
version: 1
sources:
  - name: a
    feed: ftp://x
""",
        4,
        11,
        ["invalid URL 'ftp://x'", "http:// or https://"],
    ),
    (
        "sitemap-without-host",
        """\
version: 1
sources:
  - name: a
    sitemap: "https://"
""",
        4,
        14,
        ["invalid URL 'https://'", "no host name"],
    ),
    (
        "source-without-feed-page-or-sitemap",
        """\
version: 1
sources:
  - name: a
    every: 5m
""",
        3,
        5,
        ["exactly one of 'feed', 'page' or 'sitemap'"],
    ),
    (
        "page-without-links",
        """\
version: 1
sources:
  - name: a
    page: https://a.example/news
""",
        3,
        5,
        ["'page' source needs 'links'"],
    ),
    (
        "duplicate-source-name",
        """\
version: 1
sources:
  - name: a
    feed: https://a.example/feed
  - name: a
    feed: https://b.example/feed
""",
        5,
        11,
        ["duplicate source name 'a'", "(first defined at {file}:3:11)"],
    ),
    (
        "duplicate-topic-name",
        """\
version: 1
topics:
  - name: t
    any: [x]
  - name: "t"
    any: [y]
""",
        5,
        11,
        ["duplicate topic name 't'", "(first defined at {file}:3:11)"],
    ),
    (
        "missing-env-variable",
        """\
version: 1
channels:
  tg: "tgram://${TG_TOKEN}/123"
""",
        3,
        7,
        ["environment variable TG_TOKEN is not set"],
    ),
    (
        "missing-env-variable-in-feed",
        """\
version: 1
sources:
  - name: a
    feed: https://${FEED_HOST}/feed.xml
""",
        4,
        11,
        ["environment variable FEED_HOST is not set"],
    ),
    (
        "unknown-apprise-service",
        """\
version: 1
channels:
  tg: tgramm://SECRETTOKEN
""",
        3,
        7,
        ["channel URL has an unknown service 'tgramm'", "apprise wiki"],
    ),
    (
        "invalid-telegram-url",
        """\
version: 1
channels:
  tg:
    url: "tgram://SECRETTOKEN/789"
""",
        4,
        10,
        ["channel URL is not a valid Telegram URL"],
    ),
    (
        "bad-digest",
        """\
version: 1
channels:
  desk:
    url: "json://127.0.0.1:9/hook"
    digest: weekly
""",
        5,
        13,
        ["invalid digest 'weekly'", "'hourly' or 'daily HH:MM'"],
    ),
    (
        "wrong-version",
        """\
version: 2
""",
        1,
        10,
        ["version: 2 is not allowed (expected 1)"],
    ),
    (
        "missing-version",
        """\
sources: []
""",
        1,
        1,
        ["missing required key 'version'"],
    ),
    (
        "empty-file",
        "",
        1,
        1,
        ["a watchlist is a mapping"],
    ),
    (
        "yaml-unclosed-flow-list",
        """\
version: 1
sources:
  - name: a
    feed: [unclosed
""",
        5,
        1,
        ["expected ',' or ']'"],
    ),
    (
        "yaml-bad-indentation",
        """\
version: 1
sources:
  - name: a
   feed: https://a.example/feed
""",
        4,
        4,
        ["expected <block end>"],
    ),
    (
        "yaml-tab",
        "version: 1\nsources:\n\t- name: a\n",
        3,
        1,
        ["found character '\\t'"],
    ),
    (
        "yaml-duplicate-key",
        """\
version: 1
sources:
  - name: a
    feed: https://a.example/feed
    feed: https://b.example/feed
""",
        5,
        5,
        ['duplicate key "feed"'],
    ),
    (
        "yaml-duplicate-top-level-key",
        """\
version: 1
version: 1
""",
        2,
        1,
        ['duplicate key "version"'],
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in MISTAKES],
)
def test_loader_reports_mistake_at_its_place(write_watchlist, text, line, column, fragments):
    path = write_watchlist(text)

    error = problems_in(path)

    assert len(error.problems) == 1, str(error)
    problem = error.problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), line, column), str(error)
    for fragment in fragments:
        assert fragment.format(file=path) in problem.message
    assert str(error) == f"{path}:{line}:{column}: {problem.message}"


@pytest.mark.parametrize(
    ("text", "line", "column", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in MISTAKES],
)
def test_check_prints_mistake_and_fails(write_watchlist, capsys, text, line, column, fragments):
    path = write_watchlist(text)

    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[-1] == "1 problem(s) in the watchlist"
    assert lines[0].startswith(f"{path}:{line}:{column}: ")
    for fragment in fragments:
        assert fragment.format(file=path) in lines[0]
    assert "SECRETTOKEN" not in err


# --- duplicates across files -------------------------------------------------------------

FIRST_FILE = """\
version: 1
channels:
  desk: "json://127.0.0.1:9/hook"
sources:
  - name: shared
    feed: https://a.example/feed
"""

SECOND_FILE = """\
version: 1
channels:
  desk: "json://127.0.0.1:9/other"
sources:
  - name: other
    feed: https://b.example/feed
  - name: shared
    feed: https://c.example/feed
"""


def test_duplicate_names_across_files_point_at_the_second(write_watchlist):
    first = write_watchlist(FIRST_FILE, "a.yaml")
    second = write_watchlist(SECOND_FILE, "b.yaml")

    with pytest.raises(ConfigError) as caught:
        load_watchlist([first, second], environ={})

    assert caught.value.problems == [
        ConfigProblem(
            str(second), 3, 9, f"duplicate channel name 'desk' (first defined at {first}:3:9)"
        ),
        ConfigProblem(
            str(second), 7, 11, f"duplicate source name 'shared' (first defined at {first}:5:11)"
        ),
    ]


def test_check_reports_duplicates_across_a_directory(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(FIRST_FILE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(SECOND_FILE, encoding="utf-8")

    status = check("check", "--config", str(tmp_path))

    _, err = capsys.readouterr()
    assert status == 1
    assert err.splitlines() == [
        f"{tmp_path / 'b.yaml'}:3:9: duplicate channel name 'desk' "
        f"(first defined at {tmp_path / 'a.yaml'}:3:9)",
        f"{tmp_path / 'b.yaml'}:7:11: duplicate source name 'shared' "
        f"(first defined at {tmp_path / 'a.yaml'}:5:11)",
        "2 problem(s) in the watchlist",
    ]


# --- environment variables ---------------------------------------------------------------

ENV_WATCHLIST = """\
version: 1
channels:
  tg: "tgram://${TG_TOKEN}/789"
  chat: "${CHAT_URL:-}"
  desk:
    url: "${DESK_URL:-json://127.0.0.1:9/hook}"
sources:
  - name: a
    feed: "https://a.example/feed?price=$$5&q=$${NOT_A_VARIABLE}"
topics:
  - name: t
    title: "Costs $$100"
    any: [x]
    notify: [tg, chat, desk]
"""


def test_missing_variable_is_named_and_points_at_the_string(write_watchlist):
    path = write_watchlist(ENV_WATCHLIST)

    error = problems_in(path)

    # Only the variable is reported: not also the half-made URL apprise would reject.
    assert error.problems == [
        ConfigProblem(str(path), 3, 7, "environment variable TG_TOKEN is not set")
    ]


def test_variables_defaults_and_dollar_escapes(write_watchlist):
    path = write_watchlist(ENV_WATCHLIST)

    watchlist = load_watchlist([path], environ={"TG_TOKEN": "123456:abcdef"})

    assert watchlist.channels["tg"].url == "tgram://123456:abcdef/789"
    assert watchlist.channels["tg"].enabled
    # ${VAR:-} is empty when unset, and an empty URL switches the channel off.
    assert watchlist.channels["chat"].url == ""
    assert not watchlist.channels["chat"].enabled
    assert watchlist.channels["desk"].url == "json://127.0.0.1:9/hook"
    assert watchlist.channels["desk"].enabled
    # $$ is a dollar sign, also in front of what would otherwise be a reference.
    assert watchlist.source("a").feed == "https://a.example/feed?price=$5&q=${NOT_A_VARIABLE}"
    assert watchlist.topics[0].label == "Costs $100"


def test_set_variable_overrides_the_default(write_watchlist):
    path = write_watchlist(ENV_WATCHLIST)

    watchlist = load_watchlist(
        [path],
        environ={
            "TG_TOKEN": "123456:abcdef",
            "CHAT_URL": "json://127.0.0.1:9/chat",
            "DESK_URL": "",
        },
    )

    assert watchlist.channels["chat"].url == "json://127.0.0.1:9/chat"
    assert watchlist.channels["chat"].enabled
    # Set but empty is still set: the default does not apply.
    assert not watchlist.channels["desk"].enabled


def test_loader_reads_the_process_environment_by_default(write_watchlist, monkeypatch):
    path = write_watchlist(ENV_WATCHLIST)
    monkeypatch.setenv("TG_TOKEN", "123456:abcdef")

    watchlist = load_watchlist([path])

    assert watchlist.channels["tg"].url == "tgram://123456:abcdef/789"


def test_check_names_missing_variable_then_passes_once_it_is_set(
    write_watchlist, capsys, monkeypatch
):
    path = write_watchlist(ENV_WATCHLIST)

    assert check("check", "--config", str(path)) == 1
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{path}:3:7: environment variable TG_TOKEN is not set",
        "1 problem(s) in the watchlist",
    ]

    monkeypatch.setenv("TG_TOKEN", "123456:abcdef")
    assert check("check", "--config", str(path)) == 0
    out, _ = capsys.readouterr()
    assert out == f"{path}: OK: 1 sources, 1 topics, 3 channels (1 off: empty URL)\n"


# --- secrets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tgramm://SECRETTOKEN", "has an unknown service 'tgramm'"),
        ("tgram://SECRETTOKEN/789", "is not a valid Telegram URL"),
        ("SECRETTOKEN", "has no scheme"),
    ],
)
def test_invalid_channel_url_is_never_echoed(write_watchlist, capsys, url, expected):
    path = write_watchlist(f'version: 1\nchannels:\n  tg: "{url}"\n')

    error = problems_in(path)
    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 1
    assert [(p.line, p.column) for p in error.problems] == [(3, 7)]
    assert f"the channel URL {expected}" in error.problems[0].message
    assert f"{path}:3:7: the channel URL {expected}" in err
    assert "SECRETTOKEN" not in str(error)
    assert "SECRETTOKEN" not in out + err


def test_invalid_channel_url_from_the_environment_is_never_echoed(
    write_watchlist, capsys, monkeypatch
):
    path = write_watchlist('version: 1\nchannels:\n  tg: "tgram://${TG_TOKEN}/789"\n')
    monkeypatch.setenv("TG_TOKEN", "SECRETTOKEN")  # no bot id: Telegram rejects it

    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 1
    assert f"{path}:3:7: the channel URL is not a valid Telegram URL" in err
    assert "SECRETTOKEN" not in out + err


def test_check_ok_line_does_not_show_channel_urls(write_watchlist, capsys):
    path = write_watchlist('version: 1\nchannels:\n  tg: "tgram://123456:SECRETTOKEN/789"\n')

    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 0
    assert out == f"{path}: OK: 0 sources, 0 topics, 1 channels\n"
    assert "SECRETTOKEN" not in out + err


def test_duplicate_yaml_key_does_not_echo_a_channel_url(write_watchlist, capsys):
    path = write_watchlist(
        "version: 1\n"
        "channels:\n"
        "  tg:\n"
        '    url: "tgram://123456:SECRETTOKEN/789"\n'
        '    url: "tgram://123456:SECRETTOKEN/790"\n'
    )

    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 1
    assert f"{path}:5:5: " in err
    assert "SECRETTOKEN" not in out + err


# --- several mistakes at once -----------------------------------------------------------


def test_every_mistake_in_a_file_is_reported_at_once(write_watchlist, capsys):
    path = write_watchlist(
        """\
version: 1
defaults:
  every: 15x
channels:
  tg: "tgram://${TG_TOKEN}/789"
sources:
  - name: a
    feedd: https://a.example/feed
  - name: b
    feed: notaurl
  - name: c
    sitemap: https://c.example/sitemap.xml
    every: soon
topics:
  - name: t
    notify: [tg]
"""
    )

    error = problems_in(path)
    status = check("check", "--config", str(path))

    expected = [
        (3, 10, "invalid interval '15x'"),
        (5, 7, "environment variable TG_TOKEN is not set"),
        (8, 5, "unknown key 'feedd'"),
        (10, 11, "invalid URL 'notaurl'"),
        (13, 12, "invalid interval 'soon'"),
        (15, 5, "a topic needs 'any' terms or 'all' term groups"),
    ]
    assert [(p.line, p.column) for p in error.problems] == [(ln, col) for ln, col, _ in expected]
    for problem, (_, _, fragment) in zip(error.problems, expected, strict=True):
        assert fragment in problem.message
    _, err = capsys.readouterr()
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == len(expected) + 1
    for line, (ln, col, fragment) in zip(lines, expected, strict=False):
        assert line.startswith(f"{path}:{ln}:{col}: ")
        assert fragment in line
    assert lines[-1] == f"{len(expected)} problem(s) in the watchlist"


def test_mistakes_in_several_files_are_all_reported(write_watchlist):
    first = write_watchlist("version: 1\ndefaults:\n  every: 15x\n", "a.yaml")
    second = write_watchlist("version: 1\nsources:\n  - name: b\n    feed: ftp://x\n", "b.yaml")

    with pytest.raises(ConfigError) as caught:
        load_watchlist([first, second], environ={})

    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        (str(first), 3, 10),
        (str(second), 4, 11),
    ]


# --- missing files -----------------------------------------------------------------------


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nowhere.yaml"

    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert err.splitlines() == [
        f"{path}: no such file (copy config/watchlist.yaml from the repository to start)",
        "1 problem(s) in the watchlist",
    ]
    error = problems_in(path)
    assert [(p.file, p.line) for p in error.problems] == [(str(path), 0)]


def test_no_files_at_all():
    with pytest.raises(ConfigError) as caught:
        load_watchlist([], environ={})

    assert "no watchlist files (*.yaml) found" in str(caught.value)


def test_empty_directory_is_named(tmp_path, capsys):
    status = check("check", "--config", str(tmp_path))

    _, err = capsys.readouterr()
    assert status == 1
    assert str(tmp_path) in err


# --- valid watchlists --------------------------------------------------------------------


def test_valid_watchlist_loads(write_watchlist):
    path = write_watchlist(VALID)

    watchlist = load_watchlist([path], environ={})

    assert [s.name for s in watchlist.sources] == ["wire", "outlet"]
    assert watchlist.source("wire").kind == "feed"
    assert watchlist.source("wire").interval.total_seconds() == 600  # the file's default
    assert watchlist.source("outlet").kind == "page"
    assert watchlist.source("outlet").interval.total_seconds() == 5400
    assert watchlist.topics[0].notify == ["desk", "chat"]
    assert watchlist.channels["desk"].enabled
    assert not watchlist.channels["chat"].enabled


def test_check_valid_watchlist_prints_ok_with_counts(write_watchlist, capsys):
    path = write_watchlist(VALID)

    status = check("check", "--config", str(path))

    out, err = capsys.readouterr()
    assert status == 0
    assert out == f"{path}: OK: 2 sources, 1 topics, 2 channels (1 off: empty URL)\n"
    assert "problem" not in err


def test_example_watchlist_of_the_repository_passes_check(capsys, monkeypatch):
    example = REPO / "config" / "watchlist.yaml"
    text = example.read_text(encoding="utf-8")
    for name in set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)):
        monkeypatch.delenv(name, raising=False)

    status = check("check", "--config", str(example))

    out, err = capsys.readouterr()
    assert status == 0, err
    # Its channels take their URLs from the environment, so all are off here.
    channels = len(load_watchlist([example]).channels)
    assert channels > 0
    assert re.fullmatch(
        rf"{re.escape(str(example))}: OK: [1-9]\d* sources, [1-9]\d* topics, "
        rf"{channels} channels \({channels} off: empty URL\)\n",
        out,
    )


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(lambda path: ["check", "--config", path], id="after"),
        pytest.param(lambda path: ["--config", path, "check"], id="before"),
    ],
)
@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_config_option_before_or_after_the_command(write_watchlist, capsys, order, valid):
    path = write_watchlist(VALID if valid else "version: 1\ndefaults:\n  every: 15x\n")

    status = main(order(str(path)))

    out, err = capsys.readouterr()
    if valid:
        assert status == 0
        assert out == f"{path}: OK: 2 sources, 1 topics, 2 channels (1 off: empty URL)\n"
    else:
        assert status == 1
        assert err.startswith(f"{path}:3:10: invalid interval '15x'")


def test_tracker_config_variable_is_the_default(write_watchlist, capsys, monkeypatch):
    path = write_watchlist(VALID)
    monkeypatch.setenv("TRACKER_CONFIG", str(path))

    status = main(["check"])

    out, _ = capsys.readouterr()
    assert status == 0
    assert out.startswith(f"{path}: OK: 2 sources")


def test_directory_loads_every_yaml_file_and_merges_them(tmp_path, capsys):
    (tmp_path / "10-channels.yaml").write_text(
        'version: 1\nchannels:\n  desk: "json://127.0.0.1:9/hook"\n', encoding="utf-8"
    )
    (tmp_path / "20-arabic.yaml").write_text(
        """\
version: 1
defaults:
  every: 5m
sources:
  - name: ar-wire
    feed: https://ar.example/feed
topics:
  - name: caesar
    any: ["قيصر"]
    notify: [desk]
""",
        encoding="utf-8",
    )
    (tmp_path / "30-english.yaml").write_text(
        """\
version: 1
sources:
  - name: en-wire
    feed: https://en.example/feed
  - name: en-sitemap
    sitemap: https://en.example/sitemap.xml
    every: 2h
""",
        encoding="utf-8",
    )
    # Not YAML files: ignored, though they would not parse.
    (tmp_path / "notes.txt").write_text("version: [oops\n", encoding="utf-8")
    (tmp_path / "old.yaml.bak").write_text("version: [oops\n", encoding="utf-8")

    status = check("check", "--config", str(tmp_path))

    out, err = capsys.readouterr()
    assert status == 0, err
    names = ", ".join(str(tmp_path / n) for n in ("10-channels.yaml", "20-arabic.yaml"))
    assert out == f"{names}, {tmp_path / '30-english.yaml'}: OK: 3 sources, 1 topics, 1 channels\n"

    from config import default_config_paths

    watchlist = load_watchlist(default_config_paths(tmp_path), environ={})
    assert [s.name for s in watchlist.sources] == ["ar-wire", "en-wire", "en-sitemap"]
    # Each file's defaults apply to its own sources only.
    intervals = {s.name: s.interval.total_seconds() for s in watchlist.sources}
    assert intervals == {"ar-wire": 300, "en-wire": 900, "en-sitemap": 7200}
    assert watchlist.topics[0].notify == ["desk"]


def test_unknown_key_in_a_channel_suggests_the_right_one(write_watchlist):
    path = write_watchlist(
        'version: 1\nchannels:\n  desk:\n    url: "json://127.0.0.1:9/hook"\n    digets: hourly\n'
    )

    error = problems_in(path)

    assert [(p.line, p.column) for p in error.problems] == [(5, 5)]
    assert "did you mean 'digest'?" in error.problems[0].message


def test_max_age_comes_from_the_source_else_from_the_defaults_however_the_list_was_made() -> None:
    watchlist = Watchlist.model_validate(
        {
            "version": 1,
            "defaults": {"max_age": "off"},
            "sources": [
                {"name": "wire", "feed": "https://wire.test/feed"},
                {"name": "weekly", "feed": "https://weekly.test/feed", "max_age": "14d"},
            ],
        }
    )
    assert watchlist.age_limit("wire") is None
    assert watchlist.age_limit("weekly") == timedelta(days=14)
    assert watchlist.age_limit("replayed outlet") is None
    assert Watchlist.model_validate({"version": 1}).age_limit("wire") == timedelta(days=3)
