"""The channel layers: InProcessChannelLayer for the embedded default (one process, no
Redis), RedisChannelLayer for several processes.

Channels' InMemoryChannelLayer is written for tests, and a room's fan-out through it costs
O(N²) for N sockets: every receive and every group_send sweeps all channels and group
memberships for expired entries, group_send deep-copies the event and starts a task for each
recipient, and every receive builds a queue and drops it once empty. This layer sweeps at
most once a second, puts the one event on each recipient's queue as it is, and keeps a
channel's queue while its reader lives (the sweep drops empty queues nobody waits on);
everything else, including dropping an event for a channel that is over capacity, is the
stock layer's.
"""

import asyncio
import contextlib
import time

from channels.layers import InMemoryChannelLayer
from channels_redis import core
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

SWEEP_SECONDS = 1.0
# Redis connections per process; more commands at once wait for one (up to the timeout).
REDIS_POOL_SIZE = 200
REDIS_POOL_TIMEOUT_SECONDS = 10


class InProcessChannelLayer(InMemoryChannelLayer):
    """Events are shared between recipients: a handler must never change the event it gets."""

    swept_at = float("-inf")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.reading = set()  # channels with a receive waiting on their queue

    def _clean_expired(self):
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_SECONDS:
            self.swept_at = now
            super()._clean_expired()
            # A reader that stopped between two receives leaves its (empty) queue behind.
            for channel, queue in list(self.channels.items()):
                if queue.empty() and channel not in self.reading:
                    del self.channels[channel]

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
        self.reading.add(channel)
        try:
            _, message = await queue.get()
        except asyncio.CancelledError:
            # The reader is gone (its socket closed): nothing will read this queue again.
            if queue.empty():
                self.channels.pop(channel, None)
            raise
        finally:
            self.reading.discard(channel)
        return message

    def queue(self, channel):
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue


class RedisChannelLayer(core.RedisChannelLayer):
    """channels_redis's core layer on a pool that makes a crowd wait for a connection.

    redis-py 8's default pool refuses the 101st concurrent command outright, so a crowd of
    pages joining at once (a deploy, a popular room) failed their handshakes. Its connections
    do not retry by default, so the first broadcast after a Redis restart failed on a pooled
    connection the restart had closed: each command is tried once more on a new connection.
    """

    def create_pool(self, index):
        host = dict(self.hosts[index])
        return BlockingConnectionPool.from_url(
            host.pop("address"),
            max_connections=REDIS_POOL_SIZE,
            timeout=REDIS_POOL_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), retries=1),
            **host,
        )
