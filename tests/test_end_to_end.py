"""The whole service, as a user runs it: real feeds and pages on a local HTTP server, real
alert receivers (SMTP and a json:// webhook), `tracker once` and `tracker run` as processes."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.corpus import record
from tests.support.process import Service, run_tracker
from tests.support.receivers import SmtpReceiver, WebhookReceiver, html_part, wait_for
from tests.support.site import NewsSite
from tests.support.tables import parse_table
from tests.support.watchlists import topics_yaml

pytestmark = pytest.mark.slow

# Originals of five watched stories, exact copies of three of them, and decoys.
WIRE = ["a012", "a046", "a065", "a044"]
SHAM_POST = ["a014", "a047", "a066", "a045", "a035"]
STORY_OF = {rid: record(rid)["story"] for rid in [*WIRE, *SHAM_POST, "a023", "a055"]}
WATCHED_STORIES = {
    "coalition-barrack-manama-2025-11",
    "caesar-ndaa-final-2025-12",
    "shaddadi-prison-escape-2026-01",
    "caesar-suspension-180-2025-11",
    "israel-syria-fifth-round-2026-01",
}
CAESAR_STORIES = {"caesar-ndaa-final-2025-12", "caesar-suspension-180-2025-11"}


def _serve(site: NewsSite) -> dict[str, str]:
    site.add_feed("/wire/feed.xml", [record(r) for r in WIRE])
    # sham-post's feed also lists a023, served as the corpus' own page (JSON-LD inside).
    site.add_corpus_page("sham-post_a023.html", record("a023"))
    site.add_feed("/sham/feed.xml", [record(r) for r in [*SHAM_POST, "a023"]])
    # levant-daily's page is windows-1256 with only a <meta charset> to say so.
    site.add_corpus_page("levant-daily_a055.html", record("a055"), "text/html")
    site.add_feed("/levant/feed.xml", [record("a055")])
    return {r["url"].split("/", 3)[3]: rid for rid, r in ((rid, record(rid)) for rid in STORY_OF)}


def _watchlist(site: NewsSite, webhook: WebhookReceiver, smtp: SmtpReceiver, every: str) -> str:
    return f"""
version: 1
defaults:
  every: {every}
  max_age: off  # the corpus is past news, found today
channels:
  desk: "{webhook.url}"
  mail: "{smtp.url}"
  chat: "${{TRACKER_TEST_UNSET_CHANNEL:-}}"
