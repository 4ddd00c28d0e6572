"""`make bench`: Socico against a bare websockets server (B0) and the Channels tutorial (B1).

Every figure comes from the same run on the same machine; the table gives Socico's ratios
to the baselines, and which of the goals of issue 4 it meets. Servers run on core 0, this
harness on core 1.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import uvloop

from bench import clients, report, servers, socico_db

RESULTS = Path(__file__).resolve().parent / "results"
SATURATING_DELIVERIES_PER_S = 60_000  # offered fan-out load, above what any server here holds


def parse_args():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round of each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="sending time per round")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--idle", type=int, default=10_000, help="idle sockets to measure")
    parser.add_argument(
        "--redis", action="store_true", help="also Socico on Redis, 1 and 2 processes"
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.idle = 1, 1.5, 2000
    return args


class Bench:
    def __init__(self, args, env):
        self.args = args
        self.env = env
        self.number = 0  # every message of the run has its own number
        self.rows = []

    def hello(self, server):
        """The frame a Socico page sends when its socket opens; baselines get none."""
        if server.name.startswith("socico"):
            return f'{{"last_seq": "{socico_db.last_seq()}"}}'
        return None

    async def fan_out(self, servers_, size, rate, rounds, seconds):
        """Median figures of `rounds` rounds: one sender, `size` subscribers spread over servers."""
        hello = self.hello(servers_[0])
        rooms = [
            await clients.Room(server, size // len(servers_), hello).open() for server in servers_
        ]
        sender = await rooms[0].connect(headers=self.sender_headers(servers_[0]))
        draining = asyncio.create_task(clients.drain(sender))
        results = []
        try:
            for round_ in range(rounds + 1):  # the first round warms up
                numbers = range(self.number, self.number + int(rate * seconds) + 1)
                tallies = [room.start_round(numbers) for room in rooms]
                cpu_before = sum(server.cpu_seconds() for server in servers_)
                merged = clients.Tally(numbers=numbers)
                sent_tally = tallies[0]
                self.number = await clients.send_open_loop(
                    sender, self.number, rate, seconds if round_ else 1.0, sent_tally
                )
                for tally in tallies:
                    tally.first_send_ns = sent_tally.first_send_ns
                expected = sent_tally.sent * size
                await clients.wait_for_quiet(_Total(tallies), expected)
                cpu = sum(server.cpu_seconds() for server in servers_) - cpu_before
                merged.numbers = range(numbers.start, numbers.start + sent_tally.sent)
                merged.first_send_ns = sent_tally.first_send_ns
                for tally in tallies:
                    merged.latencies_ns += tally.latencies_ns
                    merged.received += tally.received
                    merged.last_delivery_ns = max(merged.last_delivery_ns, tally.last_delivery_ns)
                if round_:
                    summary = merged.summary()
                    summary["cpu_us"] = cpu * 1e6 / max(merged.deliveries, 1)
                    results.append(summary)
        finally:
            draining.cancel()
            await sender.close()
            for room in rooms:
                await room.close()
        return {key: statistics.median(r[key] for r in results) for key in results[0]}

    def sender_headers(self, server):
        if server.name.startswith("socico"):
            return {"Cookie": socico_db.session_cookie("sender")}
        return None

    def add(self, scenario, server, figure, unit, **values):
        row = {"scenario": scenario, "server": server, "figure": figure, "unit": unit, **values}
        self.rows.append(row)
        return row

    async def run(self):
        args = self.args
        baselines = {"B0": servers.bare_websockets(), "B1": servers.tutorial_channels()}
        socico = servers.socico(self.env)
        for server in [*baselines.values(), socico]:
            server.start()
        try:
            await self.fan_out_table({**baselines, "socico": socico})
            await self.latency_at_40(socico, baselines)
            await self.posts(socico, baselines["B1"])
            await self.idle_memory({**baselines, "socico": socico})
        finally:
            for server in [*baselines.values(), socico]:
                server.stop()
        await self.http()
        if args.redis:
            await self.redis_scale_out()

    async def fan_out_table(self, servers_):
        for size in self.args.sizes:
            rate = max(1.0, SATURATING_DELIVERIES_PER_S / size)
            figures = {}
            for name, server in servers_.items():
                figures[name] = await self.fan_out(
                    [server], size, rate, self.args.rounds, self.args.seconds
                )
            b0, b1 = figures["B0"]["deliveries_per_s"], figures["B1"]["deliveries_per_s"]
            for name, summary in figures.items():
                goal = ""
                if name == "socico" and size == 1000:
                    ratio_b0 = summary["deliveries_per_s"] / b0
                    ratio_b1 = summary["deliveries_per_s"] / b1
                    met = ratio_b0 >= 0.25 and ratio_b1 >= 5
                    goal = f"{'PASS' if met else 'MISS'} >=0.25xB0 & >=5xB1"
                row = dict(summary)
                dps = row.pop("deliveries_per_s")
                self.add(
                    f"fan-out, {size} subscribers",
                    name,
                    dps,
                    "deliveries/s",
                    x_b0=dps / b0 if name == "socico" else None,
                    x_b1=dps / b1 if name == "socico" else None,
                    goal=goal,
                    **row,
                )

    async def latency_at_40(self, socico, baselines):
        for name, server in {**baselines, "socico": socico}.items():
            summary = await self.fan_out([server], 100, 40, self.args.rounds, self.args.seconds * 2)
            dps = summary.pop("deliveries_per_s")
            goal = ""
            if name == "socico":
                goal = f"{'PASS' if summary['p99_ms'] <= 15 else 'MISS'} p99 <= 15 ms"
            self.add("100 subscribers at 40 msg/s", name, dps, "deliveries/s", goal=goal, **summary)

    async def posts(self, socico, b1):
        cookies = [socico_db.session_cookie(f"poster{n}") for n in range(4)]
        socico_rate = await clients.posts_closed_loop(
            socico, cookies, self.args.seconds * 2, hello=self.hello(socico)
        )
        b1_rate = await clients.posts_closed_loop(
            b1, [None] * 4, self.args.seconds * 2, answer="message"
        )
        self.add("posts, 4 closed-loop senders", "B1", b1_rate, "posts/s")
        self.add(
            "posts, 4 closed-loop senders",
            "socico",
            socico_rate,
            "posts/s",
            x_b1=socico_rate / b1_rate,
            goal=f"{'PASS' if socico_rate >= 300 else 'MISS'} >= 300 posts/s (saved)",
        )

    async def idle_memory(self, servers_):
        count = self.args.idle
        for name, server in servers_.items():
            warm = await clients.idle_sockets(server, 100, self.hello(server))
            await asyncio.sleep(1)
            before = server.rss_kib()
            sockets = await clients.idle_sockets(server, count, self.hello(server))
            await asyncio.sleep(2)
            per_socket = (server.rss_kib() - before) / count
            goal = ""
            if name == "socico":
                met = count >= 10_000 and per_socket <= 35
                goal = f"{'PASS' if met else 'MISS'} 10,000 at <= 35 KB"
            self.add(f"idle sockets ({count:,})", name, per_socket, "KiB/socket", goal=goal)
            await asyncio.gather(*(s.close() for s in [*warm, *sockets]), return_exceptions=True)

    async def http(self):
        socico = servers.socico(self.env).start()
        try:
            page = await asyncio.to_thread(_fetch, socico.port, f"/rooms/{socico_db.SLUG}/")
        finally:
            socico.stop()
        with tempfile.NamedTemporaryFile(suffix=".html") as page_file:
            page_file.write(page)
            page_file.flush()
            h0 = servers.static_http(page_file.name).start()
            socico = servers.socico(self.env).start()
            try:
                seconds = self.args.seconds * 2
                await clients.requests_per_second(socico.port, f"/rooms/{socico_db.SLUG}/", 1)
                h0_rate = await clients.requests_per_second(h0.port, "/", seconds)
                rate = await clients.requests_per_second(
                    socico.port, f"/rooms/{socico_db.SLUG}/", seconds
                )
            finally:
                h0.stop()
                socico.stop()
        self.add("room page, 50 messages", "H0", h0_rate, "requests/s")
        self.add(
            "room page, 50 messages",
            "socico",
            rate,
            "requests/s",
            goal=f"{'PASS' if rate >= 400 else 'MISS'} >= 400 requests/s",
        )

    async def redis_scale_out(self):
        redis = servers.RedisServer().start()
        env = {**self.env, "REDIS_URL": redis.url}
        size = max(self.args.sizes)
        rate = max(1.0, SATURATING_DELIVERIES_PER_S / size)
        try:
            one = servers.socico(env, cpu=0, name="socico-redis").start()
            try:
                single = await self.fan_out([one], size, rate, self.args.rounds, self.args.seconds)
            finally:
                one.stop()
            pair = [
                servers.socico(env, cpu=0, name="socico-redis-a").start(),
                servers.socico(env, cpu=1, name="socico-redis-b").start(),
            ]
            try:
                double = await self.fan_out(pair, size, rate, self.args.rounds, self.args.seconds)
            finally:
                for server in pair:
                    server.stop()
        finally:
            redis.stop()
        single_dps = single.pop("deliveries_per_s")
        self.add(
            f"fan-out, {size} subscribers", "redis, 1 process", single_dps, "deliveries/s", **single
        )
        double_dps = double.pop("deliveries_per_s")
        ratio = double_dps / single_dps
        self.add(
            f"fan-out, {size} subscribers",
            "redis, 2 procs",
            double_dps,
            "deliveries/s",
            goal=f"{'PASS' if ratio >= 1.6 else 'MISS'} {ratio:.2f}x one (goal 1.6x)",
            **double,
        )


class _Total:
    """Deliveries summed over several rooms' tallies, for wait_for_quiet."""

    def __init__(self, tallies):
        self.tallies = tallies

    @property
    def deliveries(self):
        return sum(t.deliveries for t in self.tallies)


def _fetch(port, path):
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
        return response.read()


def main():
    args = parse_args()
    servers.raise_fd_limit()
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {1})  # the servers run on core 0
    with tempfile.TemporaryDirectory(prefix="socico-bench-") as workdir:
        env = socico_db.environment(workdir)
        socico_db.prepare(env)
        started = time.monotonic()
        bench = Bench(args, env)
        uvloop.run(bench.run())
        elapsed = time.monotonic() - started
    text = report.table(bench.rows)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    header = f"socico bench {stamp}: {' '.join(sys.argv[1:]) or '(full)'}; took {elapsed:.0f} s"
    print(header)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stamp}.txt").write_text(f"{header}\n{text}\n")


if __name__ == "__main__":
    main()
