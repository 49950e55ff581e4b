"""`${VAR}` and `${VAR:-default}` in watchlist strings, taken from the environment."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_REFERENCE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

Path = tuple[str | int, ...]


def interpolate(
    node: Any,
    environ: Mapping[str, str],
    on_missing: Callable[[Path, str], None],
    path: Path = (),
) -> Any:
    """A plain copy of `node` with references replaced; `$$` escapes a dollar sign.

    A reference to an unset variable with no default is reported through `on_missing`
    (with the path of the string) and left as written.
    """
    if isinstance(node, dict):
        return {k: interpolate(v, environ, on_missing, (*path, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, environ, on_missing, (*path, i)) for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        on_missing(path, name)
        return match.group(0)

    return _REFERENCE.sub(replace, str(node))
