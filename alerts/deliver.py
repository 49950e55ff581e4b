"""Sending queued alerts through apprise: one Apprise object per channel, rows marked
sent or retried with backoff, so an alert is never lost and never queued twice."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import apprise

from alerts import outbox
from alerts.render import (
    HTML_TEMPLATE,
    MARKDOWN_TEMPLATE,
    AlertPayload,
    is_html_template,
    render_title,
    render_with,
    sample_alert,
    template_path,
)
from config import Channel
from storage import Alert, AlertStatus, Database
from tracker.errors import DeliveryError

log = logging.getLogger(__name__)

SEND_TIMEOUT = 30.0


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def _wants_html(service: object) -> bool:
    """E-mail takes HTML; chat services take Markdown (apprise converts it per service)."""
    formats = getattr(service, "notify_format", apprise.NotifyFormat.TEXT)
    formats = formats if isinstance(formats, tuple) else (formats,)
    return apprise.NotifyFormat.MARKDOWN not in formats and apprise.NotifyFormat.HTML in formats


def _failure_reason(result: object) -> str:
    messages = []
    for entry in getattr(result, "logs", lambda: [])():
        if getattr(entry, "level", "") in ("WARNING", "ERROR", "CRITICAL"):
            messages.append(str(entry.message))
    return "; ".join(dict.fromkeys(messages)) or "the service did not accept the message"


class ChannelSender:
    """Sends rendered payloads to one channel; raises DeliveryError when it cannot."""

    def __init__(self, name: str, url: str, template: Path | None = None) -> None:
        self.name = name
        self.apprise = apprise.Apprise()
        if not self.apprise.add(url):
            raise DeliveryError(name, "apprise cannot use its URL")
        service = self.apprise[0]
        # The channel's own template, else the kind of message its service takes.
        default = HTML_TEMPLATE if _wants_html(service) else MARKDOWN_TEMPLATE
        self.template = template or default
        if "overflow=" not in url.lower():
            # A digest can be longer than a chat service takes (Telegram: 4,096
            # characters): sent as it is, it would fail every retry and die.
            service.overflow_mode = apprise.OverflowMode.SPLIT

    async def send(self, payload: AlertPayload) -> None:
        body = self._render(payload)
        html = is_html_template(self.template)
        body_format = apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.MARKDOWN
        try:
            result = await self.apprise.async_notify(
                body=body,
                title=render_title(payload),
                body_format=body_format,
                timeout=SEND_TIMEOUT,
                log_level=logging.WARNING,
            )
        except Exception as exc:  # apprise plugins raise their own errors: translate them
            raise DeliveryError(self.name, f"{type(exc).__name__}: {exc}") from exc
        if not result:
            raise DeliveryError(self.name, _failure_reason(result))

    def _render(self, payload: AlertPayload) -> str:
        try:
            return render_with(self.template, payload)
        except Exception as exc:  # a channel template broken after `tracker check`
            raise DeliveryError(self.name, f"its template {self.template}: {exc}") from exc


class Dispatcher:
    """Drains the outbox: claims due rows, sends them, records the outcome."""

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        owner: str,
        config_paths: list[Path] | None = None,
    ) -> None:
        self.db = db
        self.owner = owner
        self._senders: dict[str, ChannelSender] = {}
        self._channels: Mapping[str, Channel] = {}
        self._orphans_released = False
        self.update_channels(channels, config_paths or [])

    def update_channels(
        self, channels: Mapping[str, Channel], config_paths: list[Path] | None = None
    ) -> None:
        """`config_paths`: the watchlist's files (a channel's `template:` is beside them)."""
        senders = {}
        for name, channel in channels.items():
            if not channel.enabled:
                continue
            template = template_path(channel, config_paths or [])
            try:
                senders[name] = ChannelSender(name, channel.url, template)
            except DeliveryError as exc:
                log.error("%s", exc)
        self._senders = senders
        self._channels = channels

    async def dispatch_due(self) -> DeliveryReport:
        report = DeliveryReport()
        if not self._orphans_released:
            freed = await self.db.run(outbox.release_orphans, self.owner)
            if freed:
                log.info("%d alerts a stopped run was sending are queued again", freed)
            self._orphans_released = True
        # Held alerts whose digest period or quiet hours ended join the queue first.
        await self.db.run(outbox.release_held, self._channels)
        while True:
            rows = await self.db.run(outbox.claim_due, self.owner)
            if not rows:
                return report
            for row in rows:
                await self._deliver(row, report)

    async def _deliver(self, row: Alert, report: DeliveryReport) -> None:
        sender = self._senders.get(row.channel)
        payload = AlertPayload.from_json(row.payload)
        try:
            if sender is None:
                raise DeliveryError(
                    row.channel, "the channel is not in the watchlist or has no URL"
                )
            await sender.send(payload)
        except DeliveryError as exc:
            await self._failed(row, exc.reason, report)
            return
        await self.db.run(outbox.mark_sent, row.id)
        report.sent += 1
        log.info("alert sent to %s: %s", row.channel, render_title(payload))

    async def _failed(self, row: Alert, error: str, report: DeliveryReport) -> None:
        failed = await self.db.run(outbox.mark_failed, row.id, error)
        if failed.status == AlertStatus.DEAD:
            report.dead += 1
            log.error(
                "alert to %s given up after %d attempts: %s", row.channel, failed.attempts, error
            )
        else:
            report.failed += 1
            log.warning(
                "alert to %s not delivered (attempt %d, next try at %s): %s",
                row.channel,
                failed.attempts,
                failed.next_attempt_at.strftime("%H:%M:%S UTC"),
                error,
            )


async def send_test_message(name: str, channel: Channel, template: Path | None = None) -> None:
    """Send a sample alert to one channel; raise DeliveryError when it did not arrive."""
    if not channel.enabled:
        raise DeliveryError(name, "it has no URL, so it is off")
    await ChannelSender(name, channel.url, template).send(sample_alert())
