"""A page far behind its room gets the latest page and a notice, never an unbounded replay."""

import re

import pytest
from asgiref.sync import sync_to_async

from rooms.delivery import REPLAY_LIMIT
from rooms.history import PAGE_SIZE
from rooms.models import Message, Room
from rooms.posting import post_message
from rooms.tests.frames import PageModel, nothing_more, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)


async def seed(room, author, count):
    """`count` messages in the room, as the posting path would have left them."""
    await Message.objects.abulk_create(
        Message(room=room, seq=seq, changed_seq=seq, author=author, body=f"number {seq}")
        for seq in range(1, count + 1)
    )
    await Room.objects.filter(pk=room.pk).aupdate(last_seq=count)


async def test_a_page_far_behind_gets_the_latest_page_and_a_link_to_where_it_was(
    connect, room, alice
):
    await seed(room, alice, REPLAY_LIMIT + 150)
    socket = await connect(user=alice, resume=False)

    await socket.send_json_to({"last_seq": 10})

    [frame] = await receive_frames(socket, 1)
    page = PageModel()
    page.apply(frame)
    newest = REPLAY_LIMIT + 150
    assert page.bodies == [f"number {seq}" for seq in range(newest - PAGE_SIZE + 1, newest + 1)]
    assert page.last_seq == newest
    notice = re.search(r'<p id="far-behind" role="status".*?</p>', frame, re.S)[0]
    assert f"{newest - 10} messages and changes came while this page was away" in notice
    assert 'href="/rooms/lobby/history/?after=10"' in notice
    assert await nothing_more(socket)

    message = await sync_to_async(post_message)(room, alice, "live again")
    [live] = await receive_frames(socket, 1)
    page.apply(live)
    assert page.bodies[-1] == "live again"
    assert page.last_seq == message.seq


async def test_a_page_within_the_replay_limit_gets_every_message_it_missed(connect, room, alice):
    await seed(room, alice, REPLAY_LIMIT + 10)
    socket = await connect(user=alice, resume=False)

    await socket.send_json_to({"last_seq": 10})

    page = PageModel()
    [frame] = await receive_frames(socket, 1, seconds=10)
    page.apply(frame)
    assert page.bodies == [f"number {seq}" for seq in range(11, REPLAY_LIMIT + 11)]
    assert "far-behind" not in frame


async def test_a_page_from_before_the_room_began_is_bounded_too(connect, room, alice):
    await seed(room, alice, REPLAY_LIMIT + 1)
    socket = await connect(resume=False)  # anyone may ask, signed in or not

    await socket.send_json_to({"last_seq": 0})

    [frame] = await receive_frames(socket, 1)
    assert 'id="far-behind"' in frame
    assert len(re.findall(r"<article ", frame)) == PAGE_SIZE


async def test_a_replay_too_large_for_one_frame_gets_the_latest_page(
    connect, room, alice, monkeypatch
):
    await seed(room, alice, 60)
    monkeypatch.setattr("rooms.consumers.MAX_REPLAY_BYTES", 10_000)  # 60 messages take more
    socket = await connect(user=alice, resume=False)

    await socket.send_json_to({"last_seq": 0})

    [frame] = await receive_frames(socket, 1)
    assert 'id="far-behind"' in frame
    assert len(re.findall(r"<article ", frame)) == PAGE_SIZE
