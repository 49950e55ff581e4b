"""The watchlist's JSON Schema: shipped, in step with the models, and as strict and as
lenient as the loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from ruamel.yaml import YAML

from config import ConfigError, load_watchlist
from config.json_schema import REGENERATE, SHIPPED_SCHEMA, render_schema
from tracker.cli import main

ROOT = Path(__file__).parents[2]
EXAMPLES = [ROOT / "config/watchlist.yaml", ROOT / "tests/data/corpus-watchlist.yaml"]


def _validator() -> Draft202012Validator:
    schema = json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(text: str) -> list[tuple[str, str]]:
    """Each mistake the schema finds, as (where, what): inside an `anyOf` (a value that
    may also be null or a ${VAR}), the branch an editor would underline."""
    document = YAML(typ="safe").load(text)
    found = [best_match([error]) for error in _validator().iter_errors(document)]
    return [("/".join(map(str, error.absolute_path)), error.message) for error in found]


def test_the_shipped_schema_is_the_one_the_models_give() -> None:
    shipped = SHIPPED_SCHEMA.read_text(encoding="utf-8")
    assert shipped == render_schema(), (
        f"{SHIPPED_SCHEMA.name} is out of date with config/schema.py: run `{REGENERATE}`"
    )


def test_the_command_writes_the_shipped_schema(tmp_path, capsys) -> None:
    output = tmp_path / "schema.json"
    assert main(["schema", "--output", str(output)]) == 0
    assert f"wrote the watchlist's JSON Schema to {output}" in capsys.readouterr().out
    assert output.read_text(encoding="utf-8") == SHIPPED_SCHEMA.read_text(encoding="utf-8")
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "news tracker watchlist"


def test_the_example_watchlist_points_editors_at_the_schema() -> None:
    first = EXAMPLES[0].read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./watchlist.schema.json"
    assert (EXAMPLES[0].parent / "watchlist.schema.json").is_file()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_schema_accepts_the_example_watchlists(path: Path) -> None:
    assert _errors(path.read_text(encoding="utf-8")) == []


# What the loader accepts and a naive schema would not: references to the environment
# where a pattern, a boolean or a number is checked, channel shorthand, off, numbers as terms.
LENIENT = """\
version: 1
defaults: {every: "${POLL_EVERY:-10m}", robots: "${RESPECT_ROBOTS:-false}", max_age: off}
retention: 30d
channels:
  newsroom: "${TRACKER_CHAT_URL:-}"
  desk-mail: {url: "", digest: "daily 08:00", timezone: Asia/Damascus}
ops: {channel: newsroom, down_after: "${DOWN_AFTER:-5}"}
sources:
  - {name: a, feed: "https://a.example/feed", every: 90s, max_age: "${MAX_AGE:-2d}"}
topics:
  - {name: budget-2026, any: [2026, "قانون قيصر"], in: [title], notify: [newsroom]}
"""


def test_the_schema_accepts_what_the_loader_accepts(tmp_path) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text(LENIENT, encoding="utf-8")
    load_watchlist([path], environ={})  # the loader takes it ...
    assert _errors(LENIENT) == []  # ... and so does the schema


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (('feed: "https', 'fed: "https'), "sources/0", "'fed'"),
        (("every: 90s", "every: 15 minutes"), "sources/0/every", "'15 minutes'"),
        (("in: [title]", "in: [headline]"), "topics/0/in/0", "'headline'"),
        (('down_after: "${DOWN_AFTER:-5}"', "down_after: many"), "ops/down_after", "'many'"),
        (("retention: 30d", "retension: 90d"), "", "'retension'"),
    ],
    ids=["typo-key", "interval", "literal", "integer", "top-level-typo"],
)
def test_the_schema_rejects_a_mistake_and_points_at_the_key(tmp_path, change, where, what):
    old, new = change
    bad = LENIENT.replace(old, new)
    assert bad != LENIENT
    path = tmp_path / "watchlist.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"watchlist\.yaml:"):
        load_watchlist([path], environ={})  # the loader refuses it too
    errors = _errors(bad)
    assert [w for w, _ in errors] == [where], errors
    assert what in errors[0][1]
