"""What may be fetched.

Links found in feeds and pages are the outlet's words, not ours: one pointing at a loopback,
private or link-local address (a router, a cloud metadata service, a database port) is not
fetched unless the source itself lives on such an address (a local test feed, an intranet
source).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


async def internal_host(host: str) -> bool:
    """Whether `host` is, or resolves to, a non-public address (an unresolvable host is
    left to the fetch itself to report)."""
    host = host.strip("[]")
    try:
        return is_internal(host)
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return any(is_internal(str(info[4][0])) for info in infos)


async def source_is_internal(url: str) -> bool:
    return await internal_host(urlsplit(url).hostname or "")
