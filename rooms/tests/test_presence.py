"""Who is here, through real sockets: arrivals, departures, guests, and ghosts expiring."""

import asyncio
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from rooms import presence
from rooms.models import Presence, Room
from rooms.tests.frames import PRESENCE

pytestmark = pytest.mark.django_db(transaction=True)


async def next_presence(socket):
    while not (frame := await socket.receive_from(3)).startswith(PRESENCE):
        pass
    return " ".join(frame.split())


async def test_arrivals_and_departures_reach_everyone_in_the_room(connect, room, alice, bob):
    alice_socket = await connect(user=alice)
    await connect(user=None)
    bob_socket = await connect(user=bob)

    listed = await next_presence(alice_socket)
    assert "<strong" in listed
    assert ">alice</strong>, <strong" in listed
    assert ">bob</strong> and 1 guest" in listed

    await bob_socket.disconnect()

    listed = await next_presence(alice_socket)
    assert "bob" not in listed
    assert ">alice</strong> and 1 guest" in listed


async def test_a_user_with_two_tabs_is_listed_once(connect, room, alice):
    first = await connect(user=alice)
    await connect(user=alice)

    listed = await next_presence(first)

    assert listed.count(">alice</strong>") == 1


async def test_the_room_page_shows_who_is_here(connect, room, alice, async_client):
    await connect(user=alice)

    page = await async_client.get("/rooms/lobby/")

    assert ">alice</strong>" in page.text


async def test_a_process_that_died_leaves_no_ghost(connect, room, alice, bob, settings):
    settings.PRESENCE_HEARTBEAT_SECONDS = 0.2
    settings.PRESENCE_EXPIRY_SECONDS = 1.5  # past the first announcement, on a slow database too
    # A row from a process that was killed: nobody will refresh or delete it.
    await Presence.objects.acreate(
        socket_name="socket-of-a-dead-process", room=room, user=bob, seen_at=timezone.now()
    )
    socket = await connect(user=alice)
    assert ">bob</strong>" in await next_presence(socket)

    listed = await next_presence(socket)

    assert "bob" not in listed
    assert ">alice</strong>" in listed
    assert await Presence.objects.filter(user=bob).aexists() is False
    assert await Presence.objects.filter(
        user=alice, seen_at__gte=timezone.now() - timedelta(seconds=1.5)
    ).aexists(), "the living socket's row is kept fresh"


async def test_the_last_sockets_of_a_process_leaving_together_clean_up(connect, room, alice):
    first, second = await connect(user=alice), await connect(user=None)

    await asyncio.gather(first.disconnect(), second.disconnect())

    assert await Presence.objects.filter(room=room).aexists() is False
    third = await connect(user=alice)
    assert ">alice</strong>" in await next_presence(third), "a fresh heartbeat serves new sockets"


async def test_announcements_are_paced_by_how_many_they_reach(
    connect, room, alice, bob, monkeypatch
):
    monkeypatch.setattr(presence, "ANNOUNCED_DELIVERIES_PER_SECOND", 2)
    await Room.objects.acreate(name="Garden", slug="garden")
    in_lobby = await connect(user=alice)
    await connect(user=bob)
    in_garden = await connect("garden")

    await next_presence(in_lobby)
    lobby_announced = time.monotonic()
    listed = await next_presence(in_garden)

    # The lobby's announcement reached two pages: at two a second, the garden waits a second.
    assert time.monotonic() - lobby_announced >= 0.9
    assert "1 guest" in listed
