"""Adding feed sources to a watchlist file as its author would: comments, blank lines,
quoting and line breaks stay as they are.

The file is read with ruamel's round-trip loader, for its sources and their positions, and
the new entries are rendered by it too; but they are spliced into the text rather than the
whole tree dumped again, because a dump joins every multi-line flow list (the topics'
term lists) into one long line.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from config.opml import OpmlFeed
from config.schema import check_http_url
from config.source_names import feed_key, host_name, slug, unique_name
from tracker.errors import ConfigError, ConfigProblem


@dataclass(frozen=True)
class Added:
    name: str
    url: str


@dataclass(frozen=True)
class Skipped:
    title: str
    url: str
    reason: str


@dataclass(frozen=True)
class Merge:
    added: list[Added]
    skipped: list[Skipped]


def render_entries(entries: Sequence[dict[str, str]], indent: int) -> list[str]:
    """`- name: ...` items as YAML lines, their dash at column `indent` (quoted if needed)."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096  # a long URL stays on its line
    out = io.StringIO()
    yaml.dump([dict(entry) for entry in entries], out)
    return [" " * indent + line for line in out.getvalue().splitlines()]


def add_feeds(
    path: Path, feeds: Sequence[OpmlFeed], origin: str, beside: Sequence[Path] = ()
) -> Merge:
    """Add `feeds` to the watchlist file at `path` as `- name:/feed:` sources; skip a feed
    the file, the watchlist's other files (`beside`) or the list before it already has,
    and one that is not an http(s) URL. Names are unique across all of them."""
    text = _read(path)
    tree = _load(path, text)
    sources = tree.get("sources")
    if sources is not None and not isinstance(sources, CommentedSeq):
        raise ConfigError([ConfigProblem(str(path), *_line_col(tree, "sources"), _NOT_A_LIST)])
    if sources and sources.fa.flow_style():
        message = "sources is a [flow, list]: write it as a block list (- name: ...) to import"
        raise ConfigError([ConfigProblem(str(path), *_line_col(tree, "sources"), message)])
    every = [s for s in sources or [] if isinstance(s, dict)]
    for other in beside:
        listed = _load(other, _read(other)).get("sources")
        every += [s for s in listed or [] if isinstance(s, dict)]
    known = {feed_key(u) for s in every for u in _urls(s)}
    taken = {str(s.get("name")) for s in every}
    added: list[Added] = []
    skipped: list[Skipped] = []
    for feed in feeds:
        label = feed.title or feed.url
        try:
            url = check_http_url(feed.url)
        except ValueError:
            skipped.append(Skipped(label, feed.url, "not an http(s) URL"))
            continue
        if feed_key(url) in known:
            skipped.append(Skipped(label, url, "already in the watchlist"))
            continue
        name = unique_name(slug(feed.title or "") or host_name(url), taken)
        known.add(feed_key(url))
        taken.add(name)
        added.append(Added(name, url))
    if added:
        lines = text.splitlines()
        at, indent = _insertion(tree, sources, lines)
        entries = render_entries([{"name": a.name, "feed": a.url} for a in added], indent)
        lines[at:at] = [" " * indent + f"# Imported from {origin}", *entries]
        _write(path, "\n".join(lines) + "\n")
    return Merge(added, skipped)


_NOT_A_LIST = "'sources' is not a list of sources: nothing can be imported into it"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(str(path), 0, 0, f"cannot read: {exc}")]) from None


def _load(path: Path, text: str) -> CommentedMap:
    try:
        tree = YAML(typ="rt").load(text)
    except YAMLError as exc:
        message = f"not valid YAML ({' '.join(str(exc).split())}); run tracker check"
        raise ConfigError([ConfigProblem(str(path), 0, 0, message)]) from None
    if tree is None:
        tree = CommentedMap()  # an empty file: the sources go in it
    if not isinstance(tree, CommentedMap):
        raise ConfigError([ConfigProblem(str(path), 1, 1, "a watchlist is a mapping")])
    return tree


def _urls(source: dict[str, Any]) -> list[str]:
    return [str(source[k]) for k in ("feed", "sitemap", "page") if source.get(k)]


def _line_col(tree: CommentedMap, key: str) -> tuple[int, int]:
    line, column = tree.lc.key(key)
    return line + 1, column + 1


def _insertion(
    tree: CommentedMap, sources: CommentedSeq | None, lines: list[str]
) -> tuple[int, int]:
    """Where the new items go (a line index) and at which column their dash sits, turning
    `sources: []` or a missing key into a block list first."""
    if sources is None or not sources:
        if "sources" not in tree:
            lines.extend(["", "sources:"])
            return len(lines), 2
        row = tree.lc.key("sources")[0]
        key, _, rest = lines[row].partition(":")
        comment = rest.strip().removeprefix("[]").strip()  # `sources: []  # none yet`
        lines[row] = f"{key}:" + (f"  {comment}" if comment.startswith("#") else "")
        return row + 1, len(key) - len(key.lstrip()) + 2
    first_row = sources.lc.item(0)[0]
    dash = lines[first_row].index("-")
    keys = list(tree)
    after = keys.index("sources") + 1
    end = tree.lc.key(keys[after])[0] if after < len(keys) else len(lines)
    # The last source ends at its last line of content: comments and blank lines before
    # the next key introduce what follows (a commented-out example, the topics).
    while end > first_row and (not lines[end - 1].strip() or _comment(lines[end - 1])):
        end -= 1
    return end, dash


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _write(path: Path, text: str) -> None:
    """Replace the file in one step: the running service reloads it on change and must
    never read half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", text=True)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).chmod(path.stat().st_mode & 0o7777)  # not mkstemp's 0600
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
