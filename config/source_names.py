"""Names for sources a user did not name (imported or discovered), and when two feed URLs
are the same feed."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Collection
from urllib.parse import urlsplit

_NOT_NAME = re.compile(r"[^a-z0-9]+")
_MAX_LENGTH = 60  # the schema allows 100; a name is typed and read in tables


def slug(text: str) -> str:
    """ASCII words of `text` joined by '-' ("Enab Baladi — English" → enab-baladi-english);
    empty for a title in another script, such as Arabic."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_NAME.sub("-", ascii_text.lower()).strip("-")[:_MAX_LENGTH].strip("-")


def host_name(url: str) -> str:
    """A readable name from a URL's host: www.enabbaladi.net → enabbaladi,
    english.enabbaladi.net → english-enabbaladi; an IP address keeps its digits."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        host = ".".join(labels[:-1]) if len(labels) > 1 else host
    return slug(host) or "source"


def unique_name(wanted: str, taken: Collection[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... whichever is not taken yet."""
    name, count = wanted, 1
    while name in taken:
        count += 1
        name = f"{wanted}-{count}"
    return name


def feed_key(url: str) -> str:
    """One form for the ways one feed's URL gets written: host case, a default port,
    http or https, a trailing slash. The query stays: it often chooses the feed."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    except ValueError:  # not a number: left as written, it cannot match a working URL
        port = parts.netloc.rpartition(":")[2]
    path = parts.path.rstrip("/") or ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{path}{query}"
