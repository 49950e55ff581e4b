"""The operations endpoint of `tracker run --http`: /healthz and /metrics (Prometheus),
served by uvicorn inside the service's own event loop, beside the polls.

Imported only when the endpoint is on, so starlette, uvicorn and prometheus_client load
then and only then."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tracker import __version__
from tracker.errors import TrackerError
from tracker.service.app import App
from tracker.service.desk.access import DeskAccess
from tracker.service.desk.pages import Desk
from tracker.service.metrics import DatabaseFigures, Metrics, read_figures

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 5.0  # seconds the database may take to answer before it counts as down
STOP_TIMEOUT = 10.0  # seconds requests in flight may take to finish at stop
# The classic text format: every Prometheus reads it, and our names need no escaping.
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

T = TypeVar("T")


class Watched(Protocol):
    """What the endpoint reads of the running service."""

    app: App

    @property
    def scheduler_running(self) -> bool: ...

    @property
    def stopping(self) -> bool: ...


class OneAtATime(Generic[T]):
    """A database read at most once at a time, awaited at most `timeout` seconds. While
    one hangs (a database that does not answer), later callers wait for that same read
    instead of piling more onto the database thread."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._running: asyncio.Future[T] | None = None

    async def __call__(self, start: Callable[[], Awaitable[T]]) -> T:
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(start())
            # Its error is read by whoever awaits it; one nobody waits for any more
            # (a timeout) would otherwise be reported as "never retrieved".
            self._running.add_done_callback(lambda f: f.cancelled() or f.exception())
        return await asyncio.wait_for(asyncio.shield(self._running), self.timeout)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The service owns SIGTERM and SIGINT and stops this server itself; uvicorn's
        # handlers would replace the service's.
        yield


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or a TrackerError saying in words why it cannot be."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    prefix = f"cannot serve the operations endpoint on {where}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise TrackerError(f"{prefix}: unknown host ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    # A restart may take the port at once, while the last run's connections linger.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reasons = {
            errno.EADDRINUSE: "the port is already in use (another tracker, or another "
            "program, listens there; choose another port)",
            errno.EADDRNOTAVAIL: "this machine has no such address",
            errno.EACCES: "permission denied (ports below 1024 need privileges)",
        }
        raise TrackerError(f"{prefix}: {reasons.get(exc.errno or 0, exc.strerror)}") from None
    return sock


class OpsServer:
    """Binds at once (raising TrackerError when the address cannot be used), serves from
    `start()` until `stop()`. It gives the app a Metrics object to record into."""

    def __init__(self, service: Watched, host: str, port: int) -> None:
        self.service = service
        self.app = service.app
        self.metrics = Metrics()
        self._socket = _listen(host, port)
        host, port = self._socket.getsockname()[:2]
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self.database_timeout = DATABASE_TIMEOUT
        # The health check has a thread of its own: on the database thread it would wait
        # behind the polls' writes and report a busy database as a dead one.
        self._health_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
        self._check: OneAtATime[None] = OneAtATime(self.database_timeout)
        self._figures: OneAtATime[DatabaseFigures] = OneAtATime(self.database_timeout)
        self._started = time.monotonic()
        routes: list[BaseRoute] = [
            Route("/healthz", self.healthz),
            Route("/metrics", self.metrics_page),
        ]
        self.desk = DeskAccess.for_address(host)
        if self.desk.enabled:
            routes += Desk(self.app, self.desk).routes()
        config = uvicorn.Config(
            Starlette(routes=routes),
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,  # our logging stays as set up
            access_log=False,  # a scrape every 15 s is not news
            server_header=False,
            timeout_graceful_shutdown=int(STOP_TIMEOUT / 2),
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.app.metrics = self.metrics
        self._task = asyncio.create_task(
            self._server.serve(sockets=[self._socket]), name="operations endpoint"
        )
        self._task.add_done_callback(self._ended)
        log.info("operations endpoint listening on %s (/healthz, /metrics)", self.url)
        if self.desk.enabled:
            locked = " (token required)" if self.desk.token else ""
            log.info("desk pages at %s/%s", self.url, locked)
        else:
            log.warning("%s", self.desk.why_off)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=STOP_TIMEOUT)
            except TimeoutError:
                log.warning("operations endpoint: requests still running at stop were dropped")
            except Exception:  # already logged by _ended
                log.debug("operations endpoint had stopped with an error")
        self._socket.close()
        self._health_thread.shutdown(wait=False, cancel_futures=True)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("the operations endpoint stopped: %s", exc, exc_info=exc)

    async def database_state(self) -> str:
        """ok, or what is wrong with the database, in words."""
        loop = asyncio.get_running_loop()
        try:
            await self._check(lambda: loop.run_in_executor(self._health_thread, self.app.db.check))
        except TimeoutError:
            return f"the database did not answer within {self.database_timeout:g} s"
        except TrackerError as exc:
            return str(exc)
        except Exception as exc:  # /healthz must answer whatever the driver raised
            return f"the database check failed: {exc!r}"
        return "ok"

    async def healthz(self, _request: Request) -> JSONResponse:
        database = await self.database_state()
        scheduler = self.service.scheduler_running
        last = self.metrics.last_success_at
        healthy = database == "ok" and scheduler and not self.service.stopping
        body: dict[str, Any] = {
            "status": "ok" if healthy else "failing",
            "scheduler_running": scheduler,
            "stopping": self.service.stopping,
            "database": database,
            "last_successful_poll_at": last.isoformat() if last else None,
            "last_successful_poll_age_seconds": (
                round((datetime.now(UTC) - last).total_seconds(), 3) if last else None
            ),
            "sources": len(self.app.sources),
            "uptime_seconds": round(time.monotonic() - self._started, 3),
            "version": __version__,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def metrics_page(self, _request: Request) -> Response:
        names = [s.name for s in self.app.watchlist.sources]
        figures: DatabaseFigures | None
        try:
            figures = await self._figures(lambda: self.app.db.run(read_figures, names))
        except (TrackerError, TimeoutError) as exc:
            # The process's own counters still say something; tracker_database_up says 0.
            log.debug("metrics: database figures left out: %s", exc or "timed out")
            figures = None
        self.metrics.database.figures = figures
        return Response(self.metrics.render(), media_type=METRICS_CONTENT_TYPE)
