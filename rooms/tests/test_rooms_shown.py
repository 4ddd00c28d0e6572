"""A room that becomes visible to a user reaches their open pages' sidebars live, and its
messages count there from then on; a room they lose leaves the sidebar, live or at a recheck."""

import re

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from rooms.models import Room
from rooms.posting import post_message
from rooms.tests.badges import badges, title
from rooms.tests.frames import nothing_more, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)
APPENDED = re.compile(r'<ul hx-swap-oob="beforeend:#([\w-]+)"><li id="room-item-([\w-]+)">')
REMOVED = re.compile(r'<li id="room-item-([\w-]+)" hx-swap-oob="delete">')


def appended(frame):
    """{slug: the list it is appended to} for each link the frame adds."""
    return {slug: target for target, slug in APPENDED.findall(frame)}


@pytest.fixture(autouse=True)
def quick(unlimited_posting, settings):
    settings.RECHECK_SECONDS = 0.2


async def test_a_direct_message_opened_to_a_user_reaches_their_open_page(room, alice, bob, connect):
    lobby = await connect(user=bob)
    client = Client()
    await sync_to_async(client.force_login)(alice)

    await sync_to_async(client.get)("/dm/bob/")
    [shown] = await receive_frames(lobby, 1)
    direct = await Room.objects.aget(is_direct=True)
    await post(direct, alice, "first words, @bob")
    [counted] = await receive_frames(lobby, 1)

    assert appended(shown) == {direct.slug: "direct-links"}
    assert badges(shown) == {direct.slug: ("", "")}
    assert ">@ alice<" in shown, "named after the other member"
    assert '<h2 id="direct-heading"' in shown
    assert " hidden" not in shown, "the heading shows now that there is one"
    assert badges(counted) == {direct.slug: ("1", "1")}
    assert title(counted) == "(1) # Lobby · Socico"


async def test_a_public_room_created_reaches_every_signed_in_page(room, alice, bob, connect):
    pages = [await connect(user=alice), await connect(user=bob)]
    guest = await connect()

    dev = await Room.objects.acreate(name="Dev", slug="dev")
    shown = [(await receive_frames(page, 1))[0] for page in pages]
    await post(dev, alice, "welcome to dev")

    assert [appended(frame) for frame in shown] == [{"dev": "room-links"}] * 2
    [counted] = await receive_frames(pages[1], 1)
    assert badges(counted) == {"dev": ("1", "")}
    from rooms.tests.frames import receive_until_quiet

    assert (x := await receive_until_quiet(pages[0], 0.3)) == [], x
    assert await nothing_more(guest), "guests' sidebars are the page's, reloaded"


async def test_a_member_added_to_a_private_room_sees_it_and_outsiders_do_not(
    room, secret, alice, bob, make_user, connect
):
    carol = await sync_to_async(make_user)("carol")
    bobs, carols = await connect(user=bob), await connect(user=carol)
    await post(secret, alice, "before bob came")

    await secret.members.aadd(bob)
    [shown] = await receive_frames(bobs, 1)
    await post(secret, alice, "now with bob")
    [counted] = await receive_frames(bobs, 1)

    assert appended(shown) == {"secret": "room-links"}
    assert badges(shown) == {"secret": ("1", "")}, "counted as a page load counts it"
    assert badges(counted) == {"secret": ("2", "")}
    assert await nothing_more(carols)


async def test_a_room_shown_twice_is_listed_once(room, alice, bob, connect):
    dev = await Room.objects.acreate(name="Dev", slug="dev")
    lobby = await connect(user=bob)

    dev.description = "renamed, still public"
    await dev.asave()

    assert await nothing_more(lobby)


async def test_a_member_removed_loses_the_link_live_and_its_messages_stop_counting(
    room, secret, alice, bob, connect
):
    await secret.members.aadd(bob)
    lobby = await connect(user=bob)

    await secret.members.aremove(bob)
    [removed] = await receive_frames(lobby, 1)
    await post(secret, alice, "no longer for bob")

    assert REMOVED.findall(removed) == ["secret"]
    assert await nothing_more(lobby)


async def test_a_room_lost_without_an_event_leaves_the_sidebar_at_the_next_recheck(
    room, secret, alice, bob, connect
):
    dev = await Room.objects.acreate(name="Dev", slug="dev")
    lobby = await connect(user=alice)

    # No signal: a script, or a bulk change in some other tool.
    await Room.members.through.objects.filter(room=secret, user=alice).adelete()
    await Room.objects.filter(pk=dev.pk).adelete()

    frames = await receive_frames(lobby, 2, seconds=5)
    assert sorted(slug for frame in frames for slug in REMOVED.findall(frame)) == ["dev", "secret"]
    assert await nothing_more(lobby, quiet=1), "several rechecks, said once"
