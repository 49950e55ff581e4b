"""The operations endpoint (`tracker run --http`): real HTTP requests to a running service,
on real databases and a real local news site; and `--log-format json`."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy
from prometheus_client.parser import text_string_to_metric_families

from config import ConfigError, load_watchlist
from tests.support.corpus import record
from tests.support.process import run_tracker, tracker_env
from tests.support.proxy import TcpProxy
from tests.support.receivers import WebhookReceiver, wait_for
from tests.support.site import NewsSite
from tests.support.watchlists import topics_yaml
from tracker.cli import main
from tracker.cli.commands import http_address
from tracker.service import ops
from tracker.service.app import App
from tracker.service.logs import JsonFormatter
from tracker.service.run import Service

WIRE = ["a012", "a046", "a065"]
SHAM_POST = ["a014", "a047"]  # copies and rewrites of the wire's stories


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page: (name, sorted labels) → value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _watchlist(site: NewsSite, webhook: WebhookReceiver) -> str:
    return f"""
version: 1
defaults:
  every: 1h
  max_age: off  # the corpus is past news, found today
channels:
  desk: "{webhook.url}"
sources:
  - name: wire-ar
    feed: {site.url("/wire/feed.xml")}
  - name: sham-post
    feed: {site.url("/sham/feed.xml")}
  - name: gone-outlet
    feed: http://127.0.0.1:9/feed.xml
{topics_yaml()}
"""


@pytest.mark.slow
def test_healthz_and_metrics_report_a_running_service(
    tmp_path: Path, news_site: NewsSite, webhook: WebhookReceiver
) -> None:
    news_site.add_feed("/wire/feed.xml", [record(r) for r in WIRE])
    news_site.add_feed("/sham/feed.xml", [record(r) for r in SHAM_POST])
    config = tmp_path / "watchlist.yaml"
    config.write_text(_watchlist(news_site, webhook), encoding="utf-8")
    database = tmp_path / "tracker.db"
    log = tmp_path / "run.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            # Any free port: the start log says which.
            [
                sys.executable,
                "-m",
                "tracker",
                "run",
                "--config",
                str(config),
                "--http",
                "127.0.0.1:0",
            ],
            cwd=tmp_path,
            env=tracker_env(f"sqlite:///{database}"),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            assert wait_for(lambda: "running:" in log.read_text(), timeout=60), log.read_text()
            started = log.read_text()
            listening = re.search(r"operations endpoint listening on (http://\S+)", started)
            assert listening, started
            url = listening.group(1)
            assert f"/healthz and /metrics at {url}" in started

            def queue_empty() -> bool:
                page = httpx.get(f"{url}/metrics", timeout=10).text
                return _samples(page)[("tracker_alerts_pending", ())] == 0

            assert wait_for(queue_empty, timeout=30)
            health = httpx.get(f"{url}/healthz", timeout=10)
            page = httpx.get(f"{url}/metrics", timeout=10)
            missing = httpx.get(f"{url}/nothing-here", timeout=10)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)

    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output
    assert "stopped" in output

    assert health.status_code == 200, health.text
    status = health.json()
    assert status["status"] == "ok"
    assert status["scheduler_running"] is True
    assert status["database"] == "ok"
    assert 0 <= status["last_successful_poll_age_seconds"] < 60
    assert status["sources"] == 3
    assert missing.status_code == 404

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    metrics = _samples(page.text)
    with sqlite3.connect(database) as db:
        decisions = dict(db.execute("SELECT decision, count(*) FROM articles GROUP BY decision"))
        stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
        sent = db.execute("SELECT count(*) FROM alerts WHERE status = 'sent'").fetchone()[0]
        failures = dict(db.execute("SELECT name, consecutive_failures FROM sources"))
    # Two feeds read, one source down.
    assert metrics[("tracker_fetches_total", (("outcome", "ok"),))] == 2
    assert metrics[("tracker_fetches_total", (("outcome", "error"),))] == 1
    assert metrics[("tracker_fetch_seconds_count", ())] == 3
    # Each decision counted as stored, and the wire's originals opened stories.
    assert decisions["new_story"] >= len(WIRE)
    for decision in ("new_story", "development", "coverage", "near_duplicate", "duplicate"):
        counted = metrics[("tracker_articles_stored_total", (("decision", decision),))]
        assert counted == decisions.get(decision, 0), decision
    assert metrics[("tracker_stories", ())] == stories
    assert metrics[("tracker_alerts_sent_total", ())] == sent == len(webhook.messages) > 0
    assert metrics[("tracker_alerts_oldest_pending_age_seconds", ())] == 0
    assert metrics[("tracker_database_up", ())] == 1
    gauge = "tracker_source_consecutive_failures"
    assert failures["gone-outlet"] >= 1
    assert metrics[(gauge, (("source", "gone-outlet"),))] == failures["gone-outlet"]
    assert metrics[(gauge, (("source", "wire-ar"),))] == 0


async def _until(url: str, status: int, within: float = 20) -> httpx.Response:
    """GET the URL until it answers `status` (the last answer when it never does)."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            answer = await client.get(url)
            if answer.status_code == status or time.monotonic() > deadline:
                return answer
            await asyncio.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_healthz_says_503_while_the_database_is_gone_or_hangs(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops, "DATABASE_TIMEOUT", 1.0)
    config = tmp_path / "watchlist.yaml"
    config.write_text("version: 1\nsources: []\n", encoding="utf-8")
    real = sqlalchemy.make_url(database_url)

    async def scenario() -> dict[str, httpx.Response]:
        proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        await proxy.start()
        through_proxy = real.set(host="127.0.0.1", port=proxy.port)
        url = through_proxy.render_as_string(hide_password=False)
        # Blocking database work leaves the loop free to run the proxy.
        app = await asyncio.to_thread(App.open, [config], url)
        service = Service(app, ("127.0.0.1", 0))
        running = asyncio.create_task(service.run())
        answers: dict[str, httpx.Response] = {}
        try:
            await asyncio.sleep(0)  # run() starts the endpoint before its first pause
            assert service.ops is not None
            base = service.ops.url
            answers["up"] = await _until(f"{base}/healthz", 200)

            await proxy.stop()
            answers["gone"] = await _until(f"{base}/healthz", 503)
            answers["gone metrics"] = await _until(f"{base}/metrics", 200)

            await proxy.start()
            answers["back"] = await _until(f"{base}/healthz", 200)

            proxy.freeze()
            started = time.monotonic()
            answers["hung"] = await _until(f"{base}/healthz", 503)
            answers["hung seconds"] = httpx.Response(200, text=str(time.monotonic() - started))
            proxy.thaw()
            answers["thawed"] = await _until(f"{base}/healthz", 200)
        finally:
            proxy.thaw()
            service.stop()
            await asyncio.wait_for(running, timeout=60)
            await proxy.stop()
        return answers

    answers = asyncio.run(scenario())

    assert answers["up"].status_code == 200, answers["up"].text
    assert answers["up"].json()["database"] == "ok"
    gone = answers["gone"]
    assert gone.status_code == 503, gone.text
    assert gone.json()["status"] == "failing"
    assert gone.json()["scheduler_running"] is True
    assert "cannot reach the database" in gone.json()["database"]
    assert "refused" in gone.json()["database"].lower()
    # The process's own counters are still served; the database's figures are not.
    metrics = _samples(answers["gone metrics"].text)
    assert metrics[("tracker_database_up", ())] == 0
    assert ("tracker_stories", ()) not in metrics
    assert ("tracker_fetches_total", (("outcome", "ok"),)) in metrics
    assert answers["back"].status_code == 200, answers["back"].text
    hung = answers["hung"]
    assert hung.status_code == 503, hung.text
    assert hung.json()["database"] == "the database did not answer within 1 s"
    assert float(answers["hung seconds"].text) < 10
    assert answers["thawed"].status_code == 200, answers["thawed"].text


