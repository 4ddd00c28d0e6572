"""DEBUG never leaves this machine: config.serve refuses to serve beyond loopback with it on.

No test here binds a public address: the refused ones are never bound, and the one served
beyond loopback is a documentation address (RFC 5737) that no machine has.
"""

import re
import subprocess
import sys

import pytest
from django.conf import settings

from config import serve
from rooms.tests.servers import free_port, wait_for_port

UNASSIGNED = "192.0.2.1"


def serve_with_debug(host, port):
    return subprocess.Popen(
        [sys.executable, "-m", "config.serve", "daphne", host, str(port)],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serving_beyond_loopback_with_debug_on_is_refused():
    server = serve_with_debug(UNASSIGNED, free_port())
    try:
        _, errors = server.communicate(timeout=60)
    finally:
        server.kill()

    assert server.returncode == 1
    assert f"Refusing to serve on {UNASSIGNED} with DJANGO_DEBUG on" in errors
    assert "set DJANGO_DEBUG=0 with DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS" in errors


def test_serving_on_loopback_with_debug_on_goes_ahead():
    port = free_port()
    server = serve_with_debug("127.0.0.1", port)
    try:
        wait_for_port(port, server, timeout=60)
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "[::]", "192.168.1.5", "chat.example.com"])
def test_any_other_address_with_debug_on_is_refused(settings, host):
    settings.DEBUG = True

    with pytest.raises(SystemExit, match=re.escape(f"Refusing to serve on {host} ")):
        serve.refuse_debug_beyond_loopback(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_may_serve_debug(settings, host):
    settings.DEBUG = True

    serve.refuse_debug_beyond_loopback(host)


def test_without_debug_any_address_may_serve(settings):
    settings.DEBUG = False

    serve.refuse_debug_beyond_loopback("0.0.0.0")
