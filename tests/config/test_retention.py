"""The watchlist's `retention:` key: how long article bodies are kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config import ConfigError, load_watchlist
from config.schema import DEFAULT_RETENTION


def load(tmp_path: Path, *texts: str):
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"{i}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return load_watchlist(paths, environ={})


def test_without_the_key_bodies_are_kept_ninety_days(tmp_path: Path) -> None:
    assert load(tmp_path, "version: 1\n").retention_limit == DEFAULT_RETENTION
    assert DEFAULT_RETENTION.days == 90


@pytest.mark.parametrize(
    ("value", "limit"),
    [
        ("90d", timedelta(days=90)),
        ("30d", timedelta(days=30)),
        ("1d", timedelta(days=1)),
        ("24h", timedelta(days=1)),
        ("2d12h", timedelta(days=2, hours=12)),
        ("off", None),  # YAML 1.1 reads a bare off as false
        ('"off"', None),
        ("OFF", None),
    ],
)
def test_valid_values(tmp_path: Path, value: str, limit: timedelta | None) -> None:
    assert load(tmp_path, f"version: 1\nretention: {value}\n").retention_limit == limit


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3m", "retention '3m' is shorter than a day (m means minutes): write days, such as 90d"),
        ("23h", "retention '23h' is shorter than a day: write days, such as 90d"),
        ("90", "retention 90 has no unit: write 90d for 90 days"),
        ("2w", "invalid retention '2w': write a number of days such as 90d"),
        ("true", "invalid retention True: write a number of days such as 90d"),
        ('""', "invalid retention '': write a number of days such as 90d"),
        ("[90d]", "invalid retention ['90d']: write a number of days such as 90d"),
    ],
)
def test_invalid_values_are_reported_at_their_place(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, f"version: 1\nretention: {value}\n")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 12)
    assert problem.message.startswith(message)
    assert "off" in problem.message or "day" in problem.message


def test_one_file_of_a_folder_sets_it_and_only_one(tmp_path: Path) -> None:
    merged = load(tmp_path, "version: 1\n", "version: 1\nretention: 30d\n")
    assert merged.retention_limit == timedelta(days=30)

    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "version: 1\nretention: 30d\n", "version: 1\nretention: off\n")
    (problem,) = caught.value.problems
    assert problem.file.endswith("1.yaml")
    assert problem.message == "'retention' is already set in another watchlist file"


def test_the_example_watchlist_shows_the_key() -> None:
    example = Path(__file__).parents[2] / "config" / "watchlist.yaml"
    assert "# retention: 90d" in example.read_text(encoding="utf-8")
