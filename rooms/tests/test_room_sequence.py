"""A room's seq counter: only posting moves it, and a counter behind its messages heals.

Edits of a room (the admin, a shell) must never write back a counter they read before a
post; a counter rolled back anyway must not wedge the room.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.db.models.signals import pre_save

from rooms.consumers import CLOSE_NO_SUCH_ROOM
from rooms.models import Message, Room
from rooms.posting import NotAllowed, post_message
from rooms.tests.frames import htmx_frame, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)

ADD_URL = "/admin/rooms/room/add/"


def change_url(room):
    return f"/admin/rooms/room/{room.pk}/change/"


def post_form(client, body, slug="lobby"):
    response = client.post(f"/rooms/{slug}/messages/", {"body": body})
    assert response.status_code == 303
    return response


def seqs(room):
    return list(Message.objects.filter(room=room).values_list("seq", flat=True))


def form_values(shown, **typed):
    """What a browser sends back from the admin form it was shown, with `typed` changed."""
    form = shown.context["adminform"].form
    shown_values = {name: form[name].value() for name in form.fields}
    # A browser sends nothing for an empty list, and the test client refuses None.
    return {name: value for name, value in {**shown_values, **typed}.items() if value is not None}


def post_and_close(room, author, body):
    """Posts on this thread's own connection; a lock the saver holds fails it, not hangs it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")
        post_message(room, author, body)
    finally:
        connections.close_all()


@contextmanager
def a_post_lands_before_the_room_is_saved(author):
    """Posts in the room after whoever saves it next has read it, before its UPDATE."""

    def land_a_post(sender, instance, **kwargs):
        pre_save.disconnect(land_a_post, sender=Room)  # once: posting saves the room too
        if connection.vendor == "sqlite":
            # SQLite gives the saving transaction the whole database: a post can only
            # land inside it.
            post_message(instance, author, "landed mid-edit")
        else:
            # Row locks only: the post commits from a connection of its own while the
            # saving transaction is open, as in the issue.
            with ThreadPoolExecutor(max_workers=1) as elsewhere:
                elsewhere.submit(post_and_close, instance, author, "landed mid-edit").result()

    pre_save.connect(land_a_post, sender=Room, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(land_a_post, sender=Room)


def test_an_admin_edit_while_a_post_lands_leaves_the_counter_right(
    room, alice, alice_client, admin_client
):
    post_form(alice_client, "before the edit")
    shown = admin_client.get(change_url(room))

    with a_post_lands_before_the_room_is_saved(alice):
        saved = admin_client.post(change_url(room), form_values(shown, description="Edited"))

    assert saved.status_code == 302
    room.refresh_from_db()
    assert room.description == "Edited"
    assert room.last_seq == 2, "the admin wrote back the counter it read before the post"
    post_form(alice_client, "after the edit")
    assert seqs(room) == [1, 2, 3]


def test_saving_a_room_read_before_a_post_leaves_the_counter_alone(room, alice_client):
    read_earlier = Room.objects.get(pk=room.pk)
    post_form(alice_client, "posted meanwhile")

    read_earlier.description = "Edited from a shell"
    read_earlier.save()

    room.refresh_from_db()
    assert (room.description, room.last_seq) == ("Edited from a shell", 1)


def test_a_counter_rolled_back_heals_on_the_next_post(room, alice_client):
    for body in ["one", "two", "three"]:
        post_form(alice_client, body)
    Room.objects.filter(pk=room.pk).update(last_seq=0)

    post_form(alice_client, "after the rollback")

    room.refresh_from_db()
    assert room.last_seq == 4
    assert seqs(room) == [1, 2, 3, 4]


def test_the_seq_of_a_deleted_newest_message_is_not_given_again(room, alice_client):
    post_form(alice_client, "one")
    post_form(alice_client, "two")
    Message.objects.get(room=room, seq=2).delete()

    post_form(alice_client, "three")

    assert seqs(room) == [1, 4], "after the deletion's own position, 3"


async def test_a_socket_post_heals_a_rolled_back_counter(connect, room, alice, alice_client):
    await sync_to_async(post_form)(alice_client, "one")
    socket = await connect(user=alice)
    await Room.objects.filter(pk=room.pk).aupdate(last_seq=0)

    await socket.send_json_to(htmx_frame(body="over the socket"))

    frames = await receive_frames(socket, 2)
    assert any('name="last_seq" value="2"' in frame for frame in frames)
    assert await sync_to_async(seqs)(room) == [1, 2]


def test_the_admin_room_form_neither_shows_nor_takes_last_seq(room, alice_client, admin_client):
    post_form(alice_client, "one")
    shown = admin_client.get(change_url(room))
    assert "last_seq" not in shown.context["adminform"].form.fields
    assert 'name="last_seq"' not in shown.text

    saved = admin_client.post(change_url(room), form_values(shown, last_seq="0"))

    assert saved.status_code == 302
    room.refresh_from_db()
    assert room.last_seq == 1


def test_a_room_added_in_the_admin_takes_posts_from_seq_one(admin_client, alice_client):
    shown = admin_client.get(ADD_URL)
    assert "last_seq" not in shown.context["adminform"].form.fields

    added = admin_client.post(ADD_URL, form_values(shown, name="Lobby", slug="lobby"))

    assert added.status_code == 302
    post_form(alice_client, "first")
    assert seqs(Room.objects.get(slug="lobby")) == [1]


async def test_an_admin_edit_that_makes_the_room_private_closes_outsiders_sockets(
    connect, room, bob, admin_client
):
    socket = await connect(user=bob)
    shown = await sync_to_async(admin_client.get)(change_url(room))

    saved = await sync_to_async(admin_client.post)(
        change_url(room), form_values(shown, is_private=True)
    )

    assert saved.status_code == 302
    [notice] = await receive_frames(socket, 1)
    assert "This room does not exist" in notice
    assert (await socket.receive_output())["code"] == CLOSE_NO_SUCH_ROOM


def test_taking_a_position_allows_exactly_the_rooms_visible_to_the_poster(
    room, alice, bob, make_user
):
    """take_position checks access in its own SQL: it must agree with visible_to everywhere."""
    carol = make_user("carol")
    hers = Room.objects.create(name="Hers", slug="hers", is_private=True)
    hers.members.add(alice)
    theirs = Room.objects.create(name="Theirs", slug="theirs", is_private=True)
    theirs.members.add(bob, carol)
    empty = Room.objects.create(name="Empty", slug="empty", is_private=True)
    for user in (alice, bob, carol):
        visible = set(Room.objects.visible_to(user))
        for each in (room, hers, theirs, empty):
            try:
                post_message(each, user, "hello")
                posted = True
            except NotAllowed:
                posted = False
            assert posted == (each in visible), (user, each)
    assert seqs(hers) == [1]
    assert seqs(theirs) == [1, 2]
    assert seqs(empty) == []
