"""The watchlist schema of DESIGN.md as pydantic models; unknown keys are errors."""

from __future__ import annotations

import re
from datetime import UTC, time, timedelta, tzinfo
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from config.intervals import INTERVAL_PATTERN, parse_interval

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_DIGEST = re.compile(r"^(hourly|daily ([01]\d|2[0-3]):[0-5]\d)$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _clock(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: write an IANA name such as Asia/Damascus"
        ) from exc
    return name


def _interval(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_interval(value)


# What editors are told (`tracker schema`): the validators below take text, not the types
# they return. `off` in any case, or YAML 1.1's false, switches a limit off.
_INTERVAL_JSON = {"type": "string", "pattern": INTERVAL_PATTERN, "examples": ["15m", "1h30m"]}
_LIMIT_JSON = {
    "anyOf": [
        _INTERVAL_JSON,
        {"type": "string", "pattern": r"^\s*[Oo][Ff][Ff]\s*$"},
        {"const": False},
    ]
}
Interval = Annotated[timedelta, PlainValidator(_interval), WithJsonSchema(_INTERVAL_JSON)]


def _max_age(value: Any) -> timedelta | Literal["off"]:
    # YAML 1.1 readers turn a bare `off` into False; take it as meant.
    if value is False or (isinstance(value, str) and value.strip().lower() == "off"):
        return "off"
    try:
        return _interval(value)
    except ValueError as exc:
        raise ValueError(f"{exc}; or write off to alert on articles of any age") from exc


MaxAge = Annotated[
    timedelta | Literal["off"], PlainValidator(_max_age), WithJsonSchema(_LIMIT_JSON)
]
DEFAULT_MAX_AGE = timedelta(days=3)
DEFAULT_RETENTION = timedelta(days=90)
MIN_RETENTION = timedelta(days=1)


def _retention(value: Any) -> timedelta | Literal["off"]:
    if value is False or (isinstance(value, str) and value.strip().lower() == "off"):
        return "off"  # YAML 1.1's bare off, as for max_age
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"retention {value} has no unit: write {value}d for {value} days")
    try:
        limit = _interval(value)
    except ValueError:
        raise ValueError(
            f"invalid retention {value!r}: write a number of days such as 90d "
            "(or h, m, s), or off to keep article bodies for ever"
        ) from None
    if limit < MIN_RETENTION:
        # Most likely months meant as minutes ("3m"), which would empty every body at once.
        unit = " (m means minutes)" if "m" in str(value) else ""
        raise ValueError(
            f"retention {value!r} is shorter than a day{unit}: write days, such as 90d"
        )
    return limit


Retention = Annotated[
    timedelta | Literal["off"], PlainValidator(_retention), WithJsonSchema(_LIMIT_JSON)
]
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=100)]


