from __future__ import annotations

from alerts import AlertPayload, TopicLine, render_html, render_markdown, render_title

PAYLOAD = AlertPayload(
    event="new_story",
    topics=[TopicLine("caesar-act", "Caesar Act", ["قانون قيصر", "Caesar Act"])],
    title="واشنطن تعلق عقوبات قانون قيصر <b>180</b> يوماً",
    outlet="sham-post",
    url="https://sham-post.test/2025/11/11/x?a=1&b=2",
    published="2025-11-10T23:15:00+00:00",
    lead="أعلنت وزارة الخزانة الأمريكية تعليق العقوبات <script>alert(1)</script>",
    lang="ar",
    also=["wire-ar", "aggregator-7"],
)


def test_title_names_the_event_the_topic_and_the_article() -> None:
    assert render_title(PAYLOAD) == f"New story · Caesar Act: {PAYLOAD.title}"


def test_markdown_carries_outlet_time_lead_link_terms_and_other_outlets() -> None:
    text = render_markdown(PAYLOAD)
    assert "sham-post · 10 Nov 2025 23:15 UTC" in text
    assert "أعلنت وزارة الخزانة الأمريكية" in text
    assert PAYLOAD.url in text.splitlines()
    assert "matched: قانون قيصر, Caesar Act" in text
    assert "also: wire-ar, aggregator-7" in text
    # Markup in article text cannot turn into formatting.
    assert "\\<b\\>180\\</b\\>" in text


def test_html_escapes_article_text_and_sets_right_to_left_for_arabic() -> None:
    body = render_html(PAYLOAD)
    assert "<script>" not in body
    assert "&lt;script&gt;" in body
    assert body.startswith('<div dir="rtl" lang="ar"')
    assert '<span dir="rtl" lang="ar">قانون قيصر</span>, Caesar Act' in body
    assert 'href="https://sham-post.test/2025/11/11/x?a=1&amp;b=2"' in body


def test_english_articles_are_left_to_right() -> None:
    english = AlertPayload(
        event="development",
        topics=[],
        title="Trump signs the bill",
        outlet="capital-times",
        url="https://c.test/a",
        published=None,
        lead="The repeal is law.",
        new_facts=["signed on 18 December"],
    )
    assert 'dir="rtl"' not in render_html(english)
    assert render_title(english) == "Development: Trump signs the bill"
    assert "- signed on 18 December" in render_markdown(english)
    assert "time unknown" in render_markdown(english)


def test_payload_survives_the_json_round_trip_of_the_outbox() -> None:
    assert AlertPayload.from_json(PAYLOAD.to_json()) == PAYLOAD
