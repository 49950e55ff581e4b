"""The Syria topics as watchlist YAML, for tests that run the service against local sites."""

from __future__ import annotations

from collections.abc import Sequence


def topics_yaml(caesar_notify: Sequence[str] = ("desk",)) -> str:
    """The `topics:` section: the four corpus topics, notifying `desk` (and Caesar Act also
    the channels given)."""
    caesar = ", ".join(caesar_notify)
    return f"""
topics:
  - name: caesar-act
    title: Caesar Act
    any: ["قانون قيصر", "عقوبات قيصر", "قيصر", "Caesar Act", "Caesar"]
    none: ["مسلسل", "مسرحية", "يوليوس", "مطعم"]
    notify: [{caesar}]
  - name: sdf-prisons
    all:
      - ["قسد", "قوات سوريا الديمقراطية", "SDF"]
      - ["سجن", "سجون", "الشدادي", "prison"]
    notify: [desk]
  - name: coalition
    all:
      - ["التحالف الدولي", "coalition"]
      - ["داعش", "تنظيم الدولة", "ISIS"]
    notify: [desk]
  - name: israel-talks
    all:
      - ["إسرائيل", "الإسرائيلية", "Israel"]
      - ["سوريا", "السورية", "Syria"]
      - ["محادثات", "مفاوضات", "talks"]
    notify: [desk]
"""
