"""When a channel's alert goes out: now, at the end of its quiet hours, or with the
digest of its period. Times are read in the channel's own zone, so "daily 08:00" stays at
eight in the morning across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from config import Channel

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger


def hold_until(channel: Channel, now: datetime, *, urgent: bool = False) -> datetime | None:
    """When an alert queued `now` for `channel` is released (UTC); None: send it now. An
    urgent alert ignores quiet hours, not the digest a channel asked for."""
    if channel.digest:
        due = next_digest(channel, now)
        if not urgent and in_quiet_hours(channel, due):
            due = quiet_end(channel, due)
        return due
    if not urgent and in_quiet_hours(channel, now):
        return quiet_end(channel, now)
    return None


def next_digest(channel: Channel, now: datetime) -> datetime:
    """The end of the digest period `now` is in: the next full hour, or the next HH:MM."""
    assert channel.digest is not None
    local = now.astimezone(channel.zone)
    if channel.digest.strip() == "hourly":
        due = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    else:
        due = _next_at(local, _clock(channel.digest.split()[1]))
    return due.astimezone(UTC)


def in_quiet_hours(channel: Channel, when: datetime) -> bool:
    if not channel.quiet:
        return False
    start, end = _quiet_window(channel.quiet)
    now = when.astimezone(channel.zone).time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # across midnight, as 23:00-07:00 is


def quiet_end(channel: Channel, when: datetime) -> datetime:
    assert channel.quiet is not None
    _, end = _quiet_window(channel.quiet)
    return _next_at(when.astimezone(channel.zone), end).astimezone(UTC)


def _quiet_window(quiet: str) -> tuple[time, time]:
    start, end = quiet.split("-")
    return _clock(start), _clock(end)


def _clock(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def _next_at(local: datetime, at: time) -> datetime:
    """The first moment after `local` whose wall clock reads `at`, in `local`'s zone."""
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local:
        day = local.date() + timedelta(days=1)
        candidate = datetime.combine(day, at, tzinfo=local.tzinfo)
    return candidate


def release_triggers(channel: Channel) -> dict[str, CronTrigger]:
    """APScheduler cron triggers at the moments `channel` releases what it held: the end
    of each digest period and of its quiet hours, in the channel's zone."""
    from apscheduler.triggers.cron import CronTrigger

    triggers = {}
    if channel.digest:
        if channel.digest.strip() == "hourly":
            triggers["digest"] = CronTrigger(minute=0, timezone=channel.zone)
        else:
            at = _clock(channel.digest.split()[1])
            triggers["digest"] = CronTrigger(hour=at.hour, minute=at.minute, timezone=channel.zone)
    if channel.quiet:
        _, end = _quiet_window(channel.quiet)
        triggers["quiet"] = CronTrigger(hour=end.hour, minute=end.minute, timezone=channel.zone)
    return triggers
