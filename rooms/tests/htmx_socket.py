"""A room page's socket as htmx's ws extension drives it, against a real server.

It sends the page's #last-seq each time the socket opens, applies every frame to a PageModel,
and reconnects after the close codes the extension retries (1006, 1011, 1012, 1013), as a
browser would after a flaky network, a Redis outage or a server restart.
"""

import asyncio
import json
import random

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from rooms.tests.frames import PageModel

RETRIED_CLOSE_CODES = {1006, 1011, 1012, 1013}


class HtmxSocket:
    def __init__(self, server, slug="lobby", cookie=None, last_seq=0):
        self.url = f"ws://127.0.0.1:{server.port}/ws/rooms/{slug}/"
        self.origin = server.url
        self.headers = {"Cookie": cookie} if cookie else {}
        self.page = PageModel(last_seq=last_seq)
        self.frames = []  # every frame received, in order
        self.connections = 0
        self.open = asyncio.Event()
        self.outbox = asyncio.Queue()  # frames wait here while closed, as in the extension
        self.task = None

    def start(self):
        self.task = asyncio.create_task(self.run())
        return self

    async def stop(self):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    async def send(self, body):
        await self.outbox.put(json.dumps({"body": body, "HEADERS": {"HX-Request": "true"}}))

    async def run(self):
        while True:
            try:
                async with connect(
                    self.url, origin=self.origin, additional_headers=self.headers
                ) as socket:
                    await self.talk(socket)
                return  # closed with a code the extension does not retry
            except (OSError, InvalidHandshake, ConnectionClosed) as error:
                code = (
                    error.rcvd.code if isinstance(error, ConnectionClosed) and error.rcvd else 1006
                )
                if code not in RETRIED_CLOSE_CODES:
                    return
            self.open.clear()
            await asyncio.sleep(random.uniform(0.05, 0.3))

    async def talk(self, socket):
        self.connections += 1
        await socket.send(json.dumps({"last_seq": str(self.page.last_seq)}))
        self.open.set()
        sender = asyncio.create_task(self.flush(socket))
        try:
            async for frame in socket:
                self.frames.append(frame)
                self.page.apply(frame)
        finally:
            sender.cancel()

    async def flush(self, socket):
        while True:
            frame = await self.outbox.get()
            try:
                await socket.send(frame)
            except ConnectionClosed:
                self.outbox.put_nowait(frame)  # sent again once the socket reopens
                raise
