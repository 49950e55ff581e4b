"""The watchlist as a JSON Schema, for editors that complete and check keys as one types.

Generated from the pydantic models, then widened to accept what the loader accepts but a
schema cannot see: `${VAR}` in any value (interpolated before validation), including where
a pattern, a boolean or a number is expected. The shipped copy, watchlist.schema.json, is
compared with a fresh one by a test, so it cannot drift from the models.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from config.intervals import format_interval
from config.schema import Watchlist

SHIPPED_SCHEMA = Path(__file__).with_name("watchlist.schema.json")
REGENERATE = "tracker schema --output config/watchlist.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A `${VAR}` or `${VAR:-default}` reference, as config/interpolate.py reads it.
_REFERENCE = r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}"


class _WatchlistSchema(GenerateJsonSchema):
    def encode_default(self, dft: Any) -> Any:
        # Defaults as a user writes them ("15m"), not pydantic's ISO durations ("PT15M"),
        # which the watchlist would refuse if an editor inserted them.
        return _as_written(dft)


def _as_written(value: Any) -> Any:
    if isinstance(value, BaseModel):
        fields = type(value).model_fields.items()
        return {info.alias or name: _as_written(getattr(value, name)) for name, info in fields}
    if isinstance(value, timedelta):
        return format_interval(value)
    if isinstance(value, list | tuple):
        return [_as_written(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    return value


def _with_references(node: Any, *, is_key: bool = False) -> Any:
    """A copy of `node` where each checked scalar also takes a `${VAR}` reference (mapping
    keys are never interpolated, so a `propertyNames` pattern stays as it is)."""
    if isinstance(node, list):
        return [_with_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    widened = {
        key: _with_references(value, is_key=key == "propertyNames" or is_key)
        if key != "patternProperties"
        else {pattern: _with_references(v) for pattern, v in value.items()}
        for key, value in node.items()
    }
    if is_key or "const" in node or "enum" in node:
        return widened
    if node.get("type") == "string" and "pattern" in node:
        widened["pattern"] = f"{node['pattern']}|{_REFERENCE}"
    elif node.get("type") in ("boolean", "integer", "number"):
        # Lax validation reads "true" or "5", which is what a reference becomes.
        keep = {k: widened.pop(k) for k in ("default", "title", "description") if k in widened}
        widened = {"anyOf": [widened, {"type": "string", "pattern": _REFERENCE}], **keep}
    return widened


def watchlist_schema() -> dict[str, Any]:
    """The JSON Schema of one watchlist file."""
    generated = Watchlist.model_json_schema(schema_generator=_WatchlistSchema)
    schema: dict[str, Any] = _with_references(generated)
    schema["title"] = "news tracker watchlist"
    schema["description"] = "A watchlist file of the news tracker (`tracker check` validates it)."
    return {"$schema": DIALECT, **schema}


def render_schema() -> str:
    """The schema as the shipped file holds it: stable key order, a final newline."""
    return json.dumps(watchlist_schema(), indent=2, ensure_ascii=False) + "\n"
