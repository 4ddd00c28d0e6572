"""One reader of room events per process: each page gets every message, a slow one alone waits."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from rooms.broadcast import room_group
from rooms.consumers import OUTBOX_LIMIT
from rooms.hub import hub
from rooms.posting import post_message
from rooms.tests.frames import PageModel, receive_frames, receive_until_quiet

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)


def consumer_of(user, room):
    """The consumer serving `user`'s socket in `room`, as the hub knows it."""
    [consumer] = [c for c in hub().sockets[room.pk] if c.scope["user"] == user]
    return consumer


async def test_a_page_that_stalls_does_not_delay_the_others(connect, room, alice, bob):
    sockets = {}
    for user in (alice, bob):
        sockets[user] = await connect(user=user)
        await sockets[user].send_json_to({"last_seq": 0})
    stalled = consumer_of(bob, room)

    # As while bob's socket write waits for a full network buffer to drain.
    async with stalled.delivering:
        message = await post(room, alice, "hello")
        [frame] = await receive_frames(sockets[alice], 1)
        assert f"message-{message.pk}" in frame
        assert await sockets[bob].receive_nothing()

    [frame] = await receive_frames(sockets[bob], 1)
    assert f"message-{message.pk}" in frame


async def test_a_page_too_far_behind_gets_what_it_missed_from_the_database(
    connect, room, alice, unlimited_posting, caplog
):
    socket = await connect(user=alice)
    await socket.send_json_to({"last_seq": 0})
    stalled = consumer_of(alice, room)

    async with stalled.delivering:
        posted = [await post(room, alice, f"number {n}") for n in range(OUTBOX_LIMIT + 20)]

    page = PageModel()
    for frame in await receive_until_quiet(socket):
        page.apply(frame)
    assert page.messages == [(m.pk, m.body) for m in posted], "all, once each, in order"
    assert f"fell behind room {room.pk}" in caplog.text


async def test_the_process_is_in_a_room_group_once_while_it_has_sockets_there(
    connect, room, alice, bob
):
    layer = get_channel_layer()
    sockets = [await connect(user=alice), await connect(user=bob)]

    assert set(layer.groups[room_group(room.pk)]) == {hub().channel_name}
    for socket in sockets:
        await socket.disconnect()

    assert room_group(room.pk) not in layer.groups
    assert hub().reader is None, "nothing reads room events for a process without sockets"
