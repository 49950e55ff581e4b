"""Why an article was placed where it is, in words, from the reason stored with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage import Article


def why_of(article: Article, outlets: Mapping[int, str] | None = None) -> str:
    """The stored reason of a decision, with what was new and how close the story was;
    `outlets` (by article id) names the outlet of the original a copy repeats."""
    why = article.novelty or {}
    if article.dup_of_id:
        original = f"#{article.dup_of_id}"
        if outlets and article.dup_of_id in outlets:
            original += f" ({outlets[article.dup_of_id]})"
        if article.decision == "near_duplicate":
            shared = why.get("jaccard")
            return f"near-copy of {original}" + (f", {shared:.0%} shared" if shared else "")
        return f"copy of {original}"
    parts = [str(why.get("reason", "")) or _reason_before_events(article.decision, why)]
    if (share := why.get("new_word_share")) is not None and article.decision != "new_story":
        parts.append(f"{share:.0%} new wording")
    if (similarity := why.get("story_similarity")) is not None:
        parts.append(f"similarity {similarity:.2f}")
    if why.get("too_old"):
        parts.append("found too long after it was published to alert")
    return "; ".join(p for p in parts if p)


def _reason_before_events(decision: str, why: dict[str, Any]) -> str:
    """Articles stored before events kept the numbers and wording they added, not a reason."""
    if decision == "new_story":
        return "a new story"
    numbers = ", ".join(str(n) for n in why.get("new_numbers") or [])
    if decision == "development":
        return f"new numbers: {numbers}" if numbers else "new wording"
    return "more coverage of the story" if decision == "coverage" else ""