sources:
  - name: wire-ar
    feed: {site.url("/wire/feed.xml")}
  - name: sham-post
    feed: {site.url("/sham/feed.xml")}
  - name: levant-daily
    feed: {site.url("/levant/feed.xml")}
  - name: gone-outlet
    feed: http://127.0.0.1:9/feed.xml
{topics_yaml(["desk", "mail", "chat"])}
"""


def _story_of_link(link: str, paths: dict[str, str]) -> str:
    return STORY_OF[paths[urlsplit(link).path.lstrip("/")]]


def _link_in(message: str) -> str:
    return next(line for line in message.splitlines() if line.startswith("http"))


def test_once_delivers_one_alert_per_watched_story_and_nothing_twice(
    tmp_path: Path, news_site: NewsSite, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    paths = _serve(news_site)
    config = tmp_path / "watchlist.yaml"
    config.write_text(_watchlist(news_site, webhook, smtp, "15m"), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'tracker.db'}"

    first = run_tracker(["once", "--config", str(config)], tmp_path, database)

    assert first.returncode == 0, first.stderr
    # One chat alert per watched story: originals alert, copies and decoys do not.
    alerted = [_story_of_link(_link_in(m["message"]), paths) for m in webhook.messages]
    assert sorted(alerted) == sorted(WATCHED_STORIES)
    # Sources are polled side by side, out of time order; each story is still new.
    assert all(m["title"].startswith("New story · ") for m in webhook.messages)
    # The Arabic text arrives intact: title and lead of the coalition story.
    coalition = next(
        m
        for m in webhook.messages
        if _story_of_link(_link_in(m["message"]), paths) == "coalition-barrack-manama-2025-11"
    )
    lead = record("a012")["text"].split("،")[0]
    assert lead in coalition["message"]
    assert "Coalition" not in coalition["title"] or "coalition" in coalition["title"]
    assert "matched: التحالف الدولي" in coalition["message"]
    # The windows-1256 page decoded right.
    israel = next(m for m in webhook.messages if "جولة خامسة" in m["message"])
    assert record("a055")["title"] in israel["message"]
    # E-mail for the Caesar topic only: HTML, right-to-left around the Arabic text.
    assert len(smtp.messages) == len(CAESAR_STORIES)
    subjects = " ".join(str(m["subject"]) for m in smtp.messages)
    assert "Caesar Act" in subjects
    assert record("a023")["title"] in subjects
    body = html_part(next(m for m in smtp.messages if record("a023")["title"] in m["subject"]))
    assert 'dir="rtl"' in body
    assert record("a023")["text"].split("\n\n")[0][:80] in body
    # The unreachable source is logged plainly and did not stop the pass.
    assert "gone-outlet" in first.stderr
    assert "cannot connect" in first.stderr
    assert "Traceback" not in first.stderr
    assert "channel chat is off" in first.stderr

    second = run_tracker(["once", "--config", str(config)], tmp_path, database)

    assert second.returncode == 0, second.stderr
    assert len(webhook.messages) == len(WATCHED_STORIES)
    assert len(smtp.messages) == len(CAESAR_STORIES)
    # Each article page was fetched once, across both passes.
    assert news_site.hits[urlsplit(record("a012")["url"]).path] == 1

    table = run_tracker(["sources", "--config", str(config)], tmp_path, database)
    assert table.returncode == 0, table.stderr
    rows = parse_table(table.stdout)
    assert rows["wire-ar"]["articles"] == "4"
    assert rows["sham-post"]["articles"] == "6"
    assert rows["wire-ar"]["failures"] == "0"
    assert rows["gone-outlet"]["failures"] == "2"
    assert rows["gone-outlet"]["last success"] == "never"
    assert "cannot connect" in rows["gone-outlet"]["last error"]


def test_run_polls_alerts_and_stops_cleanly_then_a_restart_does_not_realert(
    tmp_path: Path, news_site: NewsSite, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    _serve(news_site)
    config = tmp_path / "watchlist.yaml"
    config.write_text(_watchlist(news_site, webhook, smtp, "1h"), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'tracker.db'}"
    service = Service.start(config, tmp_path, database, tmp_path / "run.log")
    try:
        arrived = wait_for(lambda: len(webhook.messages) >= len(WATCHED_STORIES), timeout=60)
        assert arrived, f"only {len(webhook.messages)} alerts arrived"
        assert wait_for(lambda: len(smtp.messages) >= len(CAESAR_STORIES))
        returncode = service.stop(signal.SIGTERM)
    finally:
        service.close()
    stderr = service.output

    assert returncode == 0, stderr
    assert "SIGTERM received" in stderr
    assert stderr.rstrip().endswith("stopped")
    assert "first pass over 4 sources" in stderr
    assert "wire-ar: 4 listed, 4 new" in stderr
    assert "Traceback" not in stderr
    # The first pass stored what every source found together, oldest first.
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        stored = db.execute("SELECT outlet, published_at FROM articles ORDER BY id").fetchall()
    assert {outlet for outlet, _ in stored} == {"wire-ar", "sham-post", "levant-daily"}
    assert [p for _, p in stored] == sorted(p for _, p in stored)

    again = run_tracker(["once", "--config", str(config)], tmp_path, database)

    assert again.returncode == 0, again.stderr
    assert len(webhook.messages) == len(WATCHED_STORIES)
    assert len(smtp.messages) == len(CAESAR_STORIES)


def test_run_applies_a_valid_watchlist_edit_and_keeps_the_last_good_one_on_a_bad_edit(
    tmp_path: Path, news_site: NewsSite, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    _serve(news_site)
    full = _watchlist(news_site, webhook, smtp, "1h")
    without_levant = full.replace(
        f"  - name: levant-daily\n    feed: {news_site.url('/levant/feed.xml')}\n", ""
    )
    config = tmp_path / "watchlist.yaml"
    config.write_text(without_levant, encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'tracker.db'}"
    service = Service.start(config, tmp_path, database, tmp_path / "run.log")
    try:
        assert wait_for(lambda: len(webhook.messages) == len(WATCHED_STORIES) - 1, timeout=60)
        config.write_text(without_levant.replace("every: 1h", "every: 1hh"), encoding="utf-8")
        time.sleep(4)  # one reload check
        config.write_text(full, encoding="utf-8")
        assert wait_for(lambda: len(webhook.messages) == len(WATCHED_STORIES), timeout=30)
        service.stop(signal.SIGTERM)
    finally:
        service.close()
    stderr = service.output

    assert "watchlist not reloaded, the last good one stays in use" in stderr
    assert f"{config}:4:10: invalid interval '1hh'" in stderr
    assert "watchlist reloaded: 4 sources (1 added, 0 removed)" in stderr
    assert any("جولة خامسة" in m["message"] for m in webhook.messages)
