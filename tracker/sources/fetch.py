"""HTTP fetching on one shared client: conditional GET, timeouts, size cap, polite retries."""

from __future__ import annotations

import asyncio
import email.utils
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import httpx

from tracker import __version__
from tracker.backoff import Backoff
from tracker.errors import FetchError
from tracker.sources.netguard import internal_host

log = logging.getLogger(__name__)

USER_AGENT = f"news-tracker/{__version__} (RSS and news monitoring; polite polling)"
_RETRYABLE_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    per_host: int = 2
    host_delay: float = 0.25  # seconds between two requests to one host
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_retry_after: float = 30.0  # a longer Retry-After waits for the next poll instead
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    not_modified: bool = False

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Fetcher:
    """Fetches URLs politely; build one per process and `await aclose()` at the end."""

    settings: FetchSettings = field(default_factory=FetchSettings)
    transport: httpx.AsyncBaseTransport | None = None

    def __post_init__(self) -> None:
        s = self.settings
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,  # followed by hand, so each hop can be checked
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            transport=self.transport,
            trust_env=False,
        )
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.settings.per_host)
        )
        self._next_slot: dict[str, float] = {}
        # Never sooner than the server asked: the jitter only adds.
        self._backoff = Backoff(
            timedelta(seconds=s.backoff), timedelta(seconds=s.max_retry_after), jitter=(1.0, 1.25)
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        internal_allowed: bool = True,
    ) -> Fetched:
        """GET `url`, retrying timeouts, 429 and 5xx with backoff; raise FetchError.

        With `internal_allowed=False`, neither the URL nor a redirect may lead to a
        loopback, private or link-local address.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        failures = 0
        while True:
            try:
                host = urlsplit(url).netloc.lower()
                async with self._hosts[host]:
                    await self._take_turn(host)
                    return await asyncio.wait_for(
                        self._follow(url, headers, internal_allowed), self.settings.total_timeout
                    )
            except TimeoutError:
                error = FetchError(url, f"took longer than {self.settings.total_timeout:g} s")
            except FetchError as exc:
                error = exc
            failures += 1
            if not error.retryable or failures > self.settings.retries:
                raise error
            if error.retry_after > self.settings.max_retry_after:
                raise error  # a long Retry-After waits for the next poll instead
            wait = max(self._backoff.nominal(failures), timedelta(seconds=error.retry_after))
            log.debug("retrying %s in %.1f s: %s", url, wait.total_seconds(), error.reason)
            await asyncio.sleep(self._backoff.jittered(wait).total_seconds())

    async def _take_turn(self, host: str) -> None:
        """Space requests to one host by `host_delay`, politely."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next_slot.get(host, now))
        self._next_slot[host] = slot + self.settings.host_delay
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _follow(
        self, url: str, headers: Mapping[str, str], internal_allowed: bool
    ) -> Fetched:
        """Fetch, following redirects by hand (each hop is checked)."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            if not internal_allowed and await internal_host(urlsplit(current).hostname or ""):
                raise FetchError(
                    url, "refused: the link leads to a private or local network address"
                )
            result = await self._get_once(current, headers)
            if isinstance(result, Fetched):
                return result
            current = result
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    async def _get_once(self, url: str, headers: Mapping[str, str]) -> Fetched | str:
        """The response, or the URL a redirect points to."""
        s = self.settings
        try:
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.is_redirect and response.headers.get("location"):
                    return urljoin(str(response.url), response.headers["location"])
                if response.status_code == 304:
                    return Fetched(str(response.url), 304, _headers(response), not_modified=True)
                if response.status_code >= 400:
                    raise FetchError(
                        url,
                        f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        retryable=response.status_code in _RETRYABLE_STATUS,
                        retry_after=_retry_after(response),
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > s.max_bytes:
                    raise FetchError(url, f"response of {int(declared):,} bytes is over the cap")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > s.max_bytes:
                        raise FetchError(url, f"response over the {s.max_bytes:,}-byte cap")
                    chunks.append(chunk)
                return Fetched(
                    str(response.url), response.status_code, _headers(response), b"".join(chunks)
                )
        except httpx.ConnectTimeout as exc:
            raise FetchError(
                url, f"timed out connecting after {s.connect_timeout:g} s", retryable=True
            ) from exc
        except httpx.ReadTimeout as exc:
            raise FetchError(
                url, f"timed out reading after {s.read_timeout:g} s", retryable=True
            ) from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect: {_reason(exc)}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {_reason(exc)}") from exc


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}


_PLAIN_REASONS = {
    "Name or service not known": "the host name does not resolve",
    "Temporary failure in name resolution": "the host name does not resolve (DNS failure)",
    "nodename nor servname provided": "the host name does not resolve",
    "Connection refused": "the server refused the connection",
    "All connection attempts failed": "the server refused the connection or is unreachable",
    "Network is unreachable": "the network is unreachable",
    "certificate verify failed": "its TLS certificate is not valid",
}


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return next((plain for raw, plain in _PLAIN_REASONS.items() if raw in text), text)


def _retry_after(response: httpx.Response) -> float:
    """Seconds to wait as the server asked (delta or HTTP date); 0 when it did not say."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 0.0
        if when.tzinfo is None:  # "-0000" means UTC of unknown origin
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return 0.0
