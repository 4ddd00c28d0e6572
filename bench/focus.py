"""One scenario of `make bench` alone, for trying a change: Socico under uvicorn on core 0.

    python -m bench.focus posts      # server CPU per post, 4 closed-loop socket senders
    python -m bench.focus fan-out    # CPU per delivery (server, harness), latency: 1,000 subs, 20/s

Run it with the harness on the other core (`taskset -c 1`), several times, interleaved with
the commit to compare against: these machines are noisy.
"""

import argparse
import asyncio
import tempfile
import time

from bench import clients, servers, socico_db
from bench.__main__ import harness_collector_paused


async def posts(server, seconds):
    cookies = [socico_db.session_cookie(f"poster{n}") for n in range(4)]
    await clients.posts_closed_loop(server, cookies, 2)  # warm-up
    cpu = server.cpu_seconds()
    rate = await clients.posts_closed_loop(server, cookies, seconds)
    cpu_ms = (server.cpu_seconds() - cpu) / (rate * seconds) * 1e3
    print(f"posts: {rate:.1f}/s, server CPU {cpu_ms:.2f} ms per post")


async def fan_out(server, seconds, size=1000, rate=20):
    hello = f'{{"last_seq": "{socico_db.last_seq()}"}}'
    room = await clients.Room(server, size, hello).open()
    sender = await room.connect(headers={"Cookie": socico_db.session_cookie("sender")})
    draining = asyncio.create_task(clients.drain(sender))
    number = 1
    try:
        for round_ in range(3):  # the first warms up
            count = clients.messages_in(rate, seconds)
            tally = room.start_round(range(number, number + count))
            cpu, harness_cpu = server.cpu_seconds(), time.process_time()
            with harness_collector_paused():
                number = await clients.send_open_loop(sender, number, rate, seconds, tally)
                await clients.wait_for_quiet([room], tally.sent * size)
            deliveries = max(tally.deliveries, 1)
            cpu_us = (server.cpu_seconds() - cpu) * 1e6 / deliveries
            # Latency is the harness's too: near a core's worth of its own CPU, it queues frames.
            harness_us = (time.process_time() - harness_cpu) * 1e6 / deliveries
            summary = tally.summary()
            if round_:
                print(
                    f"fan-out: {cpu_us:.1f} us CPU per delivery, p50 {summary['p50_ms']:.1f} ms,"
                    f" p99 {summary['p99_ms']:.1f} ms, lost {summary['lost']},"
                    f" harness {harness_us:.1f} us CPU per delivery"
                )
    finally:
        draining.cancel()
        await sender.close()
        await room.close()


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.focus", description=__doc__)
    parser.add_argument("scenario", choices=["posts", "fan-out"])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rate", type=int, default=20, help="fan-out: messages per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="socico-focus-") as workdir:
        env = socico_db.environment(workdir)
        socico_db.prepare(env)
        server = servers.socico(env, name="socico-uv", kind="uvicorn").start()
        try:
            if args.scenario == "posts":
                asyncio.run(posts(server, args.seconds))
            else:
                asyncio.run(fan_out(server, args.seconds, rate=args.rate))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
