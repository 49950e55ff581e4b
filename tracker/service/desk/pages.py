"""The desk's routes: Starlette handlers rendering Jinja2 templates (autoescaped), with a
little progressive enhancement (the stories list refreshes itself every 30 s)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from alerts import outbox
from alerts.render import is_arabic
from config.intervals import ago, parse_interval
from tracker.service.app import App
from tracker.service.desk import reads
from tracker.service.desk.access import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    DeskAccess,
    csrf_matches,
    new_csrf_token,
)
from tracker.stories.why import why_of
from tracker.text.snippets import Snippet

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
PERIODS = ("24h", "3d", "7d", "30d", "all")
DEFAULT_PERIOD = "7d"
REFRESH_SECONDS = 30
STATUSES = ("pending", "held", "sent", "dead", "digested")
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 4096

Handler = Callable[[Request], Awaitable[Response]]


class Desk:
    def __init__(self, app: App, access: DeskAccess) -> None:
        self.app = app
        self.access = access
        self.templates = Jinja2Templates(directory=TEMPLATES)
        self.templates.env.filters.update(when=_when, ago=ago, direction=_direction, marked=_marked)

    def routes(self) -> list[BaseRoute]:
        guarded = self._guarded
        return [
            Route("/", guarded(self.stories)),
            Route("/story/{story_id:int}", guarded(self.story)),
            Route("/search", guarded(self.search)),
            Route("/sources", guarded(self.sources)),
            Route("/alerts", guarded(self.alerts)),
            Route("/alerts/retry", guarded(self.retry), methods=["POST"]),
            Route("/login", self.login, methods=["GET", "POST"]),
        ]

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            if not self.access.host_allowed(_host(request)):
                # Open on loopback only to this machine's names: a page whose name was
                # re-pointed at 127.0.0.1 (DNS rebinding) must not read the desk.
                return HTMLResponse("this desk answers to localhost only", 421)
            cookie = request.cookies.get(SESSION_COOKIE)
            if not self.access.allows(request.headers.get("authorization"), cookie):
                return self._page(request, "login.html", {"next": request.url.path}, 401)
            return await handler(request)

        return guarded

    def _page(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
        response = self.templates.TemplateResponse(
            request,
            name,
            {
                **context,
                "csrf": csrf,
                "csrf_field": CSRF_FIELD,
                "needs_login": self.access.token is not None,
                "now": datetime.now(UTC),
            },
            status_code=status,
        )
        if request.cookies.get(CSRF_COOKIE) != csrf:
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
        return response

    async def stories(self, request: Request) -> Response:
        topic = request.query_params.get("topic") or None
        period = request.query_params.get("since") or DEFAULT_PERIOD
        if period not in PERIODS:
            period = DEFAULT_PERIOD
        since = None if period == "all" else datetime.now(UTC) - parse_interval(period)
        rows = await self.app.db.run(reads.stories, topic, since, 100)
        context = {
            "rows": rows,
            "topic": topic,
            "period": period,
            "periods": PERIODS,
            "topics": [t.name for t in self.app.watchlist.topics],
            "refresh": REFRESH_SECONDS,
        }
        name = "stories_list.html" if request.query_params.get("fragment") else "stories.html"
        return self._page(request, name, context)

    async def story(self, request: Request) -> Response:
        story_id = int(request.path_params["story_id"])
        page = await self.app.db.run(reads.story, story_id)
        if page is None:
            return self._page(request, "missing.html", {"what": f"story {story_id}"}, 404)
        whys = {a.id: why_of(a, page.outlets) for a in page.timeline.articles}
        return self._page(request, "story.html", {"page": page, "whys": whys})

    async def search(self, request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()
        results: list[Any] = []
        if query:
            from tracker.service.search import search_articles

            results = await self.app.db.run(search_articles, query, limit=50)
        return self._page(request, "search.html", {"query": query, "results": results})

    async def sources(self, request: Request) -> Response:
        rows = await self.app.db.run(reads.sources)
        sources = [(s, rows.get(s.name)) for s in self.app.watchlist.sources]
        return self._page(request, "sources.html", {"sources": sources})

    async def alerts(self, request: Request) -> Response:
        status = request.query_params.get("status") or None
        if status not in STATUSES:
            status = None
        page = await self.app.db.run(reads.alerts, status)
        context = {
            "page": page,
            "status": status,
            "statuses": STATUSES,
            "retried": request.query_params.get("retried"),
        }
        return self._page(request, "alerts.html", context)

    async def retry(self, request: Request) -> Response:
        form = await _form(request)
        submitted = form.get(CSRF_FIELD)
        if not _same_origin(request) or not csrf_matches(
            request.cookies.get(CSRF_COOKIE), str(submitted or "")
        ):
            log.warning("desk: a retry without a valid CSRF token was refused")
            return HTMLResponse("refused: the form is stale or came from another site", 403)
        alert_id = str(form.get("id") or "")
        ids = [int(alert_id)] if alert_id.isdigit() else None
        count = await self.app.db.run(outbox.retry_dead, ids)
        log.info("desk: %d dead alerts queued again", count)
        return RedirectResponse(f"/alerts?retried={count}", status_code=303)

    async def login(self, request: Request) -> Response:
        target = request.query_params.get("next") or "/"
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # never send a browser to another site after login
        if request.method == "GET" or self.access.token is None:
            return self._page(request, "login.html", {"next": target})
        form = await _form(request)
        if not self.access.token_matches(str(form.get("token") or "")):
            context = {"next": target, "error": "That token is not the desk's."}
            return self._page(request, "login.html", context, 401)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE, self.access.session_value(), httponly=True, samesite="strict"
        )
        return response


async def _form(request: Request) -> dict[str, str]:
    """A small url-encoded form (what the desk's own forms post); anything else is empty.
    Read here rather than with Starlette's parser, which needs python-multipart."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPE):
        return {}
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return {}
    body = b""
    async for chunk in request.stream():  # capped as it is read, whatever it declared
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items()}


def _host(request: Request) -> str:
    """The name the browser asked for, without its port."""
    host = request.headers.get("host", "")
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0]


def _same_origin(request: Request) -> bool:
    """A POST from the desk's own page: its Origin (or Referer), when the browser sends
    one, names the host it was posted to. Another port of 127.0.0.1 is same-site, so
    SameSite cookies alone would let its pages post here."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # a browser sends Origin on every cross-site POST: none is not one
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "unknown"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d %b %H:%M UTC")


def _marked(snippet: Snippet | None) -> Markup:
    """A search snippet with its matching words in <mark>, every piece escaped."""
    from markupsafe import escape

    if snippet is None:
        return Markup()
    out, done = Markup(), 0
    for begin, end in snippet.marks:
        out += escape(snippet.text[done:begin]) + Markup("<mark>")
        out += escape(snippet.text[begin:end]) + Markup("</mark>")
        done = end
    return out + escape(snippet.text[done:])


def _direction(text: str | None) -> str:
    """rtl for Arabic text; the template also sets dir=auto for what it cannot tell."""
    return "rtl" if text and is_arabic(text) else "auto"