def _term(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a year or a count, written without quotes
    if not isinstance(value, str):
        raise ValueError(f"a term is text; write it in quotes ({value!r})")
    if not any(c.isalnum() for c in value):
        raise ValueError(f"the term {value!r} has no letters or digits to match")
    if "*" in value.rstrip()[:-1]:
        raise ValueError(f"in {value!r}, '*' may only end a term (a prefix match)")
    return value


Term = Annotated[str, PlainValidator(_term, json_schema_input_type=str | int)]


def check_http_url(url: str) -> str:
    """Accept only absolute http(s) URLs with a host; say plainly what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"invalid URL {url!r}: it must start with http:// or https://")
    if not parts.hostname:
        raise ValueError(f"invalid URL {url!r}: it has no host name")
    return url.strip()


def parse_listen_address(text: str) -> tuple[str, int]:
    """`host:port` (`[::1]:8080` for IPv6) as (host, port); port 0 takes a free port."""
    host, sep, port = text.strip().rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    if bracketed:
        host = host[1:-1]
    if (
        not sep
        or not host
        or not port.isdigit()
        or int(port) > 65535
        or any(c.isspace() or c in "/@[]" for c in host)
        or (":" in host and not bracketed)
    ):
        raise ValueError(
            f"invalid address {text!r}: write host:port, such as 127.0.0.1:8080 "
            "(0.0.0.0:8080 listens on every interface, [::1]:8080 on IPv6)"
        )
    return host, int(port)


def _listen_address(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"invalid address {value!r}: write host:port in quotes")
    parse_listen_address(value)
    return value.strip()


ListenAddress = Annotated[str, PlainValidator(_listen_address, json_schema_input_type=str)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(_Strict):
    every: Interval = timedelta(minutes=15)
    robots: bool = False  # respect each site's robots.txt
    # Articles published longer than this before they are found are stored, not alerted.
    max_age: MaxAge = DEFAULT_MAX_AGE


class Ops(_Strict):
    """Where the service reports on itself: a source down, and back."""

    channel: str
    down_after: int = Field(default=5, ge=1, le=1000)  # consecutive failed polls


class Channel(_Strict):
    """Where alerts go: an apprise URL. An empty URL switches the channel off."""

    url: str
    # "hourly" or "daily HH:MM": one message per period. The patterns are for editors (the
    # JSON Schema); the validators below say what is wrong in words.
    digest: str | None = Field(None, json_schema_extra={"pattern": _DIGEST.pattern})
    # "HH:MM-HH:MM": alerts held until it ends, then sent together.
    quiet: str | None = Field(None, json_schema_extra={"pattern": _QUIET.pattern})
    timezone: str = "UTC"  # of digest and quiet times
    template: str | None = None  # a Jinja2 file beside the watchlist: *.md.j2 or *.html.j2

    @field_validator("url")
    @classmethod
    def _known_to_apprise(cls, url: str) -> str:
        url = url.strip()
        if not url:
            return url
        # Imported here: apprise takes longer to load than the rest of the watchlist, and a
        # channel without a URL (off) needs none of it.
        import apprise
        from apprise.manager_plugins import NotificationManager

        if apprise.Apprise.instantiate(url) is None:
            # Never echo the URL: it usually carries a token or a password.
            scheme = url.split("://", 1)[0].lower() if "://" in url else ""
            manager = NotificationManager()  # type: ignore[no-untyped-call]
            if scheme in manager.schemas():  # type: ignore[no-untyped-call]
                problem = f"is not a valid {manager[scheme].service_name} URL"
            else:
                problem = f"has an unknown service {scheme!r}" if scheme else "has no scheme"
            raise ValueError(
                f"the channel URL {problem}; the apprise wiki "
                "(https://github.com/caronc/apprise/wiki) shows each service's URL"
            )
        return url

    @field_validator("digest")
    @classmethod
    def _digest_format(cls, digest: str | None) -> str | None:
        if digest is not None and not _DIGEST.match(digest.strip()):
            raise ValueError(f"invalid digest {digest!r}: write 'hourly' or 'daily HH:MM'")
        return digest

    @field_validator("quiet")
    @classmethod
    def _quiet_format(cls, quiet: str | None) -> str | None:
        if quiet is not None and not _QUIET.match(quiet.strip()):
            raise ValueError(
                f"invalid quiet hours {quiet!r}: write 'HH:MM-HH:MM', e.g. 23:00-07:00"
            )
        return quiet.strip() if quiet is not None else None

    @field_validator("timezone")
    @classmethod
    def _channel_zone(cls, name: str) -> str:
        return _known_zone(name)

    @field_validator("template")
    @classmethod
    def _template_kind(cls, template: str | None) -> str | None:
        if template is not None and not template.endswith((".md.j2", ".html.j2")):
            raise ValueError(
                f"template {template!r} must end in .md.j2 (chat) or .html.j2 (e-mail)"
            )
        return template

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def daily_at(self) -> time | None:
        """The time of day of a daily digest (None: hourly, or no digest)."""
        if self.digest is None or self.digest.strip() == "hourly":
            return None
        return _clock(self.digest.split()[1])

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """Quiet hours as (start, end) times of day; the end may come before the start."""
        if self.quiet is None:
            return None
        start, end = self.quiet.split("-")
        return _clock(start), _clock(end)

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class ArticleHints(_Strict):
    """CSS selectors that tell the extractor where a source keeps its article parts."""

    title: str | None = None
    body: str | None = None
    date: str | None = None


class Source(_Strict):
    name: Name
    feed: str | None = None
    page: str | None = None
    sitemap: str | None = None
    links: str | None = None
    article: ArticleHints | None = None
    every: Interval | None = None
    robots: bool | None = None  # respect robots.txt (default: the file's defaults)
    timezone: str | None = None  # the outlet's zone, for dates printed without an offset
    max_age: MaxAge | None = None  # default: the file's defaults
    enabled: bool = True

    @field_validator("timezone")
    @classmethod
    def _source_zone(cls, name: str | None) -> str | None:
        return _known_zone(name) if name is not None else None

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone) if self.timezone else UTC

    @field_validator("feed", "page", "sitemap")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        return None if url is None else check_http_url(url)

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        given = [k for k in ("feed", "page", "sitemap") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "a source needs exactly one of 'feed', 'page' or 'sitemap'"
                + (f" (it has {', '.join(given)})" if given else "")
            )
        if self.page and not self.links:
            raise ValueError("a 'page' source needs 'links': the CSS selector of its article links")
        if self.links and not self.page:
            raise ValueError("'links' only applies to a 'page' source")
        return self

    @property
    def kind(self) -> Literal["feed", "page", "sitemap"]:
        if self.feed:
            return "feed"
        return "page" if self.page else "sitemap"

    @property
    def url(self) -> str:
        return self.feed or self.page or self.sitemap or ""

    @property
    def interval(self) -> timedelta:
        """The poll interval; the loader fills `every` from the file's defaults."""
        return self.every or Defaults().every


class Topic(_Strict):
    """What a user watches: `any` term, or one term from `all` groups, and no `none` term."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: Name
    title: str | None = None
    any: list[Term] = []
    all: list[Annotated[list[Term], Field(min_length=1)]] = []
    none: list[Term] = []
    in_: list[Literal["title", "body"]] = Field(default=["title", "body"], alias="in", min_length=1)
    notify: list[str] = []
    urgent: bool = False  # alerts even in a channel's quiet hours

    @model_validator(mode="after")
    def _has_terms(self) -> Topic:
        if not self.any and not self.all:
            raise ValueError("a topic needs 'any' terms or 'all' term groups")
        return self

    @property
    def label(self) -> str:
        return self.title or self.name


def _channel_or_url(schema: dict[str, Any]) -> None:
    """Tell editors what `_url_shorthand` accepts: a channel may be its URL alone."""
    for pattern, channel in schema["patternProperties"].items():
        schema["patternProperties"][pattern] = {"anyOf": [{"type": "string"}, channel]}
    schema["additionalProperties"] = False  # a name the pattern refuses is a mistake too


class Watchlist(_Strict):
    version: Literal[1]
    defaults: Defaults = Defaults()
    channels: dict[Name, Channel] = Field(default={}, json_schema_extra=_channel_or_url)
    sources: list[Source] = []
    topics: list[Topic] = []
    ops: Ops | None = None
    # Where `tracker run` serves /healthz and /metrics; --http and $TRACKER_HTTP win.
    http: ListenAddress | None = None
    # How long article bodies are kept (None: the default); see retention_limit.
    retention: Retention | None = None

    @field_validator("channels", mode="before")
    @classmethod
    def _url_shorthand(cls, channels: Any) -> Any:
        if isinstance(channels, dict):
            return {k: {"url": v} if isinstance(v, str) else v for k, v in channels.items()}
        return channels

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    @property
    def retention_limit(self) -> timedelta | None:
        """How long after publication an article's body is kept; None: for ever."""
        if self.retention is None:
            return DEFAULT_RETENTION
        return None if self.retention == "off" else self.retention

    def age_limit(self, outlet: str) -> timedelta | None:
        """How old an article of `outlet` may be when found and still alert (its source's
        max_age, else the defaults'); None: any age."""
        source = self.source(outlet)
        own = source.max_age if source is not None else None
        max_age = self.defaults.max_age if own is None else own
        return None if max_age == "off" else max_age
