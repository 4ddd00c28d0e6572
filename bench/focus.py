"""One scenario of `make bench` alone, for trying a change: Socico under uvicorn on core 0.

    python -m bench.focus posts      # server CPU per post, 4 closed-loop socket senders
    python -m bench.focus fan-out    # CPU per delivery and latency, 1,000 subscribers at 20/s

Run it with the harness on the other core (`taskset -c 1`), several times, interleaved with
the commit to compare against: these machines are noisy.
"""

import argparse
import asyncio
import tempfile

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
            cpu = server.cpu_seconds()
            with harness_collector_paused():
                number = await clients.send_open_loop(sender, number, rate, seconds, tally)
                await clients.wait_for_quiet([room], tally.sent * size)
            cpu_us = (server.cpu_seconds() - cpu) * 1e6 / max(tally.deliveries, 1)
            summary = tally.summary()
            if round_:
                print(
                    f"fan-out: {cpu_us:.1f} us CPU per delivery, p50 {summary['p50_ms']:.1f} ms,"
                    f" p99 {summary['p99_ms']:.1f} ms, lost {summary['lost']}"
                )
    finally:
        draining.cancel()
        await sender.close()
        await room.close()


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.focus", description=__doc__)
    parser.add_argument("scenario", choices=["posts", "fan-out"])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    scenario = posts if args.scenario == "posts" else fan_out
    with tempfile.TemporaryDirectory(prefix="socico-focus-") as workdir:
        env = socico_db.environment(workdir)
        socico_db.prepare(env)
        server = servers.socico(env, name="socico-uv", kind="uvicorn").start()
        try:
            asyncio.run(scenario(server, args.seconds))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
