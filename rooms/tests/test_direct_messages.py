"""Direct messages: /dm/<username>/ opens (making on first use) a private room of exactly the two
users; it never gains a member, and to anyone else it does not exist, on every path."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from rooms.consumers import CLOSE_NO_SUCH_ROOM
from rooms.models import Room
from rooms.posting import post_message
from rooms.tests.badges import badges
from rooms.tests.sessions import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def direct(alice, bob, room, unlimited_posting):
    """The alice-bob room, opened by alice, with a message from her that mentions bob."""
    response = client_for(alice).get("/dm/bob/")
    assert response.status_code == 303
    direct = Room.objects.get(is_direct=True)
    assert response["Location"] == direct.get_absolute_url()
    post_message(direct, alice, "@bob just between us")
    return direct


def test_a_direct_room_is_made_once_for_the_two_users_whoever_opens_it(direct, alice, bob):
    again = client_for(bob).get("/dm/alice/")

    assert again["Location"] == direct.get_absolute_url()
    assert Room.objects.filter(is_direct=True).count() == 1
    assert set(direct.members.all()) == {alice, bob}
    assert direct.is_private


def test_both_see_it_under_direct_messages_named_after_the_other(direct, alice, bob):
    bobs_page = client_for(bob).get("/").text
    alices_page = client_for(alice).get("/").text

    assert badges(bobs_page)[direct.slug] == ("1", "1")
    assert "Direct messages" in bobs_page
    assert "<span>@ alice</span>" in bobs_page
    assert "<span>@ bob</span>" in alices_page
    assert direct.name not in client_for(bob).get("/").text.split("<main")[1]  # not a room


def paths(direct):
    message = direct.messages.get()
    base = f"/rooms/{direct.slug}"
    return [
        ("get", f"{base}/", {}),
        ("get", f"{base}/history/?before=5", {}),
        ("post", f"{base}/messages/", {"body": "let me in"}),
        ("get", f"{base}/messages/{message.pk}/", {}),
        ("get", f"{base}/messages/{message.pk}/edit/", {}),
        ("post", f"{base}/messages/{message.pk}/delete/", {}),
        ("post", f"{base}/messages/{message.pk}/reactions/", {"emoji": "👍"}),
    ]


@pytest.mark.parametrize("visitor", ["carol", "guest"])
def test_anyone_else_gets_a_404_on_every_path(direct, carol, visitor):
    client = client_for(carol) if visitor == "carol" else Client()

    for method, path, data in paths(direct):
        assert getattr(client, method)(path, data).status_code == 404, path


def test_anyone_else_sees_it_in_no_sidebar_and_no_mentions_page(direct, carol):
    client = client_for(carol)

    assert direct.slug not in client.get("/").text
    assert "just between us" not in client.get("/mentions/").text


async def test_anyone_elses_socket_is_refused_as_for_an_unknown_room(direct, carol, connect):
    socket = await connect(direct.slug, user=carol)

    output = await socket.receive_output(1)
    while output["type"] != "websocket.close":
        output = await socket.receive_output(1)
    assert output["code"] == CLOSE_NO_SUCH_ROOM


def test_a_direct_room_never_gains_a_member_nor_turns_public(direct, carol):
    with pytest.raises(ValidationError):
        direct.members.add(carol)
    with pytest.raises(ValidationError):
        carol.private_rooms.add(direct)
    direct.is_private = False
    with pytest.raises(ValidationError):
        direct.save()
    assert direct.members.count() == 2
    assert not Room.objects.filter(pk=direct.pk, is_private=False).exists()


def test_the_admin_cannot_add_a_member_to_a_direct_room(direct, carol):
    admin = get_user_model().objects.create_superuser("root", password="correct horse battery")
    client = client_for(admin)
    url = f"/admin/rooms/room/{direct.pk}/change/"

    client.post(
        url, {"name": "Renamed", "description": "", "members": [carol.pk], "is_private": ""}
    )

    direct.refresh_from_db()
    assert set(direct.members.values_list("username", flat=True)) == {"alice", "bob"}
    assert direct.is_private
    assert 'name="members"' not in client.get(url).text


def test_unknown_users_and_oneself_are_refused_with_a_reason(alice):
    client = client_for(alice)

    assert client.get("/dm/nobody/").status_code == 404
    myself = client.get("/dm/alice/")
    assert myself.status_code == 400
    assert "You cannot send direct messages to yourself." in myself.text
    assert Client().get("/dm/alice/")["Location"].startswith("/accounts/login/")
