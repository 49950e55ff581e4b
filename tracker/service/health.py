"""Source health for the ops channel: one "source down" message when a source has failed
`down_after` polls in a row, and one "recovered" when it works again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from alerts import AlertPayload, queue_message
from config import Ops, Source, Watchlist
from storage import SourceState
from tracker.errors import redact


def note_poll(
    session: Session,
    watchlist: Watchlist,
    source: Source,
    state: SourceState,
    failures_before: int,
    now: datetime,
) -> str | None:
    """Queue the ops message this poll calls for; returns its event, if any."""
    ops: Ops | None = watchlist.ops
    if ops is None or not watchlist.channels.get(ops.channel, None):
        return None
    channel = watchlist.channels[ops.channel]
    if not channel.enabled:
        return None
    failing_since = state.last_success_at.isoformat() if state.last_success_at else "never"
    if state.consecutive_failures == ops.down_after and failures_before < ops.down_after:
        event = "source_down"
        lead = (
            f"{source.name} has failed {state.consecutive_failures} polls in a row: "
            f"{state.last_error}"
        )
    elif state.consecutive_failures == 0 and failures_before >= ops.down_after:
        event = "source_up"
        lead = f"{source.name} works again after {failures_before} failed polls."
    else:
        return None
    payload = AlertPayload(
        event=event,
        topics=[],
        title=source.name,
        outlet="news tracker",
        url=redact(source.url),
        published=now.isoformat(),
        lead=lead,
    )
    # One message per outage and event, whatever the number of replicas or restarts.
    key = f"{ops.channel}:source:{source.name}:{failing_since}:{event}"
    queue_message(session, ops.channel, key, payload)
    return event
