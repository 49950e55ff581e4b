"""The rules that open an event or join one, on one story at a time (place())."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tracker.articles.incoming import IncomingArticle
from tracker.stories.article import ArticleText
from tracker.stories.events import EventState, place

T0 = datetime(2025, 10, 26, 12, 0, tzinfo=UTC)
LEAD = (
    "Rapid Support Forces took full control of El Fasher on Sunday after an 18-month siege, "
    "the last army stronghold in Darfur, residents and aid groups said."
)
COUNTS = {"en": 40, "ar": 60}


@dataclass
class Story:
    """A story as place() sees it: its events, languages and what it had stated."""

    events: list[EventState]
    langs: set[str] = field(default_factory=lambda: {"en"})
    figures: set[int] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    articles: int = 5

    def known_figures(self, at: datetime) -> set[int]:
        return self.figures

    def known_words(self, at: datetime) -> set[str]:
        return self.words


def article(title: str, text: str = LEAD, url: str = "https://wire.test/news/1") -> ArticleText:
    return ArticleText.read(IncomingArticle(url, "wire", title, text, "en", T0))


def story_of(*texts: ArticleText) -> Story:
    event = EventState(1, T0 - timedelta(hours=30), T0 - timedelta(hours=20), {"en"})
    words = {w for t in texts for w in t.features.weights}
    return Story([event], figures={v for t in texts for v in t.quantities}, words=words)


def test_a_new_figure_in_the_title_after_hours_opens_an_event() -> None:
    story = story_of(article("RSF takes El Fasher"))
    placed = place(article("UN says 460 killed in El Fasher hospital"), story, COUNTS, T0)
    assert placed.opened
    assert placed.new_figures == [460]


def test_a_title_without_figures_leaves_them_to_the_lead() -> None:
    story = story_of(article("Iraqis vote in parliamentary election"))
    story.events[0].last_at = T0 - timedelta(hours=12)  # not quiet enough for silence alone
    lead = "The electoral commission said on Tuesday that turnout reached 56 percent."

    untitled_figure = article("Turnout in Iraq's election", lead)
    titled = article("460 voted", lead)
    story.words |= {*untitled_figure.features.weights, *titled.features.weights}  # no new words

    untold = place(untitled_figure, story, COUNTS, T0)
    # A title leading with a known figure says what the article is about.
    story.figures.add(460)
    told = place(titled, story, COUNTS, T0)

    assert untold.opened and untold.new_figures == [56]
    assert not told.opened and told.new_figures == []


def test_a_story_of_one_report_has_told_too_little_to_tell_new_from_left_out() -> None:
    # A local flash of two lines, then the wire's full report hours later: its figures and
    # its words are new because the flash left them out, not because more happened.
    flash = article("Clashes in Sweida, an initial toll of ten", "Clashes broke out in Sweida.")
    wire = article(
        "Dozens killed in Sweida clashes as government forces deploy",
        "At least 37 people were killed and about 100 wounded in clashes between Druze "
        "fighters and Bedouin tribes in Sweida province, the interior ministry said on Monday.",
    )
    story = story_of(flash)
    story.events[0].last_at = T0 - timedelta(hours=12)

    story.articles = 1
    young = place(wire, story, COUNTS, T0)
    story.articles = 2
    told = place(wire, story, COUNTS, T0)

    assert not young.opened and "one report so far" in young.reason
    assert told.opened and told.new_figures == [37, 100]


def test_a_figure_in_a_title_is_news_even_after_a_single_report() -> None:
    # The preview, then the vote hours later: the count in the title is the vote.
    preview = article("House to vote on Caesar Act repeal", "The House votes on Wednesday.")
    story = story_of(preview)
    story.events[0].last_at = T0 - timedelta(hours=10)
    story.articles = 1

    placed = place(article("House passes Caesar Act repeal by 312 votes to 112"), story, COUNTS, T0)

    assert placed.opened and placed.new_figures == [112, 312]


def test_a_story_silent_in_a_language_for_a_day_is_quiet_there() -> None:
    # The Arabic wire's reports ended a day ago; an English outlet ran its translation an
    # hour ago. The next Arabic report is the first news there since.
    known = article("RSF takes El Fasher")
    story = story_of(known)
    arabic_until = T0 - timedelta(hours=20)
    story.events = [
        EventState(
            1,
            T0 - timedelta(hours=24),
            T0 - timedelta(hours=1),
            {"ar", "en"},
            spans={
                "ar": (T0 - timedelta(hours=24), arabic_until),
                "en": (T0 - timedelta(hours=3), T0 - timedelta(hours=1)),
            },
        )
    ]
    story.langs = {"ar", "en"}
    report = "قالت الأمم المتحدة، الثلاثاء، إن آلاف المدنيين فروا من الفاشر خلال يومين"
    arabic = ArticleText.read(
        IncomingArticle("https://wire.test/ar/1", "wire", "نزوح من الفاشر", report, "ar", T0)
    )
    story.words |= set(arabic.features.weights)  # nothing new in its wording

    placed = place(arabic, story, COUNTS, T0)
    story.events[0].spans["ar"] = (T0 - timedelta(hours=24), T0 - timedelta(hours=2))
    followed = place(arabic, story, COUNTS, T0)

    assert placed.opened and placed.reason == "the story was quiet in ar for 20 h"
    assert placed.quiet_hours == 1.0
    assert not followed.opened


def test_a_figure_rounded_another_way_is_the_same_fact() -> None:
    story = story_of(article("UN says 460 killed in El Fasher hospital"))
    placed = place(article("Nearly 500 killed in El Fasher hospital"), story, COUNTS, T0)
    assert placed.new_figures == []


def test_an_analysis_restates_whatever_it_says() -> None:
    story = story_of(article("RSF takes El Fasher"))
    by_title = place(article("Analysis: what 460 deaths mean for Darfur"), story, COUNTS, T0)
    by_section = place(
        article("460 deaths and Darfur", url="https://wire.test/analysis/2025/1"),
        story,
        COUNTS,
        T0,
    )
    assert not by_title.opened and by_title.restates
    assert not by_section.opened and by_section.restates


def test_an_analysis_labelled_above_its_lead_restates() -> None:
    story = story_of(article("RSF takes El Fasher"))
    labelled = article(
        "El Fasher: numbers that answer some questions",
        f"THE MONITOR\n\nAnalysis · 6 min read\n\n{LEAD}",
    )
    # A site's menu is no label, even when one of its sections is "Analysis".
    menu = article(
        "El Fasher: numbers that answer some questions",
        f"Home | News | Analysis | Opinion | Sport | Video\n\n{LEAD}",
    )

    # Nor is an outlet's name that begins like a label («رأي اليوم», "Opinion Today").
    masthead = article("El Fasher: numbers that answer some questions", f"رأي اليوم\n\n{LEAD}")

    placed, unlabelled = place(labelled, story, COUNTS, T0), place(menu, story, COUNTS, T0)

    assert not placed.opened and placed.restates
    assert unlabelled.opened and not unlabelled.restates
    assert not place(masthead, story, COUNTS, T0).restates


def test_an_untitled_article_is_judged_by_its_lead_but_its_lead_is_no_title() -> None:
    # A question in the lead is not an explainer's headline; its figure is still news.
    lead = "Who will protect civilians now? The UN said on Monday 460 were killed in El Fasher."
    untitled = article("", text=lead)
    story = story_of(article("RSF takes El Fasher"))

    placed = place(untitled, story, COUNTS, T0)

    assert untitled.title.text.startswith("Who will protect civilians now?")
    assert not placed.restates
    assert placed.opened and placed.new_figures == [460]


def test_new_detail_under_a_title_that_restates_the_event_is_coverage() -> None:
    known = article("Iraq's Coordination Framework to declare itself the largest bloc tonight")
    story = story_of(known)
    story.events = [EventState(1, T0 - timedelta(hours=5), T0 - timedelta(hours=4), {"en"})]
    fresh_lead = (
        "Leaders gathered at the residence of Nouri al-Maliki late on Monday, signing a "
        "document that names negotiators and opens consultations over the cabinet posts."
    )

    restated = place(
        article("Coordination Framework declares itself the largest bloc", fresh_lead),
        story,
        COUNTS,
        T0,
    )
    new_event = place(
        article("Maliki hosts leaders signing cabinet negotiation document", fresh_lead),
        story,
        COUNTS,
        T0,
    )

    assert restated.new_word_share is not None and restated.new_word_share >= 0.55
    assert restated.new_title_share is not None and restated.new_title_share < 0.5
    assert not restated.opened
    assert new_event.opened
    assert "of its title" in new_event.reason


def quiet_story(hours: float) -> Story:
    """A story whose one event ended `hours` before T0, nothing new in anyone's wording."""
    story = story_of(article("RSF takes El Fasher"))
    story.events[0].last_at = T0 - timedelta(hours=hours)
    return story


