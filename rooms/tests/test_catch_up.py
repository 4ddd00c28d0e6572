"""Whole, ordered delivery per socket: resume from the page's last seq, dedupe, fill gaps."""

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async
from django.db.models import F

from rooms.broadcast import message_event
from rooms.consumers import GAP_GRACE_SECONDS
from rooms.models import Message, Room
from rooms.posting import post_message
from rooms.publisher import publish
from rooms.tests.frames import (
    PageModel,
    htmx_frame,
    nothing_but_presence,
    receive_frames,
    receive_until_quiet,
)

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)


def bodies(frame):
    return re.findall(r'<p class="body[^"]*">([^<]*)</p>', frame)


def last_seq(frame):
    return int(re.search(r'id="last-seq" name="last_seq" value="(\d+)"', frame)[1])


async def test_resume_replays_exactly_what_the_page_lacks_in_order(connect, room, alice):
    for n in range(1, 6):
        await post(room, alice, f"m{n}")
    socket = await connect(resume=False, user=alice)

    await socket.send_json_to({"last_seq": "2"})

    [frame] = await receive_frames(socket, 1)
    assert 'hx-swap-oob="beforeend:#messages"' in frame
    assert bodies(frame) == ["m3", "m4", "m5"]
    assert last_seq(frame) == 5
    await post(room, alice, "m6")
    [live] = await receive_frames(socket, 1)
    assert bodies(live) == ["m6"]
    assert await socket.receive_nothing()


async def test_an_up_to_date_page_gets_nothing_on_resume(connect, room, alice):
    await post(room, alice, "m1")
    socket = await connect(resume=False, user=alice)

    await socket.send_json_to({"last_seq": 1})

    assert await socket.receive_nothing()


async def test_reconnecting_after_missing_messages_delivers_each_once(connect, room, alice, bob):
    await post(room, alice, "before")
    socket = await connect(resume=False, user=bob)
    await socket.send_json_to({"last_seq": 1})
    await socket.disconnect()
    for n in range(1, 4):
        await post(room, alice, f"while away {n}")

    socket = await connect(resume=False, user=bob)
    # The resume and a new live message race: the page must end up whole and in order.
    await socket.send_json_to({"last_seq": 1})
    await post(room, alice, "after")

    page = PageModel()
    for frame in await receive_until_quiet(socket):
        page.apply(frame)
    assert page.bodies == ["while away 1", "while away 2", "while away 3", "after"]


async def test_live_messages_wait_for_the_resume_and_keep_the_page_in_order(connect, room, alice):
    await post(room, alice, "missed")
    socket = await connect(resume=False, user=alice)

    await post(room, alice, "live")
    assert await socket.receive_nothing(), "which the page shows already, only it can say"
    await socket.send_json_to({"last_seq": 0})

    [replay] = await receive_frames(socket, 1)
    assert bodies(replay) == ["missed", "live"]
    assert last_seq(replay) == 2
    assert await socket.receive_nothing()


async def test_a_broadcast_of_a_message_the_page_shows_is_not_sent_again(connect, room, alice):
    shown = await post(room, alice, "rendered with the page")
    socket = await connect(resume=False, user=alice)

    # As when the process reads the broadcast late, after the page's socket has opened.
    event = await sync_to_async(message_event)(shown)
    publish(event)
    await socket.send_json_to({"last_seq": shown.seq})

    assert await socket.receive_nothing()


async def test_a_lost_broadcast_is_filled_in_from_the_database(connect, room, alice, caplog):
    socket = await connect(resume=False, user=alice)
    await socket.send_json_to({"last_seq": 0})
    assert await socket.receive_nothing()
    # A message whose broadcast never arrived (a full channel, a Redis drop).
    await Room.objects.filter(pk=room.pk).aupdate(last_seq=F("last_seq") + 1)
    await Message.objects.acreate(room=room, seq=1, author=alice, body="lost")

    await post(room, alice, "next")

    [frame] = await receive_frames(socket, 1)
    assert bodies(frame) == ["lost", "next"]
    assert last_seq(frame) == 2
    # Who-is-here may come by now, on a loaded machine: only no second copy must.
    assert await nothing_but_presence(socket)
    assert "seq 1 to 1 never arrived" in caplog.text, "the drop is counted"


async def test_a_broadcast_that_overtook_an_earlier_one_waits_for_it(connect, room, alice, caplog):
    socket = await connect(resume=False, user=alice)
    await socket.send_json_to({"last_seq": 0})
    assert await socket.receive_nothing()
    first, second = [
        await Message.objects.acreate(room=room, seq=seq, author=alice, body=f"number {seq}")
        for seq in (1, 2)
    ]
    await Room.objects.filter(pk=room.pk).aupdate(last_seq=2)

    # Posted through two processes, their broadcasts arrive the wrong way round.
    for message in (second, first):
        event = await sync_to_async(message_event)(message)
        publish(event)

    frames = await receive_frames(socket, 2)
    assert [bodies(frame) for frame in frames] == [["number 1"], ["number 2"]]
    await asyncio.sleep(GAP_GRACE_SECONDS * 2)
    assert "never arrived" not in caplog.text, "nothing was dropped"


async def test_messages_deleted_while_away_are_not_replayed(connect, room, alice):
    kept = await post(room, alice, "kept")
    gone = await post(room, alice, "gone")
    await gone.adelete()
    socket = await connect(resume=False, user=alice)

    await socket.send_json_to({"last_seq": 0})

    [frame] = await receive_frames(socket, 1)
    assert bodies(frame) == ["kept"]
    assert last_seq(frame) == kept.seq + 2, "after the deletion's own position"


async def test_a_post_sent_before_the_resume_is_not_duplicated(connect, room, alice):
    await post(room, alice, "earlier")
    socket = await connect(resume=False, user=alice)

    # htmx flushes frames queued while offline before the open event's resume frame.
    await socket.send_json_to(htmx_frame(body="queued while offline"))
    await socket.send_json_to({"last_seq": 0})

    frames = [f for f in await receive_frames(socket, 2) if 'id="composer"' not in f]
    assert [bodies(f) for f in frames] == [["earlier", "queued while offline"]]
    assert await socket.receive_nothing()
