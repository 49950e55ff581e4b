"""The desk: `tracker run --http` serving the pages on a database filled by replaying the
corpus, read over real HTTP and in a real browser (Debian's Chromium, driven by
Playwright with the system browser: nothing is downloaded)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.support.process import run_tracker, tracker_env
from tests.support.receivers import wait_for

DATA = Path(__file__).parents[2] / "data"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Where the browser test leaves its screenshots: the README's, when asked.
SCREENSHOTS = os.environ.get("TRACKER_SCREENSHOTS")
SCRIPT_TITLE = "<script>alert('desk')</script> a title that is only text"


@dataclass
class Desk:
    url: str
    database: Path
    log: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _replayed(folder: Path) -> Path:
    """The corpus replayed into a SQLite file, one of its alerts dead, one article titled
    with markup."""
    database = folder / "desk.db"
    watchlist = folder / "watchlist.yaml"
    # The corpus' own sources are made-up hosts: the service's polls fail at once, quietly.
    text = (DATA / "corpus-watchlist.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(feed|sitemap|page): \S+", r"\1: http://127.0.0.1:9/feed.xml", text)
    watchlist.write_text(text, encoding="utf-8")
    done = run_tracker(
        [
            "replay",
            str(DATA / "corpus" / "articles.jsonl"),
            "--config",
            str(watchlist),
            "--database",
            f"sqlite:///{database}",
        ],
        folder,
        f"sqlite:///{database}",
    )
    assert done.returncode == 0, done.stderr
    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "UPDATE alerts SET status = 'dead', attempts = 12, last_error = 'the service said 500'"
            " WHERE id = (SELECT min(id) FROM alerts)"
        )
        connection.execute(
            "UPDATE articles SET title = ? WHERE id = (SELECT max(id) FROM articles)",
            (SCRIPT_TITLE,),
        )
    # All in the main file: each test copies it alone.
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return database


def _start(folder: Path, database: Path, host: str, env: dict[str, str] | None = None) -> Desk:
    log = folder / f"run-{host}.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker",
            "run",
            "--config",
            str(folder / "watchlist.yaml"),
            "--http",
            f"{host}:0",
        ],
        cwd=folder,
        env={**tracker_env(f"sqlite:///{database}"), **(env or {})},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    assert wait_for(lambda: "running:" in log.read_text(), timeout=60), log.read_text()
    found = re.search(r"operations endpoint listening on http://[^:]+:(\d+)", log.read_text())
    assert found, log.read_text()
    return Desk(f"http://127.0.0.1:{found.group(1)}", database, log, process)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("desk")
    return folder, _replayed(folder)


@pytest.fixture
def desk(replayed: tuple[Path, Path], tmp_path: Path) -> Iterator[Desk]:
    folder, database = replayed
    # Each test its own copy: a retry changes the queue.
    (tmp_path / "watchlist.yaml").write_text((folder / "watchlist.yaml").read_text())
    copy = tmp_path / "desk.db"
    shutil.copy(database, copy)
    running = _start(tmp_path, copy, "127.0.0.1")
    yield running
    running.stop()


def _status(database: Path, alert_id: int) -> str:
    with sqlite3.connect(database) as connection:
        (status,) = connection.execute(
            "SELECT status FROM alerts WHERE id = ?", (alert_id,)
        ).fetchone()
    return str(status)


def _dead_alert(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        (alert_id,) = connection.execute("SELECT id FROM alerts WHERE status = 'dead'").fetchone()
    return int(alert_id)


def test_the_pages_escape_article_text_and_show_no_secret(desk: Desk) -> None:
    with httpx.Client(base_url=desk.url, trust_env=False) as client:
        with sqlite3.connect(desk.database) as connection:
            (story_id,) = connection.execute(
                "SELECT story_id FROM articles WHERE title = ?", (SCRIPT_TITLE,)
            ).fetchone()
        page = client.get(f"/story/{story_id}")
        pages = [client.get(p).text for p in ("/?since=all", "/sources", "/alerts")]
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;desk&#39;)&lt;/script&gt;" in page.text
    assert "<script>alert(" not in page.text
    for text in [page.text, *pages]:
        assert "json://" not in text  # the corpus watchlist's channel URL


def test_a_retry_without_the_csrf_token_is_refused(desk: Desk) -> None:
    dead = _dead_alert(desk.database)
    with httpx.Client(base_url=desk.url, trust_env=False) as client:
        client.get("/alerts")  # the browser's CSRF cookie, but not the form's field
        refused = client.post("/alerts/retry", data={"id": str(dead)})
        forged = client.post("/alerts/retry", data={"id": str(dead), "csrf": "guessed"})
        # The right token, posted by a page of another port of this machine.
        token = client.cookies["tracker_csrf"]
        elsewhere = client.post(
            "/alerts/retry",
            data={"id": str(dead), "csrf": token},
            headers={"Origin": "http://127.0.0.1:1"},
        )
    assert (refused.status_code, forged.status_code, elsewhere.status_code) == (403, 403, 403)
    assert _status(desk.database, dead) == "dead"


def test_on_loopback_the_desk_answers_to_this_machines_names_only(desk: Desk) -> None:
    port = desk.url.rsplit(":", 1)[1]
    with httpx.Client(base_url=desk.url, trust_env=False) as client:
        rebound = client.get("/alerts", headers={"Host": f"attacker.example:{port}"})
        local = client.get("/alerts", headers={"Host": f"localhost:{port}"})
        health = client.get("/healthz", headers={"Host": f"attacker.example:{port}"})
    assert (rebound.status_code, local.status_code) == (421, 200)
    assert "the service said 500" not in rebound.text
    assert health.status_code in (200, 503)


def test_beyond_this_machine_without_a_token_only_health_and_metrics_answer(
    replayed: tuple[Path, Path],
) -> None:
    folder, database = replayed
    running = _start(folder, database, "0.0.0.0")
    try:
        with httpx.Client(base_url=running.url, trust_env=False) as client:
            home, alerts = client.get("/"), client.get("/alerts")
            health = client.get("/healthz")
        log = running.log.read_text()
    finally:
        running.stop()
    assert (home.status_code, alerts.status_code) == (404, 404)
    assert health.status_code in (200, 503)  # answered, whatever the polls' state
    assert "the desk pages are off" in log and "TRACKER_DESK_TOKEN" in log


def test_with_a_token_the_desk_asks_for_it(replayed: tuple[Path, Path]) -> None:
    folder, database = replayed
    running = _start(
        folder,
        database,
        "0.0.0.0",
        {"TRACKER_DESK_TOKEN": "s3cret-desk-token"},
    )
    try:
        with httpx.Client(base_url=running.url, trust_env=False) as client:
            without = client.get("/")
            wrong = client.get("/", headers={"Authorization": "Bearer nope"})
            bearer = client.get("/", headers={"Authorization": "Bearer s3cret-desk-token"})
            login = client.post("/login?next=/sources", data={"token": "s3cret-desk-token"})
            after_login = client.get("/sources")
            metrics = httpx.get(f"{running.url}/metrics", trust_env=False)
    finally:
        running.stop()
    assert (without.status_code, wrong.status_code, bearer.status_code) == (401, 401, 200)
    assert "needs its token" in without.text
    assert login.status_code == 303 and login.headers["location"] == "/sources"
    assert "s3cret-desk-token" not in login.headers["set-cookie"]
    assert after_login.status_code == 200 and "Last success" in after_login.text
    assert metrics.status_code == 200  # Prometheus needs no token


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("TRACKER_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)
def test_in_a_browser_a_desk_reads_stories_timelines_and_retries_a_dead_alert(
    desk: Desk, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    dead = _dead_alert(desk.database)
    with sqlite3.connect(desk.database) as connection:
        (developed,) = connection.execute(
            "SELECT story_id FROM articles WHERE decision = 'development'"
            " AND novelty LIKE '%new_facts%' ORDER BY id LIMIT 1"
        ).fetchone()
        (stories,) = connection.execute("SELECT count(*) FROM stories").fetchone()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto(f"{desk.url}/?since=all")
        expect(page.locator("#story-count")).to_contain_text(f"{stories} stories")
        arabic = page.locator("td[dir=rtl] a").first
        assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
        page.screenshot(path=shots / "stories.png")

        page.goto(f"{desk.url}/story/{developed}")
        fact = page.locator("blockquote.new-fact").first
        expect(fact).to_be_visible()
        assert len(fact.inner_text().split()) >= 4  # a quoted sentence, not a stray word
        page.screenshot(path=shots / "story.png", full_page=True)

        page.goto(f"{desk.url}/search?q=" + quote("قانون قَيصر"))  # a diacritic too
        first = page.locator("ol li").first
        expect(first).to_be_visible()
        marked = first.locator("mark").all_inner_texts()
        assert "قانون" in marked and any("قيصر" in word for word in marked)
        page.screenshot(path=shots / "search.png")

        page.goto(f"{desk.url}/sources")
        expect(page.locator("table")).to_contain_text("sham-post")
        page.screenshot(path=shots / "sources.png")

        page.goto(f"{desk.url}/alerts?status=dead")
        row = page.locator("tr.alert-row.dead")
        expect(row).to_contain_text("the service said 500")
        page.screenshot(path=shots / "alerts.png")
        row.get_by_role("button", name="Retry").click()
        expect(page.locator("#retried")).to_have_text("1 queued again")
        browser.close()
    assert _status(desk.database, dead) == "pending"
