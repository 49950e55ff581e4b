"""tracker.sources.fetch.Fetcher against a real local HTTP server (pytest-httpserver)."""

from __future__ import annotations

import asyncio
import gzip
import threading

import pytest
from werkzeug import Request, Response

from tracker.errors import FetchError
from tracker.sources.fetch import USER_AGENT, Fetched, Fetcher, FetchSettings

# Small timeouts and a tiny backoff keep the retry and timeout tests quick.
QUICK = FetchSettings(
    connect_timeout=2.0, read_timeout=0.5, total_timeout=2.0, backoff=0.01, max_retry_after=5.0
)


# Only a safety net: a broken retry or timeout guard fails the test instead of hanging it.
HANG_GUARD = 30.0


def fetch(url, settings=QUICK, **kwargs) -> Fetched:
    """GET `url` on a fresh Fetcher inside its own event loop, always closing it."""

    async def run():
        fetcher = Fetcher(settings)
        try:
            return await asyncio.wait_for(fetcher.get(url, **kwargs), HANG_GUARD)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def fetch_error(url, settings=QUICK, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, settings, **kwargs)
    assert caught.value.url == url
    return caught.value


def hits(httpserver, path):
    return sum(1 for request, _ in httpserver.log if request.path == path)


@pytest.fixture
def release():
    """An event that lets slow handlers finish at the end of the test (the server is
    single-threaded, so a handler still sleeping would hold up the next test)."""
    event = threading.Event()
    yield event
    event.set()


# --- successful fetches ---------------------------------------------------------------------


def test_a_200_body_comes_back_with_lowercased_headers(httpserver):
    httpserver.expect_request("/feed").respond_with_data(
        "<rss/>",
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Thu, 05 Feb 2026 10:00:00 GMT", "X-Thing": "A"},
    )
    url = httpserver.url_for("/feed")

    fetched = fetch(url)

    assert fetched.status == 200
    assert fetched.body == b"<rss/>"
    assert not fetched.not_modified
    assert fetched.url == url
    assert all(name == name.lower() for name in fetched.headers)
    assert fetched.headers["x-thing"] == "A"
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Thu, 05 Feb 2026 10:00:00 GMT"
    assert fetched.content_type == "application/rss+xml; charset=utf-8"


def test_the_final_url_is_the_one_after_redirects(httpserver):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": "/middle"})
    )
    httpserver.expect_request("/middle").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/new")})
    )
    httpserver.expect_request("/new").respond_with_data("moved here")

    fetched = fetch(httpserver.url_for("/old"))

    assert fetched.status == 200
    assert fetched.url == httpserver.url_for("/new")
    assert fetched.body == b"moved here"


def test_a_gzip_encoded_body_is_decoded(httpserver):
    httpserver.expect_request("/z").respond_with_data(
        gzip.compress("مرحبا".encode() * 100), headers={"Content-Encoding": "gzip"}
    )

    fetched = fetch(httpserver.url_for("/z"))

    assert fetched.body == "مرحبا".encode() * 100


def test_the_user_agent_names_news_tracker(httpserver):
    httpserver.expect_request("/ua").respond_with_data("ok")

    fetch(httpserver.url_for("/ua"))

    (request, _), *_ = httpserver.log
    assert "news-tracker" in request.headers["User-Agent"]
    assert request.headers["User-Agent"] == USER_AGENT


# --- conditional GET -------------------------------------------------------------------------


def _conditional(request: Request) -> Response:
    if request.headers.get("If-None-Match") == '"v7"':
        return Response(status=304, headers={"ETag": '"v7"'})
    if request.headers.get("If-Modified-Since") == "Thu, 05 Feb 2026 10:00:00 GMT":
        return Response(status=304)
    return Response(
        "fresh body",
        headers={"ETag": '"v7"', "Last-Modified": "Thu, 05 Feb 2026 10:00:00 GMT"},
    )


def test_conditional_get_with_the_etag_gives_not_modified(httpserver):
    httpserver.expect_request("/feed").respond_with_handler(_conditional)
    url = httpserver.url_for("/feed")

    first = fetch(url)
    again = fetch(url, etag=first.etag)

    assert first.body == b"fresh body"
    assert first.etag == '"v7"'
    assert again.not_modified
    assert again.status == 304
    assert again.body == b""
    assert httpserver.log[1][0].headers["If-None-Match"] == '"v7"'


def test_conditional_get_with_last_modified_gives_not_modified(httpserver):
    httpserver.expect_request("/feed").respond_with_handler(_conditional)
    url = httpserver.url_for("/feed")

    first = fetch(url)
    again = fetch(url, last_modified=first.last_modified)

    assert again.not_modified
    assert again.body == b""
    assert httpserver.log[1][0].headers["If-Modified-Since"] == first.last_modified


def test_a_stale_etag_gets_the_full_body(httpserver):
    httpserver.expect_request("/feed").respond_with_handler(_conditional)

    fetched = fetch(httpserver.url_for("/feed"), etag='"v6"')

    assert not fetched.not_modified
    assert fetched.body == b"fresh body"


def test_no_conditional_headers_are_sent_without_validators(httpserver):
    httpserver.expect_request("/feed").respond_with_handler(_conditional)

    fetch(httpserver.url_for("/feed"))

    request = httpserver.log[0][0]
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


# --- size cap --------------------------------------------------------------------------------


def test_a_body_of_exactly_the_cap_is_accepted(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 1000)

    fetched = fetch(httpserver.url_for("/big"), FetchSettings(max_bytes=1000))

    assert len(fetched.body) == 1000


def test_a_declared_content_length_over_the_cap_is_refused(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)

    error = fetch_error(httpserver.url_for("/big"), FetchSettings(max_bytes=1000))

    assert "over the cap" in str(error)
    assert "5,000 bytes" in str(error)


