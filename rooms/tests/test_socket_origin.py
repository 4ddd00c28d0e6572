"""A room socket opens only from this site's own origin, by Django's CSRF origin rule:
scheme, host and port exactly as the handshake's Host says, or a trusted origin."""

import inspect

import pytest
from channels.testing import WebsocketCommunicator
from django.middleware.csrf import CsrfViewMiddleware

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL_HOSTS = ["localhost", "127.0.0.1", "testserver"]


@pytest.fixture
def local_hosts(settings):
    settings.ALLOWED_HOSTS = LOCAL_HOSTS


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        (b"localhost:8000", b"http://localhost:8000"),
        (b"127.0.0.1:8000", b"http://127.0.0.1:8000"),
        (b"testserver", b"http://testserver"),
    ],
)
async def test_a_page_of_the_site_itself_opens_its_socket(connect, room, local_hosts, host, origin):
    await connect(host=host, origin=origin)


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        (b"testserver", b"http://testserver:9999"),  # another port
        (b"testserver:8000", b"http://testserver"),  # no port is port 80
        (b"testserver", b"https://testserver"),  # https over plain HTTP
        (b"localhost:8000", b"http://localhost:9999"),
        (b"127.0.0.1", b"https://127.0.0.1"),
        (b"testserver", b"http://localhost"),  # another allowed host
        (b"localhost:8000", b"null"),  # a sandboxed frame or a file
        (b"evil.example", b"http://evil.example"),  # a host not allowed
        (b"localhost:8000", b"http://localhost:8000.evil.example"),
    ],
)
async def test_a_page_from_another_origin_is_refused(connect, room, local_hosts, host, origin):
    await connect(host=host, origin=origin, expect_accept=False)


async def opens(application, headers, **server_scope):
    """Whether a handshake with these headers opens; `server_scope` is what the server adds."""

    async def served(scope, receive, send):
        return await application({**scope, **server_scope}, receive, send)

    socket = WebsocketCommunicator(served, "/ws/rooms/lobby/", headers=headers)
    connected, _ = await socket.connect()
    await socket.disconnect()
    return connected


@pytest.mark.parametrize(
    "headers", [[(b"host", b"testserver")], [(b"origin", b"http://testserver")]]
)
async def test_a_handshake_without_an_origin_or_host_is_refused(application, room, headers):
    assert await opens(application, headers) is False


CHAT = [(b"host", b"chat.example.com")]
HTTPS_OR_NOT = pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"https://chat.example.com", True), (b"http://chat.example.com", False)],
)


@HTTPS_OR_NOT
async def test_behind_the_tls_proxy_the_origin_is_https(
    application, room, settings, origin, accepted
):
    settings.ALLOWED_HOSTS = ["chat.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = [*CHAT, (b"origin", origin), (b"x-forwarded-proto", b"https")]

    assert await opens(application, headers) is accepted


@HTTPS_OR_NOT
async def test_over_tls_itself_the_origin_is_https(application, room, settings, origin, accepted):
    settings.ALLOWED_HOSTS = ["chat.example.com"]

    assert await opens(application, [*CHAT, (b"origin", origin)], scheme="wss") is accepted


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"https://app.example.com", True),
        (b"https://www.example.org", True),
        (b"http://www.example.org", False),
        (b"https://example.net", False),
    ],
)
async def test_a_trusted_origin_opens_a_socket(connect, room, settings, origin, accepted):
    settings.ALLOWED_HOSTS = ["chat.example.com"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com", "https://*.example.org"]

    await connect(host=b"chat.example.com", origin=origin, expect_accept=accepted)


def test_djangos_origin_rule_is_still_where_the_socket_check_calls_it():
    moved = (
        "Django moved CsrfViewMiddleware._origin_verified(request), which config/socket_origin.py"
        " calls: follow it there before upgrading Django (requirements.txt pins it)."
    )
    rule = getattr(CsrfViewMiddleware, "_origin_verified", None)

    assert rule is not None, moved
    assert list(inspect.signature(rule).parameters) == ["self", "request"], moved
