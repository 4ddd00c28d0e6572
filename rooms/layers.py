"""channels_redis's core layer, on a connection pool fit for a crowd and a Redis restart."""

from channels_redis import core
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

# Redis connections per process; more commands at once wait for one (up to the timeout).
REDIS_POOL_SIZE = 200
REDIS_POOL_TIMEOUT_SECONDS = 10


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
