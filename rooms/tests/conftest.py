import os
from uuid import uuid4

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from rooms import limits
from rooms.models import Room
from rooms.tests.servers import RedisServer, Server
from rooms.tests.sessions import session_cookie
from rooms.time_zones import zones_in_use

HOST = b"testserver"
ORIGIN = b"http://testserver"


@pytest.fixture
def room(db):
    return Room.objects.create(name="Lobby", slug="lobby", description="Everyone")


@pytest.fixture
def make_user(db):
    def make_user(username):
        return get_user_model().objects.create_user(username, password="correct horse battery")

    return make_user


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def secret(alice):
    """A private room with alice its one member."""
    room = Room.objects.create(name="Secret", slug="secret", is_private=True)
    room.members.add(alice)
    return room


@pytest.fixture
def unlimited_posting(settings):
    """For tests that seed a long history through the posting path."""
    settings.POST_RATE = (10_000, 1)


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    # Each test runs on its own event loop; a layer built on an earlier one must not leak.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    # Rate-limit counters must not leak from test to test. A fresh key prefix, not a
    # flush: on Redis the cache shares its database with the channel layer.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": uuid4().hex} for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The rate limiter's clock, held at the start of a window (which never turns over in the
    middle of a test) and moved by hand."""

    class Clock:
        now = 1_800_000_000.0

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(limits, "wall_clock", clock.time)
    monkeypatch.setattr(limits, "uncounted_until", 0.0)  # no cache outage carried over
    return clock


@pytest.fixture(autouse=True)
def no_zones_in_use_carried_over():
    # Read again from each test's database: a rolled-back test's profiles never commit.
    zones_in_use.forget()


@pytest.fixture(autouse=True)
def plain_http(settings):
    # Production sits behind TLS and redirects plain HTTP; tests talk plain HTTP on loopback.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def application():
    # Imported late: config.asgi sets Django up, which must come after pytest-django's set-up.
    from config.asgi import application

    return application


@pytest.fixture
async def connect(application):
    """Open a room socket as `user` (anonymous when None); all are closed after the test.

    `cookie` gives a session cookie of the test's own; `origin` the page's origin and `host`
    the Host header a browser sends with it; `address` the client's address (as the server
    takes it from the proxy), none by default; `handshake_seconds` how long the handshake
    may take. Like the room page, the socket then says it holds the room's messages so far
    (the #resume form); `resume=False` leaves that to the test.
    """
    opened = []

    async def connect(
        slug="lobby",
        user=None,
        cookie=None,
        origin=ORIGIN,
        host=HOST,
        expect_accept=True,
        resume=True,
        address=None,
        handshake_seconds=1,
    ):
        headers = [(b"host", host), (b"origin", origin)]
        if user is not None and cookie is None:
            cookie = await session_cookie(user)
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        socket = WebsocketCommunicator(application, f"/ws/rooms/{slug}/", headers=headers)
        if address:
            socket.scope["client"] = (address, 50000)
        connected, _ = await socket.connect(handshake_seconds)
        assert connected is expect_accept
        opened.append(socket)
        room = await Room.objects.filter(slug=slug).afirst()
        if connected and resume and room is not None:
            await socket.send_json_to({"last_seq": room.last_seq})
        return socket

    yield connect
    for socket in opened:
        if not socket.future.done():
            await socket.disconnect()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, django_db_blocker):
    """One real daphne process for the session, on the test database."""
    server = Server().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse
    # ORM calls from fixtures; browser tests run in a pytest process of their own.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                # What screen readers are told, for chrome://accessibility to show.
                "--force-renderer-accessibility",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server on loopback, so a test may stop and restart it."""
    redis = RedisServer(tmp_path)
    yield redis.start()
    redis.stop()


@pytest.fixture
def start_server(tmp_path):
    """Start real daphne (or uvicorn) processes on the test database; all stop after the test.

    Each one logs to a file the test can read, `server.log_path`.
    """
    started = []

    def start_server(port=None, kind="daphne", **env):
        log_path = tmp_path / f"{kind}-{port or len(started)}.log"
        server = Server(port=port, extra_env=env, log_path=log_path, kind=kind).start()
        started.append(server)
        return server

    yield start_server
    for server in started:
        server.stop()