def test_a_streamed_body_without_content_length_is_cut_at_the_cap(httpserver):
    def chunks():
        for _ in range(10):
            yield b"y" * 500

    httpserver.expect_request("/stream").respond_with_response(Response(chunks()))

    error = fetch_error(httpserver.url_for("/stream"), FetchSettings(max_bytes=1000))

    # The message of the streaming check, not of the Content-Length one.
    assert "over the 1,000-byte cap" in str(error)


def test_the_cap_applies_to_the_decompressed_body(httpserver):
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < 10_000
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})

    error = fetch_error(httpserver.url_for("/bomb"), FetchSettings(max_bytes=10_000))

    assert "over the 10,000-byte cap" in str(error)


# --- errors and retries ----------------------------------------------------------------------


def test_404_is_an_error_and_is_not_retried(httpserver):
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)

    error = fetch_error(httpserver.url_for("/missing"))

    assert "HTTP 404" in str(error)
    assert not error.retryable
    assert hits(httpserver, "/missing") == 1


def test_503_then_200_is_retried_and_succeeds(httpserver):
    httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_request("/flaky").respond_with_data("at last")

    fetched = fetch(httpserver.url_for("/flaky"))

    assert fetched.body == b"at last"
    assert hits(httpserver, "/flaky") == 2


def test_a_server_error_that_persists_gives_up_after_the_retries(httpserver):
    httpserver.expect_request("/down").respond_with_data("down", status=503)

    error = fetch_error(httpserver.url_for("/down"), QUICK)

    assert "HTTP 503" in str(error)
    assert hits(httpserver, "/down") == QUICK.retries + 1


def test_429_with_retry_after_zero_is_retried(httpserver):
    httpserver.expect_oneshot_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_request("/limited").respond_with_data("ok")

    fetched = fetch(httpserver.url_for("/limited"))

    assert fetched.body == b"ok"
    assert hits(httpserver, "/limited") == 2


def test_a_retry_after_longer_than_the_limit_is_not_waited_for(httpserver):
    httpserver.expect_oneshot_request("/limited").respond_with_data(
        "come back later", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_request("/limited").respond_with_data("ok")

    error = fetch_error(httpserver.url_for("/limited"))

    assert "HTTP 429" in str(error)
    assert error.retry_after == 3600
    assert hits(httpserver, "/limited") == 1


@pytest.mark.parametrize("asked", ["100000000000000", "99999999999999999999999"])
def test_an_absurd_retry_after_is_a_fetch_error_not_a_crash(httpserver, asked):
    httpserver.expect_request("/limited").respond_with_data(
        "come back never", status=503, headers={"Retry-After": asked}
    )

    error = fetch_error(httpserver.url_for("/limited"))

    assert "HTTP 503" in str(error)
    assert hits(httpserver, "/limited") == 1


def test_a_retry_after_http_date_in_the_past_is_retried_at_once(httpserver):
    httpserver.expect_oneshot_request("/limited").respond_with_data(
        "slow down", status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    httpserver.expect_request("/limited").respond_with_data("ok")

    fetched = fetch(httpserver.url_for("/limited"))

    assert fetched.body == b"ok"
    assert hits(httpserver, "/limited") == 2


def test_a_retry_after_date_with_an_unknown_zone_is_still_a_fetch_error(httpserver):
    httpserver.expect_request("/limited").respond_with_data(
        "slow down", status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"}
    )

    fetch_error(httpserver.url_for("/limited"))


def test_a_read_timeout_is_a_fetch_error(httpserver, release):
    def slow(request):
        release.wait(5)
        return Response("too late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    settings = FetchSettings(read_timeout=0.3, total_timeout=2.0, retries=0, backoff=0.01)

    error = fetch_error(httpserver.url_for("/slow"), settings)

    assert "timed out" in str(error)
    assert error.retryable  # a timeout counts as worth retrying


def test_a_body_that_trickles_past_the_total_timeout_is_a_fetch_error(httpserver, release):
    def trickle():
        yield b"<rss>"
        while not release.wait(0.1):
            yield b" "

    httpserver.expect_request("/trickle").respond_with_response(Response(trickle()))
    settings = FetchSettings(read_timeout=1.0, total_timeout=0.5, retries=0, backoff=0.01)

    error = fetch_error(httpserver.url_for("/trickle"), settings)

    assert "took longer than 0.5 s" in str(error)


def test_a_redirect_loop_is_a_fetch_error(httpserver):
    httpserver.expect_request("/a").respond_with_response(
        Response(status=302, headers={"Location": "/b"})
    )
    httpserver.expect_request("/b").respond_with_response(
        Response(status=302, headers={"Location": "/a"})
    )

    error = fetch_error(httpserver.url_for("/a"))

    assert "redirects" in str(error)
    assert f"more than {QUICK.max_redirects} redirects" in str(error)


def test_a_refused_connection_is_a_fetch_error():
    url = "http://127.0.0.1:9/feed"

    error = fetch_error(url)

    assert "cannot connect" in str(error)
    assert url in str(error)


def test_the_fetcher_is_reused_across_requests(httpserver):
    httpserver.expect_request("/one").respond_with_data("1")
    httpserver.expect_request("/two").respond_with_data("2")

    async def run():
        fetcher = Fetcher(QUICK)
        try:
            return await asyncio.gather(
                fetcher.get(httpserver.url_for("/one")), fetcher.get(httpserver.url_for("/two"))
            )
        finally:
            await fetcher.aclose()

    one, two = asyncio.run(run())

    assert (one.body, two.body) == (b"1", b"2")
