"""`python -m bench.search`: how long a search takes on SQLite and PostgreSQL, with 100,000 and
1,000,000 messages (see BENCHMARKS.md).

Each database is built by a process of its own, on loopback only: SQLite in a temporary file,
PostgreSQL in a database of its own that is dropped after. Messages are loaded before the
search migration, which then indexes them as it would an existing site's. Each query is timed
through rooms.search.search, as the search page calls it, for a member of some private rooms.
"""

import argparse
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
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
QUIET_ROOM_MESSAGES = 50
ROOMS, PRIVATE_ROOMS, MEMBER_OF, AUTHORS = 40, 5, 2, 200
BATCH = 10_000
ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=50, help="timed searches per query")
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server to build on"
    )
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "SIZE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.child:
        backend, size = args.child
        print(json.dumps(measure_in_this_process(backend, int(size), args)))
        return
    figures = {}
    for backend in args.backends:
        for size in args.sizes:
            figures[backend, size] = measure_in_a_child(backend, size, args)
            report_one(backend, size, figures[backend, size])
    report_ratios(figures, args)


def measure_in_a_child(backend, size, args):
    """Django's settings hold one database: each backend and size gets a process."""
    command = [sys.executable, "-m", "bench.search", "--child", backend, str(size)]
    command += ["--runs", str(args.runs), "--postgres", args.postgres]
    # Bounded: loading and indexing a million messages takes minutes, not hours.
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        sys.exit(f"{backend} at {size:,}: {done.stderr}")
    return json.loads(done.stdout)


def measure_in_this_process(backend, size, args):
    with database(backend, args.postgres) as url:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=url,
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "auth", verbosity=0)
        call_command("migrate", "rooms", "0006_username_skeletons", verbosity=0)
        started = time.perf_counter()
        reader = load(size)
        loaded, size_before = time.perf_counter(), database_bytes()
        call_command("migrate", "rooms", verbosity=0)  # the search index, over what is there
        migrated = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after a load this size
        return {
            "load_s": loaded - started,
            "migration_s": migrated - loaded,
            "mb_before": size_before / 1e6,
            "mb_after": database_bytes() / 1e6,
            "queries": time_queries(reader, args.runs),
        }


def database_bytes():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return pages * cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def load(size):
    """The people, the rooms and `size` messages; the reader, who is a member of MEMBER_OF of
    the PRIVATE_ROOMS private rooms."""
    from django.db import connection, transaction

    users, rooms, quiet = people_and_rooms()
    rows = []
    for row in message_rows(size, users, rooms, quiet):
        rows.append(row)
        if len(rows) == BATCH:
            with transaction.atomic(), connection.cursor() as cursor:
                insert(cursor, rows)
            rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        insert(cursor, rows)
    return users[0]


def people_and_rooms():
    from django.contrib.auth import get_user_model

    from rooms.models import Room

    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"user{n}") for n in range(AUTHORS))
    rooms = Room.objects.bulk_create(
        Room(name=f"Room {n}", slug=f"room-{n}", is_private=n < PRIVATE_ROOMS) for n in range(ROOMS)
    )
    for room in rooms[:MEMBER_OF]:
        room.members.add(users[0])
    return users, rooms, Room.objects.create(name="Quiet", slug="quiet")


def message_rows(size, users, rooms, quiet):
    """The quiet room's messages, then `size` from the corpus, a second apart, in any room."""
    from django.db import connection

    from bench.search_corpus import Corpus

    moment = connection.ops.adapt_datetimefield_value
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(QUIET_ROOM_MESSAGES):
        yield quiet.pk, n + 1, users[1].pk, f"quiet chatter {n}", moment(start)
    corpus, seqs = Corpus(), [0] * ROOMS
    for n in range(size):
        room = corpus.random.randrange(ROOMS)
        seqs[room] += 1
        author = users[corpus.random.randrange(AUTHORS)]
        body = corpus.body(n)
        yield rooms[room].pk, seqs[room], author.pk, body, moment(start + timedelta(seconds=n))


def insert(cursor, rows):
    columns = "rooms_message (room_id, seq, author_id, body, created_at)"
    if cursor.db.vendor == "postgresql":
        with cursor.copy(f"COPY {columns} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {columns} VALUES (%s, %s, %s, %s, %s)", rows)


def time_queries(reader, runs):
    """p50 and p95 of `runs` searches of each query, after three to warm the caches. The queries
    take turns, so a burst of load on this shared machine falls on all of them alike."""
    from rooms.search import search
    from rooms.search_query import parse

    queries = {label: parse(text) for label, text in QUERIES.items()}
    shown = {label: len(search(reader, query).hits) for label, query in queries.items()}
    for query in [*queries.values()] * 2:
        search(reader, query)
    times = {label: [] for label in queries}
    for _ in range(runs):
        for label, query in queries.items():
            started = time.perf_counter()
            search(reader, query)
            times[label].append((time.perf_counter() - started) * 1000)
    return {
        label: {
            "text": QUERIES[label],
            "matching": count_matching(query.words),
            "shown": shown[label],
            "p50_ms": statistics.median(times[label]),
            "p95_ms": statistics.quantiles(times[label], n=20)[-1],
        }
        for label, query in queries.items()
    }


def count_matching(words):
    """How many messages hold the words, in any room: what the index has to sift."""
    from django.db import connection

    from rooms import search_index

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            table = search_index.SQLITE_TABLE
            sql = f"SELECT count(*) FROM {table} WHERE {table} MATCH %s"
            cursor.execute(sql, [search_index.sqlite_match(words)])
        else:
            sql = (
                "SELECT count(*) FROM rooms_message"
                " WHERE search_document @@ to_tsquery('simple'::regconfig, %s)"
            )
            cursor.execute(sql, [search_index.postgresql_match(words)])
        return cursor.fetchone()[0]


@contextlib.contextmanager
def database(backend, postgres):
    """A DATABASE_URL for an empty database of this run's own, removed after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="socico-search-bench-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    import psycopg

    name = f"socico_search_bench_{os.getpid()}"
    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield f"{postgres}/{name}"
        finally:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


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
