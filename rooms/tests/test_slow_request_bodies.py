"""A body still arriving holds no HTTP thread, and one too slow is answered 408."""

from contextlib import ExitStack
from urllib.request import urlopen

import pytest
from asgiref.testing import ApplicationCommunicator

from config.request_body import BoundedRequestBody
from rooms.tests.raw_http import open_post, read_answer

pytestmark = pytest.mark.django_db(transaction=True)

SERVERS = ["daphne", "uvicorn"]


def start_slow_post(server):
    """A POST announcing 100,000 bytes that sends 10 of them and then nothing."""
    sock = open_post(server, length=100_000)
    sock.sendall(b"x" * 10)
    return sock


@pytest.mark.parametrize("kind", SERVERS)
def test_pages_are_served_while_more_bodies_are_arriving_than_there_are_threads(
    start_server, room, kind
):
    server = start_server(kind=kind, SOCICO_HTTP_THREADS="2", SOCICO_REQUEST_BODY_SECONDS="60")

    with ExitStack() as slow_posts:
        for _ in range(4):
            slow_posts.enter_context(start_slow_post(server))
        with urlopen(f"{server.url}/", timeout=10) as page:
            assert page.status == 200
            assert b'href="/rooms/lobby/"' in page.read()


@pytest.mark.parametrize("kind", SERVERS)
def test_a_body_that_does_not_arrive_in_time_is_answered_408(start_server, kind):
    server = start_server(kind=kind, SOCICO_REQUEST_BODY_SECONDS="1")

    with start_slow_post(server) as sock:
        status, text = read_answer(sock, timeout=15)

    assert status == 408, text or "no answer"
    assert "Request body too slow: it did not all arrive within 1 s." in text


async def test_the_wrapper_answers_408_without_running_the_application(settings):
    settings.REQUEST_BODY_SECONDS = 0.2
    called = []

    async def application(scope, receive, send):
        called.append(scope)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"9")]}
    request = ApplicationCommunicator(BoundedRequestBody(application), scope)
    await request.send_input({"type": "http.request", "body": b"abc", "more_body": True})

    start = await request.receive_output(5)
    assert start["status"] == 408
    assert (await request.receive_output(5))["body"].startswith(b"Request body too slow")
    assert called == []
