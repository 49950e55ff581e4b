"""The "when" of a news lead: a day's name, today or yesterday, or a date."""

from __future__ import annotations

import pytest

from tracker.text.calendar_words import says_when
from tracker.text.normalise import normalize


@pytest.mark.parametrize(
    "lead",
    [
        "Hezbollah said on Wednesday it would treat the decision as non-existent.",
        "BEIRUT, Nov 23 (Global Wire) - Israel struck the southern suburbs.",
        "أعلنت الرئاسة السورية، السبت، وقفاً شاملاً لإطلاق النار.",
        "دخلت صباح اليوم الإثنين أول قافلة مساعدات إلى السويداء.",
        "نعى حزب الله مساء أمس القائد هيثم علي الطبطبائي.",
        "أعلنت المفوضية في 12 تشرين الثاني النتائج الأولية.",
        "L'OMS a dénoncé hier la mort de plus de 460 patients.",
        "İsrail ordusu bugün Beyrut'un güneyini vurdu.",
        "A drone struck Port Sudan airport last night, the army said.",
        "In a statement dated 13/10/2025, the ministry confirmed the toll.",
        "أعلنت المفوضية في 12 من كانون الثاني النتائج النهائية.",
    ],
)
def test_a_news_lead_says_when(lead: str) -> None:
    assert says_when(normalize(lead).split())


@pytest.mark.parametrize(
    "lead",
    [
        "Three months after the guns largely fell silent in Gaza, phase two begins on paper.",
        "حقق رئيس الوزراء العراقي ما أراده من الانتخابات: تصدر قائمته النتائج الأولية.",
        "بعد ثلاثة أيام على إعلان النتائج، لا يبدو أن أحداً ينتظر موعداً قريباً.",
        "The first phase delivered most of what it promised, in 12 weeks.",
        "المرحلة الأولى من الخطة في الجنوب، والثانية بين النهرين.",
        "ظهر القائد في فيديو يتوعد باستعادة المدينة.",  # ظهر: "appeared", not noon
    ],
)
def test_an_analysis_or_feature_names_no_day(lead: str) -> None:
    assert not says_when(normalize(lead).split())
