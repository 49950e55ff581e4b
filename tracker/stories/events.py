"""Events inside a story: is an article a new happening, or more coverage of one we know?

A story is a situation (the Caesar Act repeal); an event is one happening inside it (the
House vote, the Senate vote, the signature). Real coverage of one event comes in a burst:
the wire, the outlets that copy or rewrite it, translations hours later, an analysis a day
or two after. Outlets cite other figures for the same fact, recap earlier events and wrap
their text in furniture with numbers in it. So an article opens a new event only on
evidence of a new happening:

- its title (or, when the title states none, its lead) states a figure the story has
  never stated, not even roughly (a tenth apart is one fact told two ways: "460 killed",
  "nearly 500"); figures further down are often a toll updated or a detail of the same
  happening;
- or the story had gone quiet (no article within QUIET of it, either way in time: articles
  arrive out of order), or quiet in the article's language outside any event (each
  language's outlets are a news flow of their own: translations of the latest event
  elsewhere do not fill a silence), and the article is not a translation following the
  latest event;
- or, in a language the story already speaks, most of its title and lead is new to the
  story, at least half of its title too, and the story has been quiet for a few hours (a
  rewrite of a known event restates the event in its title, whatever its lead adds).

New wording, and figures only a lead states, count once the story holds two reports: what
a second report adds to a flash or a local scoop of a few lines, the first had left out (a
figure in a title counts from the first: a vote count is the vote).

Silence, and a figure only a lead states, are weak evidence. Two kinds of late article
tell no new happening whatever they show of them:
- after a silence but within FOLLOW_UP of its event, one leading with a figure the event
  was reported with (the same, or, for a figure the event led with, rounded another way):
  the toll, the count, the result told a day on (days on, the figure is background);
- one whose title and lead name no day (no weekday, today, yesterday or date) within
  FOLLOW_UP of the story's last report: a reaction, feature or analysis. A new happening
  is dated by most of its reports, so the next dated one opens its event.

An analysis, explainer or question piece never opens an event: it restates (its title,
the section in its link or the label above its lead says what it is). Everything
else joins the event nearest in time. Each decision keeps its reason, shown in
`tracker stories --story ID` and in the alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from tracker.stories.article import ArticleText
from tracker.stories.features import LANGUAGE_BOUND
from tracker.stories.neardup import NearCopy
from tracker.text.numbers import quantities, states_known

BEFORE = timedelta(hours=12)  # an article this little before an event, found after it
MIN_FIGURE = 10  # smaller counts (4 bodies, the 6th division, 3 days) are details
QUIET = timedelta(hours=16)  # a story silent this long before an article: a new happening
WORDS_QUIET = timedelta(hours=3)  # new wording alone counts only after a pause this long
NEW_WORD_SHARE = 0.55  # of the head's words new to the story
NEW_TITLE_SHARE = 0.5  # of the title's words new to the story, beside that
FOLLOWING = timedelta(hours=24)  # a translation of the latest event comes within this
MINOR_SHARE = 0.15  # a language this rare among the open stories follows the news
MINOR_AFTER = 5  # articles the open stories need before a language counts as rare
QUOTED_SENTENCES = 2  # an alert quotes at most this many sentences
MIN_QUOTED_WORDS = 4
TOLD_BY = 2  # articles a story needs before new figures or wording alone make an event
MAX_FIGURES = 500  # figures an event keeps of its articles (JSON in the story's row)
# An article naming no day, this soon after the story's last report, follows it up (a
# reaction, a feature, an analysis); a new happening is dated by most of its reports.
FOLLOW_UP = timedelta(hours=30)
# Within hours of an event, a new figure is most often that event's toll or count updated.
FIGURE_QUIET = timedelta(hours=6)
# Analysis, explainers, questions and timelines restate what happened; outlets say so in
# the title or file them under such a section of their site.
_LABEL = r"^\W*(?:تحليل|analysis|analyse|analiz|explainer|opinion|رأي|timeline)\b"
_RESTATEMENT = re.compile(
    _LABEL + r"|تحليل\s*[|:]|[?؟]|ماذا|what next|q&a|أسئلة وأجوبة", re.IGNORECASE
)
# The same labels as a kicker: a short line above the lead ("Analysis · 6 min read"), the
# label alone or before a separator («رأي اليوم» is an outlet's name).
_KICKER = re.compile(_LABEL + r"\s*(?:$|[|:·•/—–-])", re.IGNORECASE)
KICKER_WORDS = 6
_RESTATEMENT_PATH = re.compile(
    r"(?:^|[/_-])(?:analysis|analyse|opinion|opinions|explainer|explained|timeline|qa|"
    r"what-next|what-(?:is|are|does|do)|features?|comment|column|editorial)(?:$|[/_-])",
    re.IGNORECASE,
)


@dataclass
class EventState:
    """What the story index remembers of an event."""

    event_id: int
    first_at: datetime
    last_at: datetime
    langs: set[str] = field(default_factory=set)
    alerted_topics: set[str] = field(default_factory=set)
    # The first and last article in each language (events stored before have none).
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    # The figures its articles led with, and every figure they stated: what a late
    # retelling repeats.
    figures: set[int] = field(default_factory=set)
    stated: set[int] = field(default_factory=set)

    def gap(self, at: datetime) -> timedelta:
        """How far `at` lies outside the event's span (zero inside it)."""
        return _outside(at, self.first_at, self.last_at)

    def gap_in(self, lang: str, at: datetime) -> timedelta | None:
        """How far `at` lies outside the event's articles in `lang` (None: it has none)."""
        span = self.spans.get(lang)
        return _outside(at, *span) if span else None

    def absorb(self, article: ArticleText, at: datetime) -> None:
        self.first_at, self.last_at = min(self.first_at, at), max(self.last_at, at)
        self.langs.add(article.lang)
        first, last = self.spans.get(article.lang, (at, at))
        self.spans[article.lang] = (min(first, at), max(last, at))
        for kept, found in (
            (self.figures, article.leading_quantities),
            (self.stated, article.quantities),
        ):
            kept.update(
                sorted(v for v in found if v >= MIN_FIGURE)[: max(0, MAX_FIGURES - len(kept))]
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "first": self.first_at.isoformat(),
            "last": self.last_at.isoformat(),
            "langs": sorted(self.langs),
            "alerted": sorted(self.alerted_topics),
            "spans": {lang: [a.isoformat(), b.isoformat()] for lang, (a, b) in self.spans.items()},
            "figures": sorted(self.figures),
            "stated": sorted(self.stated),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventState:
        first, last = datetime.fromisoformat(data["first"]), datetime.fromisoformat(data["last"])
        langs = set(data.get("langs", []))
        if "spans" in data:
            spans = {
                lang: (datetime.fromisoformat(a), datetime.fromisoformat(b))
                for lang, (a, b) in data["spans"].items()
            }
        else:  # stored before events kept them: each language across the whole event
            spans = dict.fromkeys(langs, (first, last))
        return cls(
            int(data["id"]),
            first,
            last,
            langs,
            set(data.get("alerted", [])),
            spans,
            {int(v) for v in data.get("figures", [])},
            {int(v) for v in data.get("stated", [])},
        )


def _outside(at: datetime, first: datetime, last: datetime) -> timedelta:
    if at < first:
        return first - at
    return max(at - last, timedelta(0))


@dataclass(frozen=True)
class Placement:
    """Where an article goes inside its story, and why."""

    opened: bool  # a new event
    event: EventState | None  # the event it joins (None when it opens one)
    reason: str
    new_figures: list[int] = field(default_factory=list)
    new_word_share: float | None = None
    new_title_share: float | None = None
    quiet_hours: float | None = None  # how long the story had been silent around it
    quiet_in_language_hours: float | None = None  # and in the article's language
    follows: bool = False  # another language's telling of the latest event
    restates: bool = False  # an analysis or explainer
    says_when: bool = True  # its title or lead names the day of what it reports

    def to_json(self) -> dict[str, Any]:
        return {
            "event": "opened" if self.opened else "joined",
            "reason": self.reason,
            "new_figures": self.new_figures,
            "new_word_share": self.new_word_share,
            "new_title_share": self.new_title_share,
            "quiet_hours": self.quiet_hours,
            "quiet_in_language_hours": self.quiet_in_language_hours,
            "follows": self.follows,
            "restates": self.restates,
            "says_when": self.says_when,
        }


class StoryView(Protocol):
    """What placing an article asks of its story (the story index's StoryState)."""

    events: list[EventState]
    langs: set[str]
    articles: int  # absorbed so far (copies are not)

    def known_figures(self, at: datetime) -> set[int]: ...

    def known_words(self, at: datetime) -> set[str]: ...


def place(
    article: ArticleText,
    story: StoryView,
    lang_counts: dict[str, int],
    at: datetime,
    update: NearCopy | None = None,
) -> Placement:
    """Open a new event or join one of the story's events (it has at least one), judging
    by what the story knew at `at`, the article's publication time. An `update` (a stored
    text grown by new figures) leads with what it added, as a title would."""
    events = story.events
    known_figures, known_words = story.known_figures(at), story.known_words(at)
    nearest = min(events, key=lambda e: (e.gap(at), -e.last_at.timestamp()))
    quiet = nearest.gap(at)
    quiet_hours = round(quiet.total_seconds() / 3600, 1)
    # Each language's outlets are a news flow of their own: a story silent in Arabic for a
    # day is quiet there, whatever translations of its latest event other languages ran.
    in_language = [g for e in events if (g := e.gap_in(article.lang, at)) is not None]
    quiet_in_language = min(in_language, default=quiet)
    language_hours = round(quiet_in_language.total_seconds() / 3600, 1)
    added = {int(n) for n in update.added_numbers} if update else set()
    new_figures = sorted(
        v
        for v in article.leading_quantities | added
        if v >= MIN_FIGURE and not states_known(v, known_figures)
    )
    head_words = {f for f in article.features.head if f.startswith(LANGUAGE_BOUND)}
    share = title_share = None
    if article.lang in story.langs:
        share = _new_share(head_words, known_words)
        title_share = _new_share(article.title_words, known_words)

    restates = _restates(article)
    minor = _minor_language(article.lang, lang_counts)
    follows = minor or _follows(article, events, at)

    def decided(opened: bool, reason: str) -> Placement:
        event = None if opened else nearest
        return Placement(
            opened,
            event,
            reason,
            new_figures,
            share,
            title_share,
            quiet_hours,
            language_hours,
            follows,
            restates,
            article.says_when,
        )

    if restates:
        return decided(False, "an analysis or explainer restates the story")
    if at < nearest.first_at and quiet < BEFORE:
        # Found after the event it precedes: most likely its source, which a faster
        # outlet's copy or rewrite brought in first.
        return decided(False, f"published {quiet_hours:g} h before the event it joins")
    figures_new = bool(new_figures) and quiet >= FIGURE_QUIET and not minor
    # A lead standing in for a missing title is still a lead.
    in_title = bool(article.own_title.tokens and article.title_quantities) or update is not None
    # Wording new to the story, after a pause: longer after an event told in another
    # language, which outlets translate within hours.
    pause = FOLLOWING / 2 if follows else WORDS_QUIET
    words_new = (
        share is not None
        and share >= NEW_WORD_SHARE
        and (title_share is None or title_share >= NEW_TITLE_SHARE)
        and quiet >= pause
        and not minor
    )
    # A story of one report has told little (a flash, a local scoop of a few lines): another
    # report's lead and wording are new because the first left them out. A figure in a
    # title is news all the same (a vote count), as is what an update of that report adds.
    young = story.articles < TOLD_BY
    # Silent around it, or in its language outside any event (inside one, other languages
    # were telling that event at the time).
    quiet_here = quiet_in_language >= QUIET and quiet > timedelta(0)
    silence = (quiet >= QUIET or quiet_here) and not follows
    follow_up = not article.says_when and quiet < FOLLOW_UP
    if figures_new and (in_title or not (young or follow_up)):
        figures = ", ".join(map(str, new_figures))
        if update is not None and added.intersection(new_figures):
            return decided(True, f"an update of #{update.article_id} adds {figures}")
        return decided(True, f"new figures: {figures}")
    # A day on, an outlet leading with the figure an event was reported with retells it
    # (the toll, the count, the result): a new happening leads with its own.
    retold = sorted(
        v
        for v in article.leading_quantities
        if v >= MIN_FIGURE and (v in nearest.stated or states_known(v, nearest.figures))
    )
    if retold and silence and quiet < FOLLOW_UP:
        figures = ", ".join(map(str, retold))
        return decided(False, f"it leads with {figures}, told by the event {quiet_hours:g} h away")
    if follow_up and (silence or (figures_new and not follows)):
        return decided(False, f"it names no day, {quiet_hours:g} h after the story's last report")
    if silence and quiet >= QUIET:
        return decided(True, f"the story was quiet for {quiet_hours:g} h")
    if silence:
        return decided(True, f"the story was quiet in {article.lang} for {language_hours:g} h")
    if words_new and not young:
        title = f", {title_share:.0%} of its title" if title_share is not None else ""
        return decided(True, f"{share:.0%} of its title and lead is new{title}")
    if young and (figures_new or words_new):
        return decided(False, "what it adds, the story's one report so far had left out")
    if follows:
        return decided(False, "it tells the latest event in another language")
    return decided(False, f"coverage of the event {quiet_hours:g} h away")


def _restates(article: ArticleText) -> bool:
    """An analysis, explainer or question piece: the outlet's own title, the section in its
    link or the label above its lead says so (a lead standing in for a title does not)."""
    path = urlsplit(article.incoming.link or article.incoming.url).path
    return bool(
        _RESTATEMENT.search(article.own_title.text)
        or _RESTATEMENT_PATH.search(path)
        or any(_KICKER.match(kicker) for kicker in _kickers(article))
    )


def _kickers(article: ArticleText) -> list[str]:
    """The short lines above the lead: a site's name, its section, the reading time."""
    above = zip(article.paragraphs[: article.lead_index], article.paragraph_tokens, strict=False)
    return [" ".join(s.text for s in p) for p, tokens in above if len(tokens) <= KICKER_WORDS]


def _new_share(words: frozenset[str] | set[str], known: set[str]) -> float | None:
    """The share of `words` the story had not used (None for no words)."""
    if not words:
        return None
    return round(sum(1 for w in words if w not in known) / len(words), 2)


def _minor_language(lang: str, lang_counts: dict[str, int]) -> bool:
    """A language few of the recent articles are in (`lang_counts`, copies left out): its
    outlets pick up what happened elsewhere, days later at times, rather than break it."""
    total = sum(lang_counts.values())
    return total >= MINOR_AFTER and lang_counts.get(lang, 0) < MINOR_SHARE * total


def _follows(article: ArticleText, events: list[EventState], at: datetime) -> bool:
    """A translation or rewrite in another language follows its event within hours."""
    latest = max(events, key=lambda e: e.first_at)
    recent = timedelta(0) <= at - latest.first_at <= FOLLOWING
    return recent and article.lang not in latest.langs


def quoted_sentences(article: ArticleText, figures: set[int]) -> list[str]:
    """What an alert quotes: the sentences stating the new figures, else the lead's."""
    lead = [s for s in article.paragraphs[article.lead_index]] if article.paragraphs else []
    everything = [s for p in article.paragraphs for s in p]
    quotable = [s for s in everything if len(s.text.split()) >= MIN_QUOTED_WORDS]
    stating = [s for s in quotable if figures & quantities(s.tokens)] if figures else []
    chosen = stating or [s for s in lead if len(s.text.split()) >= MIN_QUOTED_WORDS]
    return [s.text for s in chosen[:QUOTED_SENTENCES]]
