"""Scoring a replay of the labelled corpus: decisions per kind, alerts, story grouping."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

EXPECTED_DECISION = {
    "original": "new_story",
    "unrelated": "new_story",
    "development": "development",
    "copy": "duplicate",
    "near_copy": "near_duplicate",
    "rewrite": "coverage",
}


@dataclass
class CorpusScore:
    alert_precision: float
    alert_recall: float
    story_precision: float
    story_recall: float
    story_f1: float
    wrong: dict[str, list[str]] = field(default_factory=dict)  # kind -> record ids

    def __str__(self) -> str:
        misses = "; ".join(f"{k}: {', '.join(v)}" for k, v in self.wrong.items() if v)
        return (
            f"alerts P={self.alert_precision:.3f} R={self.alert_recall:.3f}; stories "
            f"P={self.story_precision:.3f} R={self.story_recall:.3f} F1={self.story_f1:.3f}"
            + (f"; wrong decisions: {misses}" if misses else "")
        )


def score(records: list[dict[str, Any]], decisions: dict[str, dict[str, Any]]) -> CorpusScore:
    alerted = {i for i, d in decisions.items() if d["alert"]}
    expected = {r["id"] for r in records if r["expected_alert"]}
    tp = len(alerted & expected)
    wrong: dict[str, list[str]] = {}
    for r in records:
        if decisions[r["id"]]["decision"] != EXPECTED_DECISION[r["kind"]]:
            wrong.setdefault(r["kind"], []).append(r["id"])
    same = got = both = 0
    for a, b in itertools.combinations(records, 2):
        labelled = a["story"] == b["story"]
        grouped = decisions[a["id"]]["story"] == decisions[b["id"]]["story"]
        same += labelled
        got += grouped
        both += labelled and grouped
    precision = both / got if got else 0.0
    recall = both / same if same else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CorpusScore(
        alert_precision=tp / len(alerted) if alerted else 0.0,
        alert_recall=tp / len(expected) if expected else 1.0,
        story_precision=precision,
        story_recall=recall,
        story_f1=f1,
        wrong=wrong,
    )
