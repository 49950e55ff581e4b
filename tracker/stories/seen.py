"""What a story knew when: words and figures with the time they were first published.

Articles arrive out of order, so "new to the story" is asked at an article's own
publication time: a figure a later article stated is not known to an earlier one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Hashable)

ALWAYS = 0  # stories stored before times were kept: what they knew, they knew from the start


class FirstSeen(Generic[T]):
    def __init__(self, limit: int, first: dict[T, int] | None = None) -> None:
        self.limit = limit  # items kept; the earliest stay
        self._first: dict[T, int] = first or {}

    def add(self, items: Iterable[T], at: datetime) -> None:
        when = int(at.timestamp())
        for item in items:
            known = self._first.get(item)
            if known is None:
                if len(self._first) < self.limit:
                    self._first[item] = when
            elif when < known:
                self._first[item] = when

    def known_at(self, at: datetime) -> set[T]:
        """The items published at or before `at`."""
        when = int(at.timestamp())
        return {item for item, first in self._first.items() if first <= when}

    def __len__(self) -> int:
        return len(self._first)

    def __contains__(self, item: object) -> bool:
        return item in self._first

    def to_json(self) -> dict[str, list[Any]]:
        """Grouped by time: a story has few publication times and many items."""
        grouped: dict[str, list[Any]] = {}
        for item, first in self._first.items():
            grouped.setdefault(str(first), []).append(item)
        return {when: sorted(items) for when, items in sorted(grouped.items())}

    @classmethod
    def from_json(
        cls, data: dict[str, list[Any]] | list[Any] | None, limit: int, read: Callable[[Any], T]
    ) -> FirstSeen[T]:
        if isinstance(data, list):  # a story stored before times were kept
            return cls(limit, {read(item): ALWAYS for item in data})
        first = {read(item): int(when) for when, items in (data or {}).items() for item in items}
        return cls(limit, first)
