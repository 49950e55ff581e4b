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
    at = channel.daily_at
    local = now.astimezone(channel.zone)
    if at is None:  # hourly: the local hour's start, plus an hour of real time (DST-proof)
        start = local.replace(minute=0, second=0, microsecond=0)
        return start.astimezone(UTC) + timedelta(hours=1)
    return _next_at(local, at).astimezone(UTC)


def in_quiet_hours(channel: Channel, when: datetime) -> bool:
    window = channel.quiet_hours
    if window is None:
        return False
    start, end = window
    now = when.astimezone(channel.zone).time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # across midnight, as 23:00-07:00 is


def quiet_end(channel: Channel, when: datetime) -> datetime:
    window = channel.quiet_hours
    assert window is not None
    return _next_at(when.astimezone(channel.zone), window[1]).astimezone(UTC)


def release_triggers(channel: Channel) -> dict[str, CronTrigger]:
    """APScheduler cron triggers at the moments `channel` releases what it held: the end
    of each digest period and of its quiet hours, in the channel's zone."""
    from apscheduler.triggers.cron import CronTrigger

    triggers = {}
    if channel.digest:
        at = channel.daily_at
        triggers["digest"] = (
            CronTrigger(minute=0, timezone=channel.zone)
            if at is None
            else CronTrigger(hour=at.hour, minute=at.minute, timezone=channel.zone)
        )
    if channel.quiet_hours is not None:
        end = channel.quiet_hours[1]
        triggers["quiet"] = CronTrigger(hour=end.hour, minute=end.minute, timezone=channel.zone)
    return triggers


def _next_at(local: datetime, at: time) -> datetime:
    """The first moment after `local` whose wall clock reads `at`, in `local`'s zone."""
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local:
        day = local.date() + timedelta(days=1)
        candidate = datetime.combine(day, at, tzinfo=local.tzinfo)
    return candidate
