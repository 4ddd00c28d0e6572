"""How Socico is served: the one place that knows the server commands.

    python -m config.serve {daphne,uvicorn} HOST PORT [server options...]

`make run` serves with daphne; the README's production set-up uses either; the tests and the
benchmark start their servers from the same lists.
"""

import os
import sys

APPLICATION = "config.asgi:application"
# A message is at most 4,000 characters: frames far larger are refused before they are parsed.
MAX_FRAME_BYTES = "65536"
SERVERS = {
    # daphne, refusing bodies over our limits before reading them. It closes every socket
    # after a day with code 1000, which htmx never retries: no timeout.
    "daphne": [
        *("-m", "config.daphne_server", "--websocket_timeout", "-1"),
        *("--websocket-max-message-size", MAX_FRAME_BYTES),
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


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in SERVERS:
        sys.exit(__doc__)
    argv = command(*sys.argv[1:])
    os.execv(argv[0], argv)
