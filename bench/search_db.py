"""bench/search.py's databases: one per backend and size, of this run's own, loaded with the
corpus's messages before the search migration, which then indexes them as it would an existing
site's. Everything here runs in the process that owns the database (Django holds one)."""

import contextlib
import os
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta

ROOMS, PRIVATE_ROOMS, MEMBER_OF, AUTHORS = 40, 5, 2, 200
QUIET_ROOM_MESSAGES = 50
BATCH = 10_000


@contextlib.contextmanager
def database(backend, postgres):
    """Django set up on an empty database of this run's own, on loopback; removed after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="socico-search-bench-") as folder:
            yield set_up_django(f"sqlite:///{folder}/bench.sqlite3")
        return
    import psycopg

    name = f"socico_search_bench_{os.getpid()}"
    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield set_up_django(f"{postgres}/{name}")
        finally:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def set_up_django(url):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=url,
    )
    import django

    django.setup()
    return url


def build(size):
    """Load `size` messages, then migrate to the search index. The reader, and what it took."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "auth", verbosity=0)
    call_command("migrate", "rooms", "0006_username_skeletons", verbosity=0)
    started = time.perf_counter()
    reader = load(size)
    loaded, size_before = time.perf_counter(), database_bytes()
    call_command("migrate", "rooms", verbosity=0)
    migrated = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does after a load this size
    return reader, {
        "load_s": loaded - started,
        "migration_s": migrated - loaded,
        "mb_before": size_before / 1e6,
        "mb_after": database_bytes() / 1e6,
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
