"""Finding where a path such as ('sources', 2, 'feed') sits in a ruamel.yaml tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq

Where = Literal["value", "key"]


def locate(tree: Any, path: Sequence[str | int], where: Where = "value") -> tuple[int, int]:
    """1-based (line, column) of the deepest node on `path` that exists in `tree`.

    `where="key"` points at a mapping key itself (for unknown keys); paths that leave the
    tree (pydantic adds union tags, missing keys) stop at the last node that exists.
    """
    position = (0, 0)
    node = tree
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, CommentedMap) and step in node:
            position = node.lc.key(step) if (last and where == "key") else node.lc.value(step)
            node = node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
            position = node.lc.item(step)
            node = node[step]
        else:
            break
    else:
        return position[0] + 1, position[1] + 1
    if position == (0, 0) and hasattr(node, "lc"):
        position = (node.lc.line, node.lc.col)
    return position[0] + 1, position[1] + 1
