"""How Socico is served: the one place that knows the server commands.

    python -m config.serve {daphne,uvicorn} HOST PORT [server options...]

`make run` serves with daphne; the README's production set-up uses either; the tests and the
benchmark start their servers from the same lists.
"""

import ipaddress
import os
import sys

APPLICATION = "config.asgi:application"
# A message is at most 4,000 characters: frames far larger are refused before they are parsed.
MAX_FRAME_BYTES = "65536"
# daphne holds what it sends to its message limit too, and a catch-up is one frame of up to
# rooms/consumers.py's MAX_REPLAY_BYTES (a room's latest page, at worst, a little under it).
DAPHNE_MAX_MESSAGE_BYTES = "2097152"
SERVERS = {
    # daphne, refusing bodies over our limits before reading them. It closes every socket
    # after a day with code 1000, which htmx never retries: no timeout.
    "daphne": [
        *("-m", "config.daphne_server", "--websocket_timeout", "-1"),
        *("--websocket-max-message-size", DAPHNE_MAX_MESSAGE_BYTES),
        *("--websocket-max-frame-size", MAX_FRAME_BYTES),
    ],
    # Faster at fan-out (BENCHMARKS.md); its pings keep idle sockets honest, it has no timeout.
    "uvicorn": [
        *("-m", "uvicorn", "--loop", "uvloop", "--http", "httptools"),
        *("--ws", "websockets-sansio", "--ws-max-size", MAX_FRAME_BYTES),
        *("--ws-per-message-deflate", "false", "--lifespan", "off", "--no-access-log"),
    ],
}
ADDRESS = {
    "daphne": lambda host, port: ["-b", host, "-p", str(port)],
    "uvicorn": lambda host, port: ["--host", host, "--port", str(port)],
}


def command(kind, host, port, *options):
    """The argv that serves Socico with server `kind` on host:port."""
    return [sys.executable, *SERVERS[kind], *ADDRESS[kind](host, port), *options, APPLICATION]


def is_loopback(host):
    """Whether only this machine can reach `host`: localhost or a loopback address. Any other
    name may resolve to anything."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def refuse_debug_beyond_loopback(host):
    """Exit unless DEBUG stays on this machine: its error pages show settings and code, and
    its development key signs sessions anyone could forge."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    if settings.DEBUG and not is_loopback(host):
        sys.exit(
            f"Refusing to serve on {host} with DJANGO_DEBUG on: debug pages would reach the "
            "network. Serve on 127.0.0.1, or set DJANGO_DEBUG=0 with DJANGO_SECRET_KEY and "
            "DJANGO_ALLOWED_HOSTS (and DJANGO_BEHIND_TLS=0 for plain HTTP)."
        )


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in SERVERS:
        sys.exit(__doc__)
    refuse_debug_beyond_loopback(sys.argv[2])
    argv = command(*sys.argv[1:])
    os.execv(argv[0], argv)