def test_a_late_report_leading_with_its_events_figure_retells_it() -> None:
    # "Nearly 90,000 displaced" was the event; a day on, an outlet rounds it up.
    story = quiet_story(18.5)
    story.events[0].figures = {90_000}
    story.events[0].stated = {28}
    story.figures |= {90_000, 28}  # as the story's articles stated them
    lead = "The UN said on Tuesday the number of people displaced from El Fasher kept rising."
    rounded = article("Displaced from El Fasher near 100,000", lead)
    repeated = article("Hezbollah mourns its commander; 28 wounded", lead)
    unrelated_figure = article("Aid convoy of 40 trucks reaches Tawila", lead)
    for placed in (rounded, repeated, unrelated_figure):
        story.words |= set(placed.features.weights)

    retold = place(rounded, story, COUNTS, T0)
    restated = place(repeated, story, COUNTS, T0)
    news = place(unrelated_figure, story, COUNTS, T0)
    # Days on, a figure of the event is background to whatever happened since.
    story.events[0].last_at = T0 - timedelta(days=4)
    days_later = place(repeated, story, COUNTS, T0)

    assert not retold.opened and "leads with 100000" in retold.reason
    assert not restated.opened and "leads with 28" in restated.reason
    assert news.opened and news.new_figures == [40]
    assert days_later.opened and days_later.reason == "the story was quiet for 96 h"


