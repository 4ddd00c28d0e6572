"""`python -m bench.search`: how long a search takes on SQLite and PostgreSQL, with 100,000 and
1,000,000 messages (see BENCHMARKS.md).

Each database is built and searched by a process of its own (bench/search_db.py), on loopback
only: SQLite in a temporary file, PostgreSQL in a database of its own that is dropped after.
Each query is timed through rooms.search.search, as the search page calls it, for a member of
some private rooms. The databases take turns, query by query, so a burst of load on this
shared machine falls on all of them alike.
"""

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERIES = {
    "common word": "deploy",
    "most common word": "the",
    "rare word": "zanzibar",
    "prefix": "ka",
    "uncommon prefix": "kalo",
    "word from one author": "deploy from:user7",
    # Its fifty messages are the oldest and hold no "the": every match the word has is passed over.
    "common word, quiet room": "the in:quiet",
}
WARM_UP_ROUNDS = 3
TIME_LIMIT_S = 3600  # building a million messages twice takes minutes, not hours
ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=200, help="timed searches per query")
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server to build on"
    )
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "SIZE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.child:
        backend, size = args.child
        serve_rounds(backend, int(size), args.postgres)
        return
    signal.alarm(TIME_LIMIT_S)
    children = {}
    try:
        for backend in args.backends:
            for size in args.sizes:
                children[backend, size] = Child(backend, size, args.postgres)
        times = {key: {label: [] for label in QUERIES} for key in children}
        for _ in range(WARM_UP_ROUNDS + args.runs):
            for key, child in children.items():
                for label, ms in child.ask("round").items():
                    times[key][label].append(ms)
        figures = {
            key: summary(child.built, child.ask("describe"), times[key])
            for key, child in children.items()
        }
    finally:
        for child in children.values():
            child.close()
    for (backend, size), figure in figures.items():
        report_one(backend, size, figure)
    report_ratios(figures, args)


class Child:
    """A process that owns one database and times rounds of searches on it when asked."""

    def __init__(self, backend, size, postgres):
        self.name = f"{backend} at {size:,}"
        command = [sys.executable, "-m", "bench.search", "--child", backend, str(size)]
        self.process = subprocess.Popen(
            [*command, "--postgres", postgres],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.built = self.answer()

    def ask(self, request):
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        return self.answer()

    def answer(self):
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"{self.name} stopped (its error is above)")
        return json.loads(line)

    def close(self):
        # End of input ends the child, which drops its database.
        self.process.stdin.close()
        self.process.wait(timeout=300)


def serve_rounds(backend, size, postgres):
    """The child: build, then answer "round" with each query's time, "describe" with what
    the queries found, until the parent closes its input."""
    from bench import search_db

    with search_db.database(backend, postgres):
        reader, built = search_db.build(size)
        reply(built)
        from rooms.search import search
        from rooms.search_query import parse

        queries = {label: parse(text) for label, text in QUERIES.items()}
        for request in sys.stdin:
            if request.strip() == "round":
                times = {}
                for label, query in queries.items():
                    started = time.perf_counter()
                    search(reader, query)
                    times[label] = (time.perf_counter() - started) * 1000
                reply(times)
            else:
                reply(
                    {
                        label: {
                            "matching": search_db.count_matching(query.words),
                            "shown": len(search(reader, query).hits),
                        }
                        for label, query in queries.items()
                    }
                )


def reply(value):
    print(json.dumps(value), flush=True)


def summary(built, found, times):
    queries = {}
    for label, samples in times.items():
        timed = samples[WARM_UP_ROUNDS:]
        queries[label] = {
            "text": QUERIES[label],
            **found[label],
            "p50_ms": statistics.median(timed),
            "p95_ms": statistics.quantiles(timed, n=20)[-1],
        }
    return {**built, "queries": queries}


def report_one(backend, size, figures):
    print(
        f"\n{backend}, {size:,} messages: loaded in {figures['load_s']:.0f} s; the search "
        f"migration took {figures['migration_s']:.1f} s, the database grew from "
        f"{figures['mb_before']:.0f} MB to {figures['mb_after']:.0f} MB\n"
    )
    print("| query | text | matching messages | shown | p50 ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for label, row in figures["queries"].items():
        print(
            f"| {label} | `{row['text']}` | {row['matching']:,} | {row['shown']} "
            f"| {row['p50_ms']:.2f} | {row['p95_ms']:.2f} |"
        )
    sys.stdout.flush()


def report_ratios(figures, args):
    """What the largest set costs against the smallest, per query: the goal is under 2."""
    small, large = min(args.sizes), max(args.sizes)
    if small == large:
        return
    print(f"\n{large:,} against {small:,} messages (p50 ratio, p95 ratio)\n")
    print("| query | " + " | ".join(args.backends) + " |")
    print("| --- |" + " ---: |" * len(args.backends))
    for label in QUERIES:
        cells = []
        for backend in args.backends:
            low, high = (figures[backend, n]["queries"][label] for n in (small, large))
            cells.append(
                f"{high['p50_ms'] / low['p50_ms']:.2f}, {high['p95_ms'] / low['p95_ms']:.2f}"
            )
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
