"""The room page of a user who can see ROOMS rooms, with MESSAGES messages in the database:
requests per second through Django's own request handling.

Build the database once with this worktree's migrations (--build), then measure any worktree's
code on it by running this file with that worktree first on PYTHONPATH.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta


def parse_args():
    parser = argparse.ArgumentParser(prog="python bench/sidebar_page.py", description=__doc__)
    parser.add_argument("--db", required=True, help="the SQLite file to build or read")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--unread-rooms", type=int, default=None, help="rooms with unread messages (all)"
    )
    return parser.parse_args()


def set_up(db):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="bench",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_BEHIND_TLS="0",
        DATABASE_URL=f"sqlite:///{db}",
    )
    import django

    django.setup()


def build(rooms, messages, unread_rooms):
    """ROOMS public rooms sharing MESSAGES messages; the reader has read the first UNREAD_ROOMS
    to a different depth each (1 to 150 behind), the others to their end."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from rooms.models import Room

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    reader = users.create_user("reader", password="bench passphrase")
    writer = users.create_user("writer", password="bench passphrase")
    per_room = messages // rooms
    start = datetime.now(UTC) + timedelta(seconds=1)  # after the reader joined
    with transaction.atomic(), connection.cursor() as cursor:
        for n in range(rooms):
            room = Room.objects.create(name=f"Room {n:03}", slug=f"room-{n}")
            rows = [
                (room.pk, seq, writer.pk, f"message {seq} in room {n}", start, seq)
                for seq in range(1, per_room + 1)
            ]
            cursor.executemany(
                "INSERT INTO rooms_message (room_id, seq, author_id, body, created_at, changed_seq)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )
            Room.objects.filter(pk=room.pk).update(last_seq=per_room)
            mark_read_to(reader, room, per_room - (1 + n % 150 if n < unread_rooms else 0))
    print(f"built {rooms} rooms, {per_room * rooms:,} messages", file=sys.stderr)


def mark_read_to(reader, room, seq):
    """The reader's position, where this code keeps one (nothing before issue 14)."""
    try:
        from rooms.models import Subscription
    except ImportError:
        return
    Subscription.objects.create(user=reader, room=room, read_seq=seq)


def measure(seconds):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="reader"))
    path = "/rooms/room-0/"
    assert client.get(path).status_code == 200  # warm-up: fragments cached
    count, deadline, cpu = 0, time.perf_counter() + seconds, time.process_time()
    while time.perf_counter() < deadline:
        client.get(path)
        count += 1
    # CPU time too: on a shared machine it moves less than the rate does.
    cpu_ms = (time.process_time() - cpu) / count * 1e3
    rate = count / seconds
    print(f"room page as a reader of many rooms: {rate:.1f} requests/s, {cpu_ms:.2f} ms CPU each")


def main():
    args = parse_args()
    set_up(args.db)
    if args.build:
        build(args.rooms, args.messages, args.unread_rooms or args.rooms)
    else:
        measure(args.seconds)


if __name__ == "__main__":
    main()
