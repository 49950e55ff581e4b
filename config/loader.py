"""Loading watchlist files: YAML with positions, `${VAR}`, validation, cross-checks.

Every mistake in every file is collected and reported at once as `file:line:col: message`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from config.interpolate import interpolate
from config.positions import Where, locate
from config.schema import Watchlist
from tracker.errors import ConfigError, ConfigProblem

DEFAULT_CONFIG = Path("config/watchlist.yaml")
_YAML_SUFFIXES = (".yaml", ".yml")
_QUOTED_VALUE = re.compile(r" with value .*$")


def default_config_paths(explicit: str | os.PathLike[str] | None = None) -> list[Path]:
    """`--config PATH`, else `$TRACKER_CONFIG`, else config/watchlist.yaml.

    A directory stands for every *.yaml file in it, in name order.
    """
    chosen = Path(explicit or os.environ.get("TRACKER_CONFIG") or DEFAULT_CONFIG)
    if chosen.is_dir():
        found = sorted(p for p in chosen.iterdir() if p.suffix in _YAML_SUFFIXES)
        if not found:
            raise ConfigError([ConfigProblem(str(chosen), 0, 0, "no watchlist files (*.yaml)")])
        return found
    return [chosen]


@dataclass
class _File:
    """One parsed file: its ruamel tree (for positions) and the validated watchlist."""

    path: Path
    tree: Any
    watchlist: Watchlist | None = None
    problems: list[ConfigProblem] = field(default_factory=list)

    def problem(self, path: Sequence[str | int], message: str, where: Where = "value") -> None:
        line, column = locate(self.tree, path, where)
        self.problems.append(ConfigProblem(str(self.path), line, column, message))


def load_watchlist(paths: Sequence[Path], environ: Mapping[str, str] | None = None) -> Watchlist:
    """Load and merge watchlist files; raise ConfigError listing every mistake."""
    environ = os.environ if environ is None else environ
    if not paths:
        raise ConfigError([ConfigProblem("config", 0, 0, "no watchlist files (*.yaml) found")])
    files = [_load_file(path, environ) for path in paths]
    problems = [p for f in files for p in f.problems]
    if problems:
        raise ConfigError(problems)
    merged = _merge(files)
    problems = [p for f in files for p in f.problems]
    if problems:
        raise ConfigError(problems)
    return merged


def _load_file(path: Path, environ: Mapping[str, str]) -> _File:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = " (copy config/watchlist.yaml from the repository to start)" if path.name else ""
        return _File(path, None, problems=[ConfigProblem(str(path), 0, 0, f"no such file{hint}")])
    except (OSError, UnicodeDecodeError) as exc:
        return _File(path, None, problems=[ConfigProblem(str(path), 0, 0, f"cannot read: {exc}")])
    try:
        tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        # ruamel quotes both values of a duplicate key: they may be channel URLs with tokens.
        message = _QUOTED_VALUE.sub("", message)
        return _File(path, None, problems=[ConfigProblem(str(path), line, column, message)])

    loaded = _File(path, tree)
    if not isinstance(tree, dict):
        loaded.problem((), "a watchlist is a mapping with version, channels, sources and topics")
        return loaded
    unset: list[tuple[str | int, ...]] = []

    def missing(at: tuple[str | int, ...], name: str) -> None:
        unset.append(at)
        loaded.problem(at, f"environment variable {name} is not set")

    data = interpolate(tree, environ, missing)
    try:
        watchlist = Watchlist.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            # A value still holding an unset ${VAR} was already reported.
            if not any(tuple(error["loc"])[: len(at)] == at for at in unset):
                _report(loaded, error)
        return loaded
    if loaded.problems:
        return loaded
    # Each file's defaults apply to its own sources.
    loaded.watchlist = watchlist.model_copy(
        update={
            "sources": [
                s.model_copy(
                    update={
                        "every": s.every or watchlist.defaults.every,
                        "robots": watchlist.defaults.robots if s.robots is None else s.robots,
                        "max_age": watchlist.defaults.max_age if s.max_age is None else s.max_age,
                    }
                )
                for s in watchlist.sources
            ]
        }
    )
    return loaded


def _report(loaded: _File, error: ErrorDetails) -> None:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        message = f"unknown key {key!r}"
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
        elif allowed:
            message += f" (expected one of: {', '.join(allowed)})"
        loaded.problem(loc, message, where="key")
        return
    if kind == "missing":
        loaded.problem(loc[:-1], f"missing required key {loc[-1]!r}")
        return
    field_name = next((str(s) for s in reversed(loc) if isinstance(s, str) and "[" not in s), "")
    if kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
    elif kind == "too_short":
        message = f"{field_name}: must not be empty"
    elif kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        message = f"{field_name}: {error['input']!r} is not allowed (expected {expected})"
    else:
        message = f"{field_name}: {error['msg']}" if field_name else error["msg"]
    loaded.problem(loc, message)


def _allowed_keys(loc: Sequence[str | int]) -> list[str]:
    """The keys the schema accepts at `loc`, for 'did you mean' hints."""
    node: Any = Watchlist
    for step in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            info = next((f for n, f in node.model_fields.items() if (f.alias or n) == step), None)
            if info is None:
                return []
            node = info.annotation
        elif get_origin(node) in (list, dict):
            node = get_args(node)[-1]  # this step is a list index or a mapping key
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [info.alias or name for name, info in node.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """`X | None` and `Annotated[X, ...]` stand for X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _set_in_one_file(files: list[_File], key: str) -> Any:
    """A top-level key that one watchlist file at most sets: its value (the last given),
    each further file that sets it told so."""
    found = None
    for loaded in files:
        assert loaded.watchlist is not None
        if (value := getattr(loaded.watchlist, key)) is None:
            continue
        if found is not None:
            loaded.problem((key,), f"'{key}' is already set in another watchlist file")
        found = value
    return found


