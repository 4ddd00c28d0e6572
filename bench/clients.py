"""The load: subscribers that time every message they receive, senders, idle sockets, HTTP."""

import asyncio
import json
import re
import statistics
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import connect

from bench import socico_db

# Every message body is "stamp <send time in ns> <message number>", whatever wraps it. The word
# gives the search a literal to skip to: a bare digit pattern is tried at every character.
STAMP = re.compile(r"stamp (\d{19}) (\d+)")


@dataclass
class Tally:
    """What one round delivered: latencies, and which message each subscriber got how often."""

    sent: int = 0
    first_send_ns: int = 0
    last_delivery_ns: int = 0
    latencies_ns: list = field(default_factory=list)
    received: list = field(default_factory=list)  # per subscriber: {message number: count}
    numbers: range = range(0)

    def record(self, subscriber, frame):
        now = time.time_ns()
        for stamp, number in STAMP.findall(frame):
            number = int(number)
            if number in self.numbers:
                self.latencies_ns.append(now - int(stamp))
                counts = self.received[subscriber]
                counts[number] = counts.get(number, 0) + 1
                self.last_delivery_ns = now

    @property
    def deliveries(self):
        return len(self.latencies_ns)

    def missing(self):
        """Message numbers that some subscriber never received."""
        return sorted({n for counts in self.received for n in self.numbers if n not in counts})

    def summary(self):
        expected = len(self.numbers) * len(self.received)
        distinct = sum(len(counts) for counts in self.received)
        seconds = max(self.last_delivery_ns - self.first_send_ns, 1) / 1e9
        latencies = sorted(self.latencies_ns) or [0]
        return {
            "deliveries_per_s": self.deliveries / seconds,
            "p50_ms": statistics.median(latencies) / 1e6,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1 if len(latencies) > 1 else 0] / 1e6,
            "max_ms": latencies[-1] / 1e6,
            "lost": expected - distinct,
            "duplicated": self.deliveries - distinct,
        }


class Room:
    """N subscribers on one server's room socket, listening until closed."""

    def __init__(self, server, size, hello=None, slug=socico_db.SLUG):
        self.server = server
        self.size = size
        self.slug = slug
        self.hello = hello  # the frame a Socico page sends on open (its last seq)
        self.sockets = []
        self.tasks = []
        self.tally = Tally()
        self.last_frame = time.monotonic()  # any frame at all: the server is still busy

    async def open(self, batch=100):
        for start in range(0, self.size, batch):
            opened = await asyncio.gather(
                *(self.connect() for _ in range(start, min(start + batch, self.size)))
            )
            self.sockets.extend(opened)
        for index, socket in enumerate(self.sockets):
            self.tasks.append(asyncio.create_task(self.listen(index, socket)))
        return self

    async def connect(self, headers=None):
        socket = await connect(
            self.server.ws_url(self.slug),
            origin=self.server.origin,
            additional_headers=headers,
            compression=None,
            max_queue=None,
            open_timeout=120,
            ping_interval=None,
        )
        if self.hello:
            await socket.send(self.hello)
        return socket

    async def listen(self, index, socket):
        async for frame in socket:
            self.last_frame = time.monotonic()
            self.tally.record(index, frame)

    def start_round(self, numbers):
        self.tally = Tally(numbers=numbers, received=[{} for _ in self.sockets])
        return self.tally

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)


def frame(number):
    body = f"stamp {time.time_ns()} {number}"
    return json.dumps({"body": body, "HEADERS": {"HX-Request": "true"}})


async def drain(socket):
    async for _ in socket:
        pass


def messages_in(rate, seconds):
    return int(rate * seconds) + 1


async def send_open_loop(socket, first_number, rate, seconds, tally):
    """Send on a fixed schedule whatever happens to earlier messages (open loop)."""
    start = time.perf_counter()
    tally.first_send_ns = time.time_ns()
    # A count, not a deadline: timers may fire early, and one more would go uncounted.
    count = messages_in(rate, seconds)
    for n in range(count):
        delay = n / rate - (time.perf_counter() - start)
        if delay > 0:
            await asyncio.sleep(delay)
        await socket.send(frame(first_number + n))
    tally.sent = count
    return first_number + count


async def wait_for_quiet(rooms, expected, idle_seconds=1.0, limit_seconds=60):
    """Until every subscriber has every message, or no frame at all came for `idle_seconds`."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        if sum(room.tally.deliveries for room in rooms) >= expected:
            return
        if time.monotonic() - max(room.last_frame for room in rooms) > idle_seconds:
            return
        await asyncio.sleep(0.05)


async def posts_closed_loop(server, cookies, seconds, hello=None, answer="composer"):
    """Each sender posts, waits for the server's answer, posts again. Returns posts/s."""
    done = 0

    async def sender(cookie, offset):
        nonlocal done
        socket = await Room(server, 0, hello).connect({"Cookie": cookie} if cookie else None)
        deadline = time.monotonic() + seconds
        number = offset
        while time.monotonic() < deadline:
            await socket.send(frame(number))
            async for reply in socket:
                if answer in reply:
                    break
            done += 1
            number += 1
        await socket.close()

    start = time.monotonic()
    await asyncio.gather(*(sender(cookie, 10**9 * (n + 1)) for n, cookie in enumerate(cookies)))
    return done / (time.monotonic() - start)


async def idle_sockets(server, count, sockets, hello=None, batch=50):
    """Open `count` idle sockets into `sockets`, spread evenly over socico_db.IDLE_ROOMS.

    The list holds what opened even when a handshake fails; the caller closes them.
    """
    rooms = [Room(server, 0, hello, slug) for slug in socico_db.IDLE_ROOMS]
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        sockets += await asyncio.gather(*(rooms[n % len(rooms)].connect() for n in numbers))


async def requests_per_second(port, path, seconds, connections=16):
    """Keep-alive GETs from `connections` clients for `seconds`; returns complete responses/s."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    done = 0

    async def client():
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            if status != b"200":
                raise RuntimeError(f"GET {path} answered {status.decode()}")
            length = int(re.search(rb"(?i)content-length: (\d+)", head)[1])
            await reader.readexactly(length)
            done += 1
        writer.close()

    start = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    return done / (time.monotonic() - start)


async def resume_ms(server, slug, page_seq, count):
    """Median milliseconds from a page's resume frame to the server's answer, `count` pages
    in turn, and the server's CPU milliseconds per answer."""
    cpu_before = server.cpu_seconds()
    times = []
    for _ in range(count):
        async with connect(server.ws_url(slug), origin=server.origin, compression=None) as socket:
            started = time.perf_counter()
            await socket.send(json.dumps({"last_seq": str(page_seq)}))
            while (await socket.recv()).startswith('<p id="presence"'):
                pass
            times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / count
    return statistics.median(times), cpu_ms
