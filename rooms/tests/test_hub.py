"""One reader of room events per process: each page gets every message, a slow one alone waits."""

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from rooms.consumers import CLOSE_NO_SUCH_ROOM, OUTBOX_LIMIT
from rooms.events import SIGNED_IN_GROUP, room_group, user_group
from rooms.hub import MISSED, hub
from rooms.models import Message, Room
from rooms.posting import post_message
from rooms.tests.badges import badges, title
from rooms.tests.frames import PageModel, nothing_more, receive_frames, receive_until_quiet

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)


def message_ids(frames):
    return [int(pk) for frame in frames for pk in re.findall(r'<article id="message-(\d+)"', frame)]


def consumer_of(user, room):
    """The consumer serving `user`'s socket in `room`, as the hub knows it."""
    [consumer] = [c for c in hub().sockets[room_group(room.pk)] if c.scope["user"] == user]
    return consumer


async def test_a_page_that_stalls_does_not_delay_the_others(connect, room, alice, bob):
    sockets = {}
    for user in (alice, bob):
        sockets[user] = await connect(user=user)
    stalled = consumer_of(bob, room)

    # As while bob's socket write waits for a full network buffer to drain. Two messages: a
    # hub that waited on each socket in turn would hold the second back from alice.
    async with stalled.delivering:
        messages = [await post(room, alice, text) for text in ("hello", "again")]
        assert message_ids(await receive_until_quiet(sockets[alice])) == [m.pk for m in messages]
        assert await sockets[bob].receive_nothing()

    assert message_ids(await receive_until_quiet(sockets[bob])) == [m.pk for m in messages]


async def test_a_page_too_far_behind_gets_what_it_missed_from_the_database(
    connect, room, alice, unlimited_posting, caplog
):
    socket = await connect(user=alice)
    stalled = consumer_of(alice, room)

    async with stalled.delivering:
        posted = [await post(room, alice, f"number {n}") for n in range(OUTBOX_LIMIT + 20)]

    page = PageModel()
    for frame in await receive_until_quiet(socket):
        page.apply(frame)
    assert page.messages == [(m.pk, m.body) for m in posted], "all, once each, in order"
    assert "fell behind its room" in caplog.text


async def test_the_process_reads_a_room_while_it_has_sockets_there(connect, room, alice, bob):
    sockets = [await connect(user=alice), await connect(user=bob)]

    users = {user_group(alice.pk), user_group(bob.pk), SIGNED_IN_GROUP}
    assert hub().joined == {room_group(room.pk), *users}
    for socket in sockets:
        await socket.disconnect()

    assert hub().joined == set()
    assert hub().reader is None, "nothing reads room events for a process without sockets"
    # (On Redis, test_scale_out counts one group member per process.)


async def test_an_event_the_hub_cannot_place_harms_no_socket(connect, room, alice):
    socket = await connect(user=alice)

    await get_channel_layer().group_send(room_group(room.pk), {"type": "room.change"})
    message = await post(room, alice, "still live")

    [frame] = await receive_frames(socket, 1)
    assert f"message-{message.pk}" in frame


async def test_a_page_that_missed_events_is_checked_for_access_first(
    connect, room, alice, bob, caplog
):
    room.is_private = True
    await sync_to_async(room.save)()
    await room.members.aadd(alice, bob)
    socket = await connect(user=bob)
    # Removed without the signal that ends his socket: as when that broadcast was lost.
    await Room.members.through.objects.filter(room=room, user=bob).adelete()

    consumer_of(bob, room).take(MISSED)

    assert (await closing_output(socket))["code"] == CLOSE_NO_SUCH_ROOM


async def closing_output(socket):
    """The close the socket was sent, passing over the frames before it."""
    output = await socket.receive_output(2)
    while output["type"] != "websocket.close":
        output = await socket.receive_output(2)
    return output


async def test_nothing_is_sent_after_a_socket_is_closed_for_lost_access(connect, room, bob):
    room.is_private = True
    await sync_to_async(room.save)()
    await room.members.aadd(bob)
    socket = await connect(user=bob)
    await Room.members.through.objects.filter(room=room, user=bob).adelete()
    consumer = consumer_of(bob, room)

    async with consumer.delivering:  # the access check and a later event in one burst
        consumer.take(MISSED)
        consumer.take({"type": "room.presence", "room": room.pk, "html": "<p>after</p>"})

    assert (await closing_output(socket))["code"] == CLOSE_NO_SUCH_ROOM
    assert await socket.receive_nothing()


async def test_a_room_event_that_fails_closes_its_socket_for_a_reconnect(
    connect, room, alice, caplog
):
    socket = await connect(user=alice)

    consumer_of(alice, room).take({"type": "room.change", "room": room.pk})  # no seq, no html

    assert (await closing_output(socket))["code"] == 1011  # htmx reconnects, then resumes
    assert "failed on a room event; closing it" in caplog.text


async def test_a_room_event_of_a_type_this_version_lacks_is_skipped(connect, room, alice, caplog):
    socket = await connect(user=alice)

    consumer_of(alice, room).take({"type": "room.from_a_newer_version", "room": room.pk})
    message = await post(room, alice, "still open")

    [frame] = await receive_frames(socket, 1)
    assert f"message-{message.pk}" in frame
    assert "unknown type room.from_a_newer_version ignored" in caplog.text


async def test_the_recheck_leaves_changes_that_reached_the_process_to_arrive(
    connect, room, alice, settings, caplog
):
    settings.RECHECK_SECONDS = 0.2
    socket = await connect(user=alice)
    slow = consumer_of(alice, room)

    async with slow.delivering:  # as a page slower than its room, several checks long
        posted = [await post(room, alice, f"number {n}") for n in range(3)]
        await asyncio.sleep(1)

    assert message_ids(await receive_until_quiet(socket)) == [m.pk for m in posted]
    assert "catching up" not in caplog.text, "no page sent to the database"


async def test_the_recheck_fills_in_a_change_that_never_reached_the_process(
    connect, room, alice, settings, caplog
):
    settings.RECHECK_SECONDS = 0.2
    socket = await connect(user=alice, resume=False)
    await socket.send_json_to({"last_seq": 0})
    assert await nothing_more(socket)
    # Committed, never broadcast: its posting process died between the two.
    await Room.objects.filter(pk=room.pk).aupdate(last_seq=1)
    lost = await Message.objects.acreate(room=room, seq=1, author=alice, body="last words")

    assert message_ids(await receive_frames(socket, 1, seconds=5)) == [lost.pk]
    assert "never reached this process: catching up" in caplog.text


async def test_a_page_too_far_behind_reads_its_sidebar_again(
    connect, room, alice, bob, unlimited_posting
):
    dev = await Room.objects.acreate(name="Dev", slug="dev")
    socket = await connect(user=bob)
    stalled = consumer_of(bob, room)

    async with stalled.delivering:
        for n in range(OUTBOX_LIMIT + 20):
            await post(dev, alice, f"number {n}")
        await post(dev, alice, "@bob and you?")

    frames = await receive_until_quiet(socket)
    assert badges(frames[-1]) == {"lobby": ("", ""), "dev": ("99+", "1")}
    assert title(frames[-1]) == "(99+) # Lobby · Socico"
