"""The channel layer of the embedded default: one process, no Redis.

Channels' InMemoryChannelLayer is written for tests, and a room's fan-out through it costs
O(N²) for N sockets: every receive and every group_send sweeps all channels and group
memberships for expired entries, group_send deep-copies the event and starts a task for each
recipient, and every receive builds a queue and drops it once empty. This layer sweeps at
most once a second, puts the one event on each recipient's queue as it is, and keeps a
channel's queue until its reader stops; everything else, including dropping an event for a
channel that is over capacity, is the stock layer's.
"""

import asyncio
import contextlib
import time

from channels.layers import InMemoryChannelLayer

SWEEP_SECONDS = 1.0


class InProcessChannelLayer(InMemoryChannelLayer):
    """Events are shared between recipients: a handler must never change the event it gets."""

    swept_at = float("-inf")

    def _clean_expired(self):
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_SECONDS:
            self.swept_at = now
            super()._clean_expired()

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, ())):
            queue = self.queue(channel)
            # As the stock layer: a full channel misses the event, and the catch-up fills it.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait((expires, message))

    async def receive(self, channel):
        self._clean_expired()
        queue = self.queue(channel)
        try:
            _, message = await queue.get()
        except asyncio.CancelledError:
            # The reader is gone (its socket closed): nothing will read this queue again.
            if queue.empty():
                self.channels.pop(channel, None)
            raise
        return message

    def queue(self, channel):
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue
