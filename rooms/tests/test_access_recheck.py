"""Access lost by any path ends a socket: at once when announced, within a recheck when not."""

import pytest
from django.contrib.sessions.models import Session

from rooms.consumers import CLOSE_LOGGED_OUT, CLOSE_NO_SUCH_ROOM
from rooms.models import Message, Room
from rooms.tests.frames import PRESENCE, receive_until_quiet
from rooms.tests.sessions import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_recheck(settings):
    settings.RECHECK_SECONDS = 0.2


async def closed_with(socket):
    """The close code the socket ends with, and every frame it was sent before it."""
    frames = []
    while (output := await socket.receive_output(5))["type"] != "websocket.close":
        frames.append(output["text"])
    return output["code"], [frame for frame in frames if not frame.startswith(PRESENCE)]


async def test_a_member_removed_by_a_bulk_delete_is_disconnected(
    connect, secret, alice, quick_recheck
):
    socket = await connect(slug="secret", user=alice)

    # No signal: a script, a shell, or a bulk delete in some other tool.
    await Room.members.through.objects.filter(room=secret, user=alice).adelete()

    code, frames = await closed_with(socket)
    assert code == CLOSE_NO_SUCH_ROOM
    assert ["This room does not exist" in frame for frame in frames] == [True]


async def test_a_room_made_private_by_an_update_closes_its_guests(connect, room, quick_recheck):
    socket = await connect()

    await Room.objects.filter(pk=room.pk).aupdate(is_private=True)

    assert (await closed_with(socket))[0] == CLOSE_NO_SUCH_ROOM


async def test_a_session_ended_without_a_logout_closes_its_sockets(
    connect, room, alice, quick_recheck
):
    cookie = await session_cookie(alice)
    socket = await connect(user=alice, cookie=cookie)

    await Session.objects.filter(session_key=cookie.removeprefix("sessionid=")).adelete()

    code, frames = await closed_with(socket)
    assert code == CLOSE_LOGGED_OUT
    assert "You have logged out" in frames[0]


async def test_members_and_guests_of_rooms_they_may_read_stay(
    connect, secret, room, alice, quick_recheck
):
    sockets = [await connect(slug="secret", user=alice), await connect(), await connect(user=alice)]

    for socket in sockets:
        assert await receive_until_quiet(socket, quiet=1) == [], "several rechecks, nothing said"


async def test_a_resume_after_access_was_lost_replays_nothing(connect, secret, alice, bob):
    await Message.objects.acreate(room=secret, seq=1, author=alice, body="not for leavers")
    await Room.objects.filter(pk=secret.pk).aupdate(last_seq=1)
    socket = await connect(slug="secret", user=alice, resume=False)
    await Room.members.through.objects.filter(room=secret, user=alice).adelete()

    await socket.send_json_to({"last_seq": 0})

    code, frames = await closed_with(socket)
    assert code == CLOSE_NO_SUCH_ROOM
    assert not any("not for leavers" in frame for frame in frames)
