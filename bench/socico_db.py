"""Socico's side of the set-up: a database of its own with a seeded room, and signed-in users.

The harness process uses Django directly (same settings and secret as the server it starts),
and lifts the per-user abuse limits: a benchmark sends far faster than people type.
"""

import os
import secrets

SLUG = "bench"
HISTORY = 50  # messages on the room page, as a full page shows
# A room long enough for a page 10,000 changes behind, the last 100 of them edits and posts.
CATCH_UP_SLUG = "catch-up"
CATCH_UP_HISTORY = 10_100
# Idle sockets are spread over rooms of a hundred or so, as readers of a chat are: ten
# thousand in one room would measure that room's presence announcements, not idling.
IDLE_ROOMS = [f"idle-{n}" for n in range(100)]


def environment(workdir, redis_url=None):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_BEHIND_TLS": "0",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "SOCICO_POST_RATE": "1000000/1",
        "SOCICO_FRAME_RATE": "1000000/1",
        "SOCICO_MAX_SOCKETS_PER_USER": "100000",
        # Every bench client comes from 127.0.0.1.
        "SOCICO_MAX_SOCKETS_PER_ADDRESS": "100000",
        "SOCICO_CONNECT_RATE": "1000000/1",
        # The harness calls the ORM from its event loop's process, never concurrently.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare(env):
    """Migrate the bench database and seed the room; call once, before the event loop runs."""
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from rooms.models import Room
    from rooms.posting import post_message

    call_command("migrate", verbosity=0)
    room = Room.objects.create(name="Bench", slug=SLUG)
    Room.objects.bulk_create(Room(name=slug, slug=slug) for slug in IDLE_ROOMS)
    seeder = get_user_model().objects.create_user("seeder")
    for n in range(HISTORY):
        post_message(room, seeder, f"history message {n}: " + "words " * 10)
    seed_catch_up_room(seeder)


def seed_catch_up_room(author):
    """CATCH_UP_HISTORY positions: messages, the last fifty edits of some of them."""
    from rooms.models import Message, Room
    from rooms.posting import edit_message

    room = Room.objects.create(name="Catch-up", slug=CATCH_UP_SLUG)
    posted = CATCH_UP_HISTORY - 50
    Message.objects.bulk_create(
        Message(room=room, seq=seq, changed_seq=seq, author=author, body=f"catch-up {seq}")
        for seq in range(1, posted + 1)
    )
    Room.objects.filter(pk=room.pk).update(last_seq=posted)
    # Half of them before a page 100 behind, which sees them change; half after, which it gets.
    for message in Message.objects.filter(room=room, seq__gt=posted - 75, seq__lte=posted - 25):
        edit_message(message, author, f"{message.body}, edited")


def session_cookie(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username=username)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def last_seq(slug=SLUG):
    from rooms.models import Room

    return Room.objects.get(slug=slug).last_seq
