"""A body still arriving holds no HTTP thread, and one too slow is answered 408."""

from contextlib import ExitStack
from urllib.request import urlopen

import pytest

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
