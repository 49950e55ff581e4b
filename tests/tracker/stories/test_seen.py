"""A story's words and figures are known from when they were first published."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tracker.stories.seen import FirstSeen

T0 = datetime(2025, 11, 10, 12, 0, tzinfo=UTC)


def test_an_item_is_known_from_its_earliest_publication_whatever_the_order_it_came_in() -> None:
    seen: FirstSeen[int] = FirstSeen(limit=10)
    seen.add([460], T0 + timedelta(hours=5))
    seen.add([460, 12], T0)  # an earlier article, found later

    assert seen.known_at(T0) == {460, 12}
    assert seen.known_at(T0 - timedelta(minutes=1)) == set()


def test_it_round_trips_through_json_grouped_by_time() -> None:
    seen: FirstSeen[int] = FirstSeen(limit=10)
    seen.add([3, 1], T0)
    seen.add([2], T0 + timedelta(hours=1))

    data = json.loads(json.dumps(seen.to_json()))
    again = FirstSeen.from_json(data, 10, int)

    assert len(data) == 2
    assert again.known_at(T0) == {1, 3}
    assert again.known_at(T0 + timedelta(hours=1)) == {1, 2, 3}


def test_a_list_from_before_times_were_kept_is_known_from_the_start() -> None:
    old = FirstSeen.from_json(["w:قيصر", "w:مجلس"], 10, str)
    assert old.known_at(datetime(2000, 1, 1, tzinfo=UTC)) == {"w:قيصر", "w:مجلس"}


def test_the_earliest_items_are_kept_up_to_the_limit() -> None:
    seen: FirstSeen[str] = FirstSeen(limit=2)
    seen.add(["a", "b"], T0)
    seen.add(["c"], T0)
    assert len(seen) == 2 and "c" not in seen
