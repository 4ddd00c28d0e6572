"""What our overrides of framework internals rely on: each test names the file and what moved.

requirements.txt pins the versions these hold for; upgrading one of them runs these first.
"""

import asyncio
import inspect
import threading
from importlib.metadata import version
from pathlib import Path

import daphne.server
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from channels.sessions import InstanceSessionWrapper, SessionMiddleware
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.core.signals import request_started
from django.test.signals import template_rendered
from redis.asyncio import BlockingConnectionPool
from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.web import http

from config.daphne_server import BoundedHTTPFactory, BoundedWebRequest
from config.http import ThreadPoolASGIHandler
from config.socket_auth import SocketSessionMiddleware
from rooms.layers import REDIS_POOL_SIZE, RedisChannelLayer
from rooms.publisher import server_loop

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"
# The packages whose internals the overrides below rely on.
OVERRIDDEN = ["Django", "asgiref", "channels", "channels-redis", "redis", "daphne", "Twisted"]


def names_used_by(function):
    return set(function.__code__.co_names)


def test_requirements_pin_every_package_an_override_relies_on():
    pins = dict(
        line.split("==")
        for line in REQUIREMENTS.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for package in OVERRIDDEN:
        assert package in pins, f"requirements.txt must pin {package}: an override relies on it"
        assert version(package) == pins[package], (
            f"{package} {version(package)} is installed, requirements.txt pins {pins[package]}"
        )


# config/http.py


def test_asgiref_takes_the_executor_config_http_runs_requests_on():
    assert "executor" in inspect.signature(ThreadSensitiveContext).parameters, (
        "config/http.py needs ThreadSensitiveContext(executor=...) from asgiref >= 3.13,"
        f" found asgiref {version('asgiref')}"
    )


def test_django_still_runs_the_middleware_chain_config_http_replaces():
    assert "_middleware_chain" in names_used_by(BaseHandler.get_response_async), (
        "config/http.py replaces BaseHandler._middleware_chain with one thread hop, but"
        f" Django {version('django')}'s get_response_async no longer awaits it"
    )
    assert list(inspect.signature(ASGIHandler.handle).parameters) == [
        "self",
        "scope",
        "receive",
        "send",
    ], f"config/http.py calls ASGIHandler.handle(scope, receive, send); Django {version('django')}"


async def test_a_request_runs_its_signals_middleware_and_view_on_one_http_thread(settings):
    settings.HTTP_THREADS = 1
    threads = []

    def note_thread(**kwargs):
        threads.append(threading.current_thread().name)

    request_started.connect(note_thread)
    template_rendered.connect(note_thread)  # sent while the view renders, in its thread
    try:
        login_page = HttpCommunicator(
            ThreadPoolASGIHandler(), "GET", "/accounts/login/", headers=[(b"host", b"testserver")]
        )
        response = await login_page.get_response(10)
        await login_page.wait(10)
    finally:
        request_started.disconnect(note_thread)
        template_rendered.disconnect(note_thread)

    assert response["status"] == 200
    assert threads, "neither the request_started signal nor the view's templates were seen"
    assert set(threads) == {"http-0_0"}, (
        f"config/http.py ran a request on threads {sorted(set(threads))}, not its own http-0:"
        " Django's handler or asgiref's ThreadSensitiveContext has changed"
    )


# config/socket_auth.py


def test_channels_session_middleware_does_what_config_socket_auth_copies():
    assert names_used_by(SessionMiddleware.__call__) == {
        "InstanceSessionWrapper",
        "resolve_session",
        "inner",
        "scope",
        "send",
    }, (
        "config/socket_auth.py copies channels' SessionMiddleware.__call__ without its wrapped"
        f" send; channels {version('channels')} changed it: compare the two"
    )
    assert list(inspect.signature(InstanceSessionWrapper).parameters) == ["scope", "send"]
    assert inspect.iscoroutinefunction(InstanceSessionWrapper.resolve_session)


async def test_a_socket_gets_its_session_and_the_servers_own_send():
    seen = {}

    async def inner(scope, receive, send):
        seen.update(session=scope["session"], send=send)

    async def server_send(message):
        pass

    scope = {"type": "websocket", "cookies": {"sessionid": "no-such-session"}}
    await SocketSessionMiddleware(inner)(scope, None, server_send)

    assert seen["send"] is server_send, "config/socket_auth.py must not wrap a socket's send"
    assert seen["session"].session_key == "no-such-session"


# rooms/layers.py


async def test_channels_redis_makes_its_connections_from_the_pool_rooms_layers_gives():
    layer = RedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:9/0", "socket_timeout": 15}])

    pool = layer.connection(0).connection_pool  # made without connecting

    assert isinstance(pool, BlockingConnectionPool), (
        "rooms/layers.py overrides RedisChannelLayer.create_pool, which channels_redis"
        f" {version('channels-redis')} no longer makes its connections with"
    )
    assert pool.max_connections == REDIS_POOL_SIZE
    assert pool.connection_kwargs["socket_timeout"] == 15
    assert pool.connection_kwargs["retry"].get_retries() == 1
    await pool.disconnect()


# config/daphne_server.py


def test_daphne_builds_its_http_factory_from_the_name_config_daphne_server_replaces():
    assert "HTTPFactory" in names_used_by(daphne.server.Server.run), (
        "config/daphne_server.py replaces daphne.server.HTTPFactory, which daphne"
        f" {version('daphne')}'s Server.run no longer builds its factory from"
    )
    protocol = BoundedHTTPFactory(server=None).buildProtocol(IPv4Address("TCP", "127.0.0.1", 0))
    assert protocol.requestFactory is BoundedWebRequest


class HookRecorder(http.Request):
    """Twisted's request, noting which of its body hooks Twisted calls, in what order."""

    calls = []

    def gotLength(self, length):
        self.calls.append(("gotLength", length, self.channel.transport.value()))
        super().gotLength(length)

    def handleContentChunk(self, data):
        self.calls.append(("handleContentChunk", data))
        super().handleContentChunk(data)

    def requestReceived(self, command, path, version):
        self.calls.append(("requestReceived", command))


def test_twisted_calls_the_body_hooks_config_daphne_server_refuses_from():
    HookRecorder.calls = []
    channel = http.HTTPChannel()
    channel.requestFactory = HookRecorder
    channel.callLater = Clock().callLater
    channel.makeConnection(StringTransport())

    channel.dataReceived(
        b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"
    )
    channel.dataReceived(b"hello")
    channel.dataReceived(b"world")

    assert HookRecorder.calls == [
        ("gotLength", 10, b""),  # before any of the body is read or "100 Continue" is sent
        ("handleContentChunk", b"hello"),
        ("handleContentChunk", b"world"),
        ("requestReceived", b"POST"),
    ], (
        "config/daphne_server.py refuses bodies from Twisted's Request.gotLength and"
        f" handleContentChunk; Twisted {version('twisted')} calls them otherwise"
    )


async def test_asgiref_still_notes_the_loop_rooms_publisher_hands_events_to():
    loop = asyncio.get_running_loop()

    found = await sync_to_async(server_loop)()

    assert found is loop, (
        "rooms/publisher.py finds the server's event loop from sync code through asgiref's "
        "SyncToAsync.threadlocal.main_event_loop (asgiref 3.13); it is no longer there"
    )
