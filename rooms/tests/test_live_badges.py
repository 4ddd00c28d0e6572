"""Live badges: an open room page's sidebar follows the user's other rooms over its socket, and a
room read anywhere (a page load, a post, a live page) clears its badge in every tab."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from rooms import read_positions
from rooms.models import Room
from rooms.posting import delete_message, post_message
from rooms.read_positions import read_position
from rooms.tests.badges import badges, title
from rooms.tests.frames import nothing_more, receive_frames
from rooms.unread import UNREAD_CAP

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)


@pytest.fixture
def dev(room):
    return Room.objects.create(name="Dev", slug="dev")


@pytest.fixture(autouse=True)
def quick_live_reads(monkeypatch, unlimited_posting):
    monkeypatch.setattr(read_positions, "LIVE_READS_SECONDS", 0.05)


async def test_a_message_in_another_room_updates_the_badge_and_the_title(dev, alice, bob, connect):
    lobby = await connect(user=bob)

    await post(dev, alice, "hello")
    [frame] = await receive_frames(lobby, 1)
    await post(dev, alice, "@bob are you there?")
    [mentioned] = await receive_frames(lobby, 1)

    assert badges(frame) == {"dev": ("1", "")}
    assert title(frame) == "(1) # Lobby · Socico"
    assert badges(mentioned) == {"dev": ("2", "1")}
    assert title(mentioned) == "(2) # Lobby · Socico"


async def test_the_pages_own_room_and_ones_own_messages_move_no_badge(dev, alice, room, connect):
    lobby = await connect(user=alice)

    await post(room, alice, "in the open room")
    await post(dev, alice, "my own, elsewhere")

    [frame] = await receive_frames(lobby, 1)  # the message itself
    assert "in the open room" in frame
    assert "room-link" not in frame
    assert await nothing_more(lobby)


async def test_a_private_room_moves_no_badge_for_outsiders(room, alice, bob, connect):
    secret = await Room.objects.acreate(name="Secret", slug="secret", is_private=True)
    await secret.members.aadd(alice)
    lobby = await connect(user=bob)

    await post(secret, alice, "members only")

    assert await nothing_more(lobby)


async def test_opening_a_room_clears_its_badge_in_the_users_other_tabs(dev, alice, bob, connect):
    lobby = await connect(user=bob)
    await post(dev, alice, "hello")
    await receive_frames(lobby, 1)
    client = Client()
    await sync_to_async(client.force_login)(bob)

    await sync_to_async(client.get)("/rooms/dev/")

    [frame] = await receive_frames(lobby, 1)
    assert badges(frame) == {"dev": ("", "")}
    assert title(frame) == "# Lobby · Socico"


async def test_a_room_open_live_is_read_as_messages_arrive(dev, alice, bob, connect):
    lobby = await connect(user=bob)
    await connect("dev", user=bob)

    message = await post(dev, alice, "seen live")

    frames = await receive_frames(lobby, 2)
    assert [badges(frame)["dev"] for frame in frames] == [("1", ""), ("", "")]
    assert await sync_to_async(read_position)(bob, dev.pk) == message.seq


async def test_a_deleted_unread_message_leaves_the_live_count(dev, alice, bob, connect):
    lobby = await connect(user=bob)
    await post(dev, alice, "stays")
    going = await post(dev, alice, "goes")
    await receive_frames(lobby, 2)

    await sync_to_async(delete_message)(going, alice)

    [frame] = await receive_frames(lobby, 1)
    assert badges(frame) == {"dev": ("1", "")}


async def test_a_socket_opened_after_messages_came_sends_the_whole_sidebar(
    dev, alice, bob, connect
):
    await post(dev, alice, "while away")

    lobby = await connect(user=bob)

    [frame] = await receive_frames(lobby, 1)
    assert badges(frame) == {"dev": ("1", ""), "lobby": ("", "")}


async def test_a_badge_at_its_cap_sends_nothing_more_until_it_moves(dev, alice, bob, connect):
    lobby = await connect(user=bob)
    for n in range(UNREAD_CAP):
        await post(dev, alice, f"message {n}")
    frames = await receive_frames(lobby, UNREAD_CAP)
    assert badges(frames[-1]) == {"dev": ("99+", "")}
    assert title(frames[-1]) == "(99+) # Lobby · Socico"

    await post(dev, alice, "one more of many")
    assert await nothing_more(lobby)

    await post(dev, alice, "@bob but this one is for you")
    [frame] = await receive_frames(lobby, 1)
    assert badges(frame) == {"dev": ("99+", "1")}
