"""`tracker run`'s schedule: after the first pass every source is polled on its interval,
and a watchlist edit that changes an interval keeps the source polled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.service.app import App
from tracker.service.run import Service

WATCHLIST = """version: 1
sources:
  - {name: wire, feed: "http://127.0.0.1:9/feed.xml", every: 10m}
  - {name: weekly, feed: "http://127.0.0.1:9/weekly.xml", every: 2h}
"""


def test_every_source_is_scheduled_and_an_interval_change_keeps_it_polled(tmp_path: Path) -> None:
    config = tmp_path / "watchlist.yaml"
    config.write_text(WATCHLIST, encoding="utf-8")
    app = App.open([config], f"sqlite:///{tmp_path / 'tracker.db'}", config_source=str(config))

    async def scheduled() -> tuple[dict[str, datetime | None], datetime | None]:
        service = Service(app)
        service.scheduler.start()
        try:
            for source in app.sources:
                service._schedule(source)
            before = {j.id: j.next_run_time for j in service.scheduler.get_jobs()}
            config.write_text(WATCHLIST.replace("every: 10m", "every: 30m"), encoding="utf-8")
            await asyncio.sleep(0.01)  # a new modification time
            await service._reload_if_changed()
            job = service.scheduler.get_job("wire")
            return before, job.next_run_time if job else None
        finally:
            service.scheduler.shutdown(wait=False)
            await app.close()

    before, after_edit = asyncio.run(scheduled())

    now = datetime.now(UTC)
    assert set(before) == {"wire", "weekly"}
    wire, weekly = before["wire"], before["weekly"]
    assert wire is not None and now + timedelta(minutes=8) < wire < now + timedelta(minutes=12)
    assert weekly is not None and weekly > now + timedelta(hours=1)
    assert after_edit is not None, "the edit paused the source"
    assert after_edit > now + timedelta(minutes=25)