def _merge(files: list[_File]) -> Watchlist:
    """One watchlist from all files; names must be unique across them."""
    first: dict[tuple[str, str], str] = {}

    def unique(loaded: _File, kind: str, name: str, path: tuple[str | int, ...]) -> None:
        line, column = locate(loaded.tree, path)
        here = f"{loaded.path}:{line}:{column}"
        if (kind, name) in first:
            where = first[kind, name]
            loaded.problem(path, f"duplicate {kind} name {name!r} (first defined at {where})")
        else:
            first[kind, name] = here

    channels: dict[str, Any] = {}
    for loaded in files:
        assert loaded.watchlist is not None
        for name, channel in loaded.watchlist.channels.items():
            unique(loaded, "channel", name, ("channels", name))
            channels.setdefault(name, channel)
        for i, source in enumerate(loaded.watchlist.sources):
            unique(loaded, "source", source.name, ("sources", i, "name"))
        for i, topic in enumerate(loaded.watchlist.topics):
            unique(loaded, "topic", topic.name, ("topics", i, "name"))

    for loaded in files:
        assert loaded.watchlist is not None
        for i, topic in enumerate(loaded.watchlist.topics):
            for j, channel_name in enumerate(topic.notify):
                if channel_name not in channels:
                    known = ", ".join(channels) or "none are defined"
                    close = difflib.get_close_matches(channel_name, list(channels), n=1)
                    hint = f"did you mean {close[0]!r}?" if close else f"channels: {known}"
                    loaded.problem(
                        ("topics", i, "notify", j),
                        f"topic {topic.name!r} notifies {channel_name!r}, "
                        f"which is not a defined channel ({hint})",
                    )

    ops = None
    for loaded in files:
        assert loaded.watchlist is not None
        if (candidate := loaded.watchlist.ops) is None:
            continue
        if ops is not None:
            loaded.problem(("ops",), "'ops' is already set in another watchlist file")
        elif candidate.channel not in channels:
            loaded.problem(
                ("ops", "channel"),
                f"ops channel {candidate.channel!r} is not a defined channel",
            )
        ops = candidate

    http = _set_in_one_file(files, "http")
    retention = _set_in_one_file(files, "retention")
    base = files[0].watchlist
    assert base is not None
    return base.model_copy(
        update={
            "channels": channels,
            "sources": [s for f in files if f.watchlist for s in f.watchlist.sources],
            "topics": [t for f in files if f.watchlist for t in f.watchlist.topics],
            "ops": ops,
            "http": http,
            "retention": retention,
        }
    )
