"""Private rooms: invisible (404, never 403) to everyone but their members, on every path."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client

from rooms.consumers import CLOSE_LOGGED_OUT, CLOSE_NO_SUCH_ROOM
from rooms.models import Message, Room
from rooms.tests.frames import htmx_frame, receive_frames
from rooms.tests.sessions import client_for, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = ["/rooms/secret/", "/rooms/secret/history/?before=5"]


def closed_as_unknown(output):
    return output["type"] == "websocket.close" and output["code"] == CLOSE_NO_SUCH_ROOM


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("visitor", ["anonymous", "bob"])
def test_non_members_get_a_404_on_every_page(secret, bob, path, visitor):
    client = client_for(bob if visitor == "bob" else None)

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", PATHS)
def test_members_read_the_room(secret, alice, path):
    assert client_for(alice).get(path).status_code == 200


@pytest.mark.parametrize("visitor", ["anonymous", "bob"])
def test_non_members_get_a_404_when_posting_and_nothing_is_saved(secret, bob, visitor):
    client = client_for(bob if visitor == "bob" else None)

    response = client.post("/rooms/secret/messages/", {"body": "let me in"})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_room_list_shows_private_rooms_to_members_only(secret, room, alice, bob):
    assert "/rooms/secret/" in client_for(alice).get("/").text
    for visitor in [bob, None]:
        listing = client_for(visitor).get("/").text
        assert "/rooms/lobby/" in listing
        assert "Secret" not in listing


@pytest.mark.parametrize("visitor", ["anonymous", "bob"])
async def test_non_members_sockets_are_closed_as_for_an_unknown_room(connect, secret, bob, visitor):
    socket = await connect(slug="secret", user=bob if visitor == "bob" else None)

    assert "This room does not exist" in await socket.receive_from()
    assert closed_as_unknown(await socket.receive_output())


async def test_a_member_removed_while_connected_is_disconnected(connect, secret, alice):
    socket = await connect(slug="secret", user=alice)

    await secret.members.aremove(alice)

    assert "This room does not exist" in await socket.receive_from()
    assert closed_as_unknown(await socket.receive_output())


async def test_posting_is_rechecked_even_if_the_removal_was_not_announced(connect, secret, alice):
    socket = await connect(slug="secret", user=alice)
    # A bulk delete sends no signal: only the check made on every post can notice.
    await Room.members.through.objects.filter(room=secret, user=alice).adelete()

    await socket.send_json_to(htmx_frame(body="still here?"))

    assert "This room does not exist" in await socket.receive_from()
    assert closed_as_unknown(await socket.receive_output())
    assert not await Message.objects.aexists()


async def test_a_logout_in_another_tab_ends_the_socket_at_once(connect, secret, alice):
    cookie = await session_cookie(alice)
    socket = await connect(slug="secret", user=alice, cookie=cookie, resume=False)
    other_tab = Client()
    other_tab.cookies.load(cookie)

    logged_out = await sync_to_async(other_tab.post)("/accounts/logout/")

    assert logged_out.status_code == 302
    assert "You have logged out" in await socket.receive_from()
    assert (await socket.receive_output())["code"] == CLOSE_LOGGED_OUT


async def test_a_socket_whose_session_ended_unannounced_can_no_longer_post(connect, room, alice):
    cookie = await session_cookie(alice)
    socket = await connect(user=alice, cookie=cookie)
    # Ended with no logout signal (a script, clearsessions): only the post's own check sees it.
    await Session.objects.filter(session_key=cookie.removeprefix("sessionid=")).adelete()

    await socket.send_json_to(htmx_frame(body="posted after logging out"))

    [composer] = await receive_frames(socket, 1)
    assert "Log in to post messages" in composer
    assert "posted after logging out" in composer, "what was typed is kept"
    assert not await Message.objects.aexists()
