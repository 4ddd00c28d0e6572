"""What local times cost: a message fragment's bytes and render time, and a room page of fifty
messages' bytes, with 1, 5, 20 and every zone in use. Prints figures; builds a throwaway
SQLite database in a temporary folder.

    .venv/bin/python bench/local_times.py
"""

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sidebar_page import set_up

# Far apart, so each adds a rendering of its own, as a team spread over the world would.
ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Europe/London",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Africa/Lagos",
    "Asia/Shanghai",
    "Asia/Dubai",
    "America/Chicago",
    "Europe/Moscow",
    "Pacific/Auckland",
    "America/Denver",
    "Africa/Johannesburg",
    "Asia/Jakarta",
    "Europe/Helsinki",
    "America/Halifax",
]
RENDERS = 300


def main():
    with tempfile.TemporaryDirectory() as folder:
        set_up(f"{folder}/bench.sqlite3")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        measure()


def measure():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from rooms import time_zones
    from rooms.fragments import rendered_messages
    from rooms.models import Message, Profile, Room

    users = get_user_model().objects
    reader = users.create_user("reader", password="bench passphrase")
    writer = users.create_user("writer")
    room = Room.objects.create(name="Bench", slug="bench")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for seq in range(1, 51):
        # One in five edited: its "(edited)" has its variants too.
        edited = start + timedelta(minutes=seq + 1) if seq % 5 == 0 else None
        Message.objects.create(
            room=room,
            seq=seq,
            author=writer,
            body=f"message {seq}: a line of ordinary chat",
            edited_at=edited,
        )
    Message.objects.update(created_at=start)
    room.last_seq = 50
    room.save(update_fields=["last_seq"])
    client = Client()
    client.force_login(reader)
    counts = [1, 5, 20, len(time_zones.names())]
    print(
        f"{'zones':>6} {'renderings':>10} {'fragment B':>10} {'edited B':>9} "
        f"{'page B':>8} {'list B':>8} {'render µs':>9}"
    )
    for count in counts:
        zones = (ZONES + [z for z in time_zones.names() if z not in ZONES])[:count]
        Profile.objects.all().delete()
        for n, zone in enumerate(zones):
            user = users.get_or_create(username=f"zone{n}")[0]
            Profile.objects.create(user=user, time_zone=zone)
        time_zones.zones_in_use.forget()
        rendered_messages.clear()
        page = client.get("/rooms/bench/").content
        listed = page[page.index(b'<article id="message-') : page.rindex(b"</article>") + 10]
        plain, edited = fragment(Message.objects.get(seq=1)), fragment(Message.objects.get(seq=5))
        in_use = time_zones.zones_in_use()
        renderings = len(time_zones.local_times(start, in_use))
        print(
            f"{count:>6} {renderings:>10} {len(plain):>10} {len(edited):>9} "
            f"{len(page):>8} {len(listed):>8} {render_time(in_use):>9.0f}"
        )


def fragment(message):
    from rooms.fragments import message_html

    return message_html([message]).encode()


def render_time(zones):
    """The median time to render an edited message's fragment, in µs."""
    from django.template.loader import render_to_string

    from rooms.fragments import shown
    from rooms.models import Message

    message = shown(Message.objects.filter(seq=5)).get()
    context = {"message": message, "time_zones": zones}
    timings = []
    for _ in range(RENDERS):
        began = time.perf_counter()
        render_to_string("rooms/_message.html", context)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1e6


if __name__ == "__main__":
    main()
