"""The ASGI wrapper that receives a request's whole body, bounded, before the application runs."""

import pytest
from asgiref.testing import ApplicationCommunicator

from config.request_body import BoundedRequestBody

MiB = 2**20


class EchoApp:
    """Answers with the body it was given, then waits for the client to leave, as Django does."""

    def __init__(self):
        self.calls = 0
        self.after_body = None

    async def __call__(self, scope, receive, send):
        self.calls += 1
        message = await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": message["body"]})
        self.after_body = await receive()


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
    request = post(echo, [(b"content-length", b"19")])

    for part in (b"body=", b"in three"):
        await request.send_input({"type": "http.request", "body": part, "more_body": True})
        assert await request.receive_nothing()
        assert echo.calls == 0, "the application runs (and takes a thread) only once it is all in"
    await request.send_input({"type": "http.request", "body": b" parts"})

    assert await answer(request) == (200, {}, "body=in three parts")
    await request.send_input({"type": "http.disconnect"})
    await request.wait(5)
    assert echo.after_body == {"type": "http.disconnect"}, "the server's own receive, passed on"


async def test_a_client_that_leaves_before_the_end_of_its_body_gets_no_application(echo):
    request = post(echo, [(b"content-length", b"100")])

    await request.send_input({"type": "http.request", "body": b"x" * 10, "more_body": True})
    await request.send_input({"type": "http.disconnect"})
    await request.wait(5)

    assert echo.calls == 0


async def test_a_body_that_does_not_arrive_in_time_is_answered_408(echo, settings):
    settings.REQUEST_BODY_SECONDS = 0.2
    request = post(echo, [(b"content-length", b"9")])

    await request.send_input({"type": "http.request", "body": b"abc", "more_body": True})

    status, headers, text = await answer(request)
    assert status == 408
    assert text == "Request body too slow: it did not all arrive within 0.2 s.\n"
    assert headers[b"connection"] == b"close"
    assert echo.calls == 0
