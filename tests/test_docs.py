"""The README is a contract: its examples work and it documents every command and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import load_watchlist
from config.schema import ArticleHints, Channel, Defaults, Ops, Source, Topic, Watchlist
from tracker.cli import COMMANDS

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make run", "make test"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"`tracker {command}" in README


@pytest.mark.parametrize(
    "key",
    sorted(
        {
            f.alias or name
            for model in (Watchlist, Defaults, Channel, Source, Topic, Ops, ArticleHints)
            for name, f in model.model_fields.items()
        }
    ),
)
def test_every_watchlist_key_is_documented(key: str) -> None:
    assert re.search(rf"\b{re.escape(key)}:", README), f"README does not show the key {key!r}"


def test_the_readme_watchlist_example_is_valid(tmp_path: Path) -> None:
    example = next(
        block
        for block in re.findall(r"```yaml\n(.*?)```", README, re.S)
        if block.startswith("version: 1")
    )
    path = tmp_path / "watchlist.yaml"
    path.write_text(example, encoding="utf-8")
    environ = {"TG_BOT_TOKEN": "123456789:AAHbotTokenFromBotFather", "TG_CHAT_ID": "-100123"}
    watchlist = load_watchlist([path], environ)
    assert [s.kind for s in watchlist.sources] == ["feed", "sitemap", "page"]
    assert not watchlist.channels["desk-mail"].enabled
