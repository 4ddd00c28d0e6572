"""Rate limits as fixed-window counters in Django's cache.

With REDIS_URL set the cache is Redis, so every server process counts the same events; the
increment is atomic there and in the local-memory cache alike.
"""

import logging
import math
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)
wall_clock = time.time  # the windows' clock (the tests hold it still)

# After the cache failed to answer, limits are not counted for this long: a hung Redis costs
# one timeout now and then, not one per post on the thread the sockets share.
UNCOUNTED_SECONDS = 5.0
uncounted_until = 0.0


class RateLimited(Exception):
    def __init__(self, retry_after):
        super().__init__(f"Slow down: try again in {retry_after} s.")
        self.retry_after = retry_after


def count(key, rate):
    """Count one event under `key`; raise RateLimited past `rate` = (count, seconds)."""
    global uncounted_until
    if time.monotonic() < uncounted_until:
        return
    limit, seconds = rate
    now = wall_clock()
    window_start = now - now % seconds
    bucket = f"rate:{key}:{int(window_start)}"
    try:
        cache.add(bucket, 0, timeout=seconds + 1)
        counted = cache.incr(bucket)
    except Exception:
        # Fail open: with Redis down, messages are still saved and shown (and logged here).
        logger.warning(
            "Rate limits not counted for %s s (from %s): the cache is unreachable",
            UNCOUNTED_SECONDS,
            key,
        )
        uncounted_until = time.monotonic() + UNCOUNTED_SECONDS
        return
    if counted > limit:
        raise RateLimited(retry_after=max(1, math.ceil(window_start + seconds - now)))
