"""B0: the approximate limit of Python on this machine. A bare `websockets` server that
broadcasts each frame it receives, as a message fragment shaped like Socico's, to everyone.

Run: python -m bench.baselines.bare_websockets PORT
"""

import asyncio
import html
import json
import sys

import uvloop
from websockets.asyncio.server import broadcast, serve

FRAGMENT = (
    '<div hx-swap-oob="beforeend:#messages"><article id="message-{n}" class="message">'
    '<p class="body">{body}</p></article></div>'
)


async def main(port):
    clients = set()
    sent = 0

    async def handler(socket):
        nonlocal sent
        clients.add(socket)
        try:
            async for frame in socket:
                sent += 1
                body = html.escape(json.loads(frame)["body"])
                broadcast(clients, FRAGMENT.format(n=sent, body=body))
        finally:
            clients.discard(socket)

    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