def test_an_article_naming_no_day_soon_after_the_story_spoke_follows_it_up() -> None:
    undated = article(
        "Gaza's phase two begins on paper",
        "Three months after the guns largely fell silent in Gaza, the second phase of the "
        "plan was declared, and the hard part starts now.",
    )
    dated = article(
        "Gaza's phase two begins on paper",
        "The second phase of the Gaza plan was declared on Wednesday, the U.S. envoy said.",
    )
    story = quiet_story(24)
    story.words |= {*undated.features.weights, *dated.features.weights}

    follow_up = place(undated, story, COUNTS, T0)
    news = place(dated, story, COUNTS, T0)
    story.events[0].last_at = T0 - timedelta(days=4)  # days of silence: news all the same
    after_days = place(undated, story, COUNTS, T0)

    assert not follow_up.opened and not follow_up.says_when
    assert follow_up.reason == "it names no day, 24 h after the story's last report"
    assert news.opened and news.reason == "the story was quiet for 24 h"
    assert after_days.opened


def test_a_language_silent_for_a_day_is_not_quiet_inside_an_event_told_elsewhere() -> None:
    # An English report found late, dated inside an event other languages were telling.
    story = story_of(article("RSF takes El Fasher"))
    story.events = [
        EventState(
            1,
            T0 - timedelta(hours=2),
            T0 + timedelta(hours=2),
            {"ar", "en"},
            spans={
                "ar": (T0 - timedelta(hours=2), T0 + timedelta(hours=2)),
                "en": (T0 + timedelta(hours=26), T0 + timedelta(hours=27)),
            },
        )
    ]
    report = article("Sudan's army withdraws from El Fasher", f"{LEAD} The army confirmed it.")
    story.words |= set(report.features.weights)

    placed = place(report, story, COUNTS, T0)

    assert placed.quiet_hours == 0 and placed.quiet_in_language_hours == 26
    assert not placed.opened


def test_an_event_keeps_its_figures_and_spans_and_reads_what_older_versions_stored() -> None:
    later = T0 + timedelta(hours=5)
    event = EventState(7, T0, T0, {"ar"})
    event.absorb(article("UN says 460 killed in El Fasher hospital", f"{LEAD} 1,500 fled."), T0)

    again = EventState.from_json(event.to_json())
    stored_before = {"id": 7, "first": T0.isoformat(), "last": later.isoformat(), "langs": ["ar"]}
    older = EventState.from_json(stored_before)

    assert again == event
    assert again.figures == {460} and again.stated == {18, 460, 1500}
    assert again.spans == {"en": (T0, T0)}
    # An event stored before spans were kept spoke each of its languages throughout.
    assert older.figures == set() and older.spans == {"ar": (T0, later)}


def test_a_lead_standing_in_for_a_missing_title_brings_no_title_figure() -> None:
    # A one-report story: its lead's figures count from the second report, titled or not.
    lead = "The UN said on Monday that 460 people were killed at the hospital in El Fasher."
    story = quiet_story(7)
    story.articles = 1

    untitled = place(article("", lead), story, COUNTS, T0)
    titled = place(article("UN: 460 killed at El Fasher hospital", lead), story, COUNTS, T0)

    assert not untitled.opened and "one report so far" in untitled.reason
    assert titled.opened and titled.new_figures == [460]
