"""Leases: a row (a source to poll, an alert to send) worked on by one process at a time.

A lease names its owner ("host:pid:token") and expires, so the work of a replica that dies
goes to another once the lease runs out; sooner when the owner is a process of this host
that has ended (a killed run, a restarted container reusing its pid).
"""

from __future__ import annotations

import os
from datetime import datetime


def owner_has_ended(owner: str, me: str) -> bool:
    """Whether a lease owner is a process of this host that has ended."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    my_host, _, my_rest = me.partition(":")
    my_pid = my_rest.partition(":")[0]
    if host != my_host or not pid_text.isdigit():
        return False
    if pid_text == my_pid:
        return owner != me  # the same pid reused (a container's pid 1): a former run
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lease_is_free(owner: str | None, expires: datetime | None, now: datetime, me: str) -> bool:
    """Whether `me` may take a lease that `owner` holds until `expires`."""
    if owner is None or owner == me or expires is None:
        return True
    return expires < now or owner_has_ended(owner, me)