def test_a_port_in_use_is_a_plain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "watchlist.yaml"
    config.write_text("version: 1\nsources: []\n", encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["run", "--config", str(config), "--http", f"127.0.0.1:{port}"])

    err = capsys.readouterr().err
    assert code == 1
    assert f"cannot serve the operations endpoint on 127.0.0.1:{port}" in err
    assert "already in use" in err
    assert "Traceback" not in err


def test_the_address_comes_from_the_flag_then_the_environment_then_the_watchlist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text('version: 1\nhttp: "127.0.0.1:9100"\n', encoding="utf-8")
    watchlist = load_watchlist([path])
    without = watchlist.model_copy(update={"http": None})
    monkeypatch.delenv("TRACKER_HTTP", raising=False)

    assert http_address(None, without) is None
    assert http_address(None, watchlist) == ("127.0.0.1", 9100)
    monkeypatch.setenv("TRACKER_HTTP", "0.0.0.0:9200")
    assert http_address(None, watchlist) == ("0.0.0.0", 9200)
    assert http_address("[::1]:9300", watchlist) == ("::1", 9300)


def test_a_bad_http_address_in_the_watchlist_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text("version: 1\nhttp: localhost\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_watchlist([path])
    assert str(caught.value).startswith(f"{path}:2:7: invalid address 'localhost': write host:port")


def test_log_format_json_gives_one_object_a_line(
    tmp_path: Path, news_site: NewsSite, webhook: WebhookReceiver
) -> None:
    news_site.add_feed("/wire/feed.xml", [record("a012")])
    news_site.add_feed("/sham/feed.xml", [])
    config = tmp_path / "watchlist.yaml"
    config.write_text(_watchlist(news_site, webhook), encoding="utf-8")

    result = run_tracker(
        ["once", "--config", str(config), "--log-format", "json"],
        tmp_path,
        f"sqlite:///{tmp_path / 'tracker.db'}",
    )

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in entries)
    assert all(e["time"].endswith("+00:00") for e in entries)
    assert any(e["level"] == "WARNING" and "gone-outlet" in e["message"] for e in entries)
    assert any(e["message"].startswith("pass done: 3 sources polled") for e in entries)


def test_json_log_lines_carry_the_traceback_as_text() -> None:
    try:
        raise ValueError("broken feed")
    except ValueError:
        entry = logging.LogRecord(
            "tracker.x", logging.ERROR, __file__, 1, "poll failed:\n%s", ("two lines",), None
        )
        entry.exc_info = sys.exc_info()
    line = JsonFormatter().format(entry)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR"
    assert parsed["logger"] == "tracker.x"
    assert parsed["message"] == "poll failed:\ntwo lines"
    assert "ValueError: broken feed" in parsed["exc_info"]
