"""Each process sends its events to the channel layer from one task, in the order they came.

Whoever made a change (a request's thread, the sockets' database thread) only queues its event,
so a hung Redis holds up no post and no socket waiting behind one. A send that fails or takes
longer than SEND_TIMEOUT_SECONDS is logged and handed to this process's own sockets; pages on
other processes get what they missed from their process's recheck (rooms/recheck.py).
"""

import asyncio
import logging
import os
import time
from collections import deque

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from rooms.hub import hub
from rooms.loops import per_loop

SEND_TIMEOUT_SECONDS = 2.0
# After a failed send, events go to this process's sockets only for this long, rather than
# each waiting out the timeout behind a hung Redis.
PAUSE_SECONDS = 5.0

logger = logging.getLogger(__name__)


class Publisher:
    def __init__(self):
        self.queue = deque()
        self.sender = None
        self.paused_until = 0.0

    def put(self, event):
        self.queue.append(event)
        if self.sender is None or self.sender.done():
            self.sender = asyncio.create_task(self.send_queued())

    async def send_queued(self):
        while self.queue:
            await self.send(self.queue.popleft())

    async def send(self, event):
        if time.monotonic() >= self.paused_until:
            try:
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    await get_channel_layer().group_send(event["group"], event)
                return
            except Exception as error:
                self.paused_until = time.monotonic() + PAUSE_SECONDS
                logger.warning(
                    "Broadcast of %s to %s failed (%s): this process's pages get events "
                    "directly for %s s; other processes' pages catch up from the database",
                    event["type"],
                    event["group"],
                    repr(error),
                    PAUSE_SECONDS,
                )
        hub().hand_out(event)


publisher = per_loop(Publisher)


def publish(event):
    """Queue `event` for this process's publisher, from its loop or any thread it runs code in.

    Outside a server (a management command, a script) no loop lives on to send it: it is sent
    at once, as such a caller may wait.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return publisher().put(event)
    loop = server_loop()
    if loop is not None:
        try:
            return loop.call_soon_threadsafe(lambda: publisher().put(event))
        except RuntimeError:
            pass  # that loop has closed: no server any more
    try:
        async_to_sync(get_channel_layer().group_send)(event["group"], event)
    except Exception:
        logger.exception("Broadcast of %s to %s failed", event["type"], event["group"])


def server_loop():
    """The event loop whose sync_to_async runs this thread's code, if any.

    asgiref notes it in a thread-local for its own async_to_sync (asgiref/sync.py); a test
    checks that it still does.
    """
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(SyncToAsync.threadlocal, "main_event_loop", None)
