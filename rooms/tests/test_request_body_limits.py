"""A request body over SOCICO_MAX_REQUEST_BYTES is refused before it is read, on both servers."""

from pathlib import Path
from urllib.request import urlopen

import pytest
from asgiref.testing import ApplicationCommunicator

from config.request_body import BoundedRequestBody
from rooms.tests.raw_http import open_post, send_body_until_answered

MiB = 2**20


class EchoApp:
    """An application that answers with the body it was given, and counts its calls."""

    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        message = await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": message["body"]})


@pytest.fixture
def echo():
    return EchoApp()


def post(app, headers=()):
    scope = {"type": "http", "method": "POST", "path": "/", "headers": list(headers)}
    return ApplicationCommunicator(BoundedRequestBody(app), scope)


async def answer(request):
    start = await request.receive_output(5)
    body = await request.receive_output(5)
    return start["status"], dict(start["headers"]), body["body"].decode()


async def test_a_body_announced_over_the_limit_is_refused_before_any_of_it_is_read(echo):
    request = post(echo, [(b"content-length", str(MiB + 1).encode())])

    status, headers, text = await answer(request)  # the test has sent no body at all

    assert status == 413
    assert text == "Request body too large: this server takes at most 1,048,576 bytes.\n"
    assert headers[b"connection"] == b"close"
    assert echo.calls == 0


async def test_an_unannounced_body_is_cut_off_as_soon_as_it_passes_the_limit(echo, settings):
    settings.MAX_REQUEST_BYTES = 1000
    request = post(echo)

    for _ in range(2):
        await request.send_input({"type": "http.request", "body": b"x" * 400, "more_body": True})
    assert await request.receive_nothing()
    await request.send_input({"type": "http.request", "body": b"x" * 400, "more_body": True})

    status, _, text = await answer(request)
    assert status == 413
    assert "at most 1,000 bytes" in text
    assert echo.calls == 0


async def test_the_application_runs_once_the_whole_body_is_in_and_gets_it_in_one_message(echo):
    request = post(echo, [(b"content-length", b"15")])

    for part in (b"body=", b"in three"):
        await request.send_input({"type": "http.request", "body": part, "more_body": True})
        assert await request.receive_nothing()
        assert echo.calls == 0, "the application runs (and takes a thread) only once it is all in"
    await request.send_input({"type": "http.request", "body": b" parts"})

    assert await answer(request) == (200, {}, "body=in three parts")


async def test_a_client_that_leaves_before_the_end_of_its_body_gets_no_application(echo):
    request = post(echo, [(b"content-length", b"100")])

    await request.send_input({"type": "http.request", "body": b"x" * 10, "more_body": True})
    await request.send_input({"type": "http.disconnect"})
    await request.wait(5)

    assert echo.calls == 0


def resident_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
@pytest.mark.parametrize("chunked", [False, True], ids=["announced", "chunked"])
def test_a_large_body_is_refused_without_the_server_holding_it(start_server, kind, chunked):
    server = start_server(kind=kind)
    urlopen(f"{server.url}/", timeout=10).read()  # a first request, to warm it up
    before = resident_bytes(server.process.pid)

    with open_post(server, length=50 * MiB, chunked=chunked) as sock:
        status, text, sent = send_body_until_answered(sock, 50 * MiB, chunked=chunked)

    grown = resident_bytes(server.process.pid) - before
    what = f"{kind} grew by {grown / MiB:.0f} MiB on {sent / MiB:.0f} MiB sent, then answered"
    assert status == 413, f"{what} {text.partition(chr(13))[0]!r}"
    assert "Request body too large" in text
    assert grown < 10 * MiB, what
