"""Edits, deletions and reactions: who may make them, and every page gets each one, live or on
catch-up, exactly once and in order."""

import re

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from rooms.models import Message, Reaction, Removal, Room
from rooms.posting import edit_message, post_message, toggle_reaction
from rooms.tests.frames import nothing_more, receive_frames
from rooms.tests.sessions import client_for

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)
ARTICLE = re.compile(r'<article id="message-(\d+)"[^>]*>(.*?)</article>', re.S)
CHANGED = re.compile(
    r'<div id="message-(\d+)" hx-swap-oob="innerHTML">(.*?)</div>\n(?=<div|<input|$)', re.S
)
APPENDED = re.compile(r'<div hx-swap-oob="beforeend:#messages">(.*?)</div>\n(?=<input|$)', re.S)
REMOVED = re.compile(r'<div id="message-(\d+)" hx-swap-oob="delete"></div>')
POSITION = re.compile(r'id="last-seq" name="last_seq" value="(\d+)"')


class Page:
    """A room page's #messages as htmx leaves it: each message's whole inner HTML, in order."""

    def __init__(self, html):
        shown = re.search(
            r'<div id="messages"[^>]*>(.*?)</div>\s*</div>\s*<form id="resume"', html, re.S
        )
        self.messages = [(int(pk), inner) for pk, inner in ARTICLE.findall(shown[1])]
        self.position = int(POSITION.search(html)[1])

    def apply(self, frame):
        removed = {int(pk) for pk in REMOVED.findall(frame)}
        changed = {int(pk): inner for pk, inner in CHANGED.findall(frame)}
        self.messages = [
            (pk, changed.get(pk, inner)) for pk, inner in self.messages if pk not in removed
        ]
        for content in APPENDED.findall(frame):
            self.messages += [(int(pk), inner) for pk, inner in ARTICLE.findall(content)]
        self.position = int(POSITION.search(frame)[1])


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def posted(room, alice, unlimited_posting):
    return post_message(room, alice, "first draft")


def url(message, action=""):
    return f"/rooms/lobby/messages/{message.pk}/{action}"


def test_the_author_edits_without_javascript(posted, alice):
    client = client_for(alice)
    form = client.get(url(posted, "edit/"))
    assert form.status_code == 200
    assert "first draft</textarea>" in form.text

    response = client.post(url(posted, "edit/"), {"edit-body": "second draft"})

    assert response.status_code == 303
    assert response["Location"] == url(posted)
    posted.refresh_from_db()
    assert posted.body == "second draft"
    assert posted.edited_at is not None
    page = client.get(url(posted)).text
    assert "second draft" in page, "no stale fragment"
    assert "(edited)" in page


def test_an_invalid_edit_keeps_the_form_with_its_error(posted, alice):
    response = client_for(alice).post(url(posted, "edit/"), {"edit-body": "   "})

    assert response.status_code == 422
    assert "Write something before sending." in response.text
    posted.refresh_from_db()
    assert posted.body == "first draft"


@pytest.mark.parametrize("action", ["edit/", "delete/"])
def test_others_are_refused_with_a_reason(posted, bob, action):
    response = client_for(bob).post(url(posted, action), {"edit-body": "hijacked"})

    assert response.status_code == 403
    verb = "edit" if action == "edit/" else "delete"
    assert f"You can only {verb} your own messages." in response.text
    assert Message.objects.get().body == "first draft"


def test_the_author_deletes_and_staff_may_delete_anything(room, posted, alice, bob):
    other = post_message(room, bob, "bob's")
    staff = get_user_model().objects.create_user("mod", password="x", is_staff=True)

    assert client_for(alice).post(url(posted, "delete/"))["Location"] == "/rooms/lobby/"
    assert client_for(staff).post(url(other, "delete/")).status_code == 303

    assert not Message.objects.exists()
    assert list(Removal.objects.values_list("message_pk", flat=True)) == [posted.pk, other.pk]


def test_reactions_toggle_per_user_and_show_who_reacted(posted, alice, bob):
    for user in (alice, bob):
        response = client_for(user).post(url(posted, "reactions/"), {"emoji": "👍"})
        assert response.status_code == 303
        assert response["Location"] == url(posted)

    page = client_for(bob).get(url(posted)).text
    assert re.search(r'title="alice, bob"[^>]*>👍 2</button>', page)

    client_for(bob).post(url(posted, "reactions/"), {"emoji": "👍"})
    assert list(Reaction.objects.values_list("user__username", flat=True)) == ["alice"]


def test_an_unknown_reaction_is_refused_with_the_choices(posted, alice):
    response = client_for(alice).post(url(posted, "reactions/"), {"emoji": "🦄"})

    assert response.status_code == 400
    assert "React with one of 👍" in response.text
    assert not Reaction.objects.exists()


@pytest.mark.parametrize("action", ["", "edit/", "delete/", "reactions/"])
def test_a_private_rooms_messages_do_not_exist_for_outsiders(room, posted, bob, action):
    Room.objects.filter(pk=room.pk).update(is_private=True)
    client = client_for(bob)

    if action:
        response = client.post(url(posted, action), {"emoji": "👍", "edit-body": "x"})
    else:
        response = client.get(url(posted))

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["edit/", "delete/", "reactions/"])
def test_every_change_needs_its_csrf_token(posted, alice, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(url(posted, action), {"emoji": "👍", "edit-body": "x"})

    assert response.status_code == 403
    assert Message.objects.get().body == "first draft"
    assert not Reaction.objects.exists()


def test_guests_are_sent_to_log_in(posted):
    response = Client().post(url(posted, "reactions/"), {"emoji": "👍"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_changes_count_on_the_posting_rate_limit(room, alice, settings):
    settings.POST_RATE = (3, 3600)
    client = client_for(alice)
    client.post("/rooms/lobby/messages/", {"body": "one"})
    message = Message.objects.get()
    client.post(url(message, "reactions/"), {"emoji": "🎉"})
    client.post(url(message, "edit/"), {"edit-body": "two"})

    refused = client.post(url(message, "delete/"))

    assert refused.status_code == 429
    assert "Slow down" in refused.text
    assert Message.objects.filter(body="two").exists()


def test_the_permalink_shows_the_message_among_its_neighbours(room, alice, unlimited_posting):
    posted = [post_message(room, alice, f"number {n}") for n in range(80)]
    target = posted[30]

    page = Client().get(url(target)).text

    shown = [int(pk) for pk in re.findall(r'<article[^>]* id="message-(\d+)"', page)]
    assert shown == [m.pk for m in posted[5:56]]
    assert re.search(rf'<article aria-current="true" id="message-{target.pk}"', page)
    assert f"?before={posted[5].seq}" in page
    assert f"?after={posted[55].seq}" in page
    assert 'id="messages-window"' in page, "no live appends into a window short of the newest"
    newest = Client().get(url(posted[-1])).text
    assert 'id="messages"' in newest


async def test_an_edit_reaches_open_pages_in_place(connect, room, alice, bob, unlimited_posting):
    message = await post(room, alice, "typo")
    socket = await connect(user=bob)

    await sync_to_async(edit_message)(message, alice, "fixed")

    [frame] = await receive_frames(socket, 1)
    [(pk, inner)] = CHANGED.findall(frame)
    assert int(pk) == message.pk
    assert ">fixed</div>" in inner
    assert "(edited)" in inner
    assert POSITION.search(frame)[1] == "2"


async def test_a_page_that_missed_changes_catches_up_to_what_a_fresh_load_shows(
    connect, room, alice, bob, unlimited_posting
):
    first, second, third = [await post(room, alice, f"message {n}") for n in range(3)]
    alice_client, bob_client = [await sync_to_async(client_for)(user) for user in (alice, bob)]
    page = Page((await sync_to_async(bob_client.get)("/rooms/lobby/")).text)
    # While the page's socket is down:
    await sync_to_async(edit_message)(first, alice, "message 0, edited")
    await sync_to_async(alice_client.post)(url(second, "delete/"))
    await sync_to_async(toggle_reaction)(third, bob, "❤️")
    await post(room, alice, "message 3")

    socket = await connect(user=bob, resume=False)
    await socket.send_json_to({"last_seq": page.position})

    [frame] = await receive_frames(socket, 1)
    page.apply(frame)
    fresh = Page((await sync_to_async(bob_client.get)("/rooms/lobby/")).text)
    assert page.messages == fresh.messages
    assert page.position == fresh.position == 7
    assert await nothing_more(socket)


async def test_a_deletion_in_the_admin_takes_its_place_too(connect, room, alice, bob, admin_client):
    message = await post(room, alice, "spam")
    socket = await connect(user=bob)

    response = await sync_to_async(admin_client.post)(
        f"/admin/rooms/message/{message.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    [frame] = await receive_frames(socket, 1)
    assert REMOVED.findall(frame) == [str(message.pk)]
    assert POSITION.search(frame)[1] == "2"


def menu_controls(html):
    """The controls of an actions menu: reaction buttons by emoji, then edit and delete."""
    menu = re.search(r'<div class="message-menu" aria-live="off">(.*?)\n</div>', html, re.S)[1]
    reactions = re.findall(r'<button name="emoji" value="([^"]+)"', menu)
    return reactions + re.findall(r">(Edit|Delete)</(?:a|button)>", menu)


REACTION_CHOICES = ["👍", "❤️", "😂", "🎉", "👀"]


def test_the_actions_menu_offers_each_viewer_what_they_may_do(posted, alice, bob):
    staff = get_user_model().objects.create_user("mod", password="x", is_staff=True)
    htmx = {"HX-Request": "true"}
    menus = {
        name: client.get(url(posted, "actions/"), headers=htmx)
        for name, client in [
            ("author", client_for(alice)),
            ("other", client_for(bob)),
            ("staff", client_for(staff)),
            ("guest", Client()),
        ]
    }

    assert {name: menu_controls(menu.text) for name, menu in menus.items()} == {
        "author": [*REACTION_CHOICES, "Edit", "Delete"],
        "other": REACTION_CHOICES,
        "staff": [*REACTION_CHOICES, "Delete"],
        "guest": [],
    }
    assert f'href="/accounts/login/?next={url(posted)}">Log in to react</a>' in menus["guest"].text
    assert all(menu["Vary"] == "HX-Request, Cookie" for menu in menus.values())
    page = Client().get("/rooms/lobby/").text
    assert f'hx-get="{url(posted, "actions/")}" hx-trigger="toggle once"' in page
    assert "Delete" not in page, "a fragment sent to every page carries no one's controls"


def test_without_javascript_the_menu_links_a_page_of_forms_that_work(posted, alice):
    client = client_for(alice)
    room_page = client.get("/rooms/lobby/").text
    assert f'<a href="{url(posted, "actions/")}">React, edit or delete</a>' in room_page

    page = client.get(url(posted, "actions/"))

    assert page.status_code == 200
    assert "Actions on alice's message in #" in page.text
    assert f'id="message-{posted.pk}"' in page.text
    assert menu_controls(page.text) == [*REACTION_CHOICES, "Edit", "Delete"]
    assert page.text.count('name="csrfmiddlewaretoken"') >= 3  # each form posts its own
    reactions = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>[^<]*<input[^>]*>\s*<button name="emoji"',
        page.text,
    )
    reacted = client.post(reactions[1], {"emoji": "🎉"})
    assert reacted["Location"] == url(posted)
    assert Reaction.objects.get().emoji == "🎉"


def test_a_private_rooms_message_menu_does_not_exist_for_outsiders(room, posted, bob):
    Room.objects.filter(pk=room.pk).update(is_private=True)

    assert client_for(bob).get(url(posted, "actions/")).status_code == 404


def test_the_viewers_stylesheet_marks_their_reactions_and_mentions(alice):
    mine = client_for(alice).get("/viewer.css")
    guests = Client().get("/viewer.css")

    assert mine["Content-Type"].startswith("text/css")
    assert f'.reaction[data-by~="u{alice.pk}"]' in mine.text
    assert f'[data-mentions~="u{alice.pk}"]' in mine.text
    assert "private" in mine["Cache-Control"]
    assert "data-by" not in guests.text


def test_with_htmx_a_change_answers_nothing_to_swap_and_a_refusal_its_reason(posted, alice, bob):
    htmx = {"HX-Request": "true"}

    done = client_for(alice).post(url(posted, "reactions/"), {"emoji": "👀"}, headers=htmx)
    refused = client_for(bob).post(url(posted, "delete/"), headers=htmx)

    assert done.status_code == 204, "the room's broadcast shows it, on this page too"
    assert refused.status_code == 403
    assert refused["HX-Retarget"] == "#connection-status"
    assert 'id="connection-status"' in refused.text
    assert "You can only delete your own messages." in refused.text


def test_with_htmx_the_edit_form_replaces_the_message_and_saving_shows_it(posted, alice):
    client, htmx = client_for(alice), {"HX-Request": "true"}

    form = client.get(url(posted, "edit/"), headers=htmx)
    saved = client.post(url(posted, "edit/"), {"edit-body": "in place"}, headers=htmx)

    assert form.text.lstrip().startswith("<form")
    assert 'hx-target="#message-' in form.text
    assert saved.status_code == 200
    assert ">in place</div>" in saved.text
    assert "<article" not in saved.text, "the message's inside, swapped into its article"
    assert 'id="last-seq"' not in saved.text, "only the socket moves the page's position"


def test_older_and_newer_pages_of_history(room, alice, unlimited_posting):
    posted = [post_message(room, alice, f"number {n}") for n in range(120)]

    newer = Client().get(f"/rooms/lobby/history/?after={posted[9].seq}").text

    shown = [int(pk) for pk in re.findall(r'<article[^>]* id="message-(\d+)"', newer)]
    assert shown == [m.pk for m in posted[10:60]]
    assert f"?after={posted[59].seq}" in newer


@pytest.mark.parametrize("path", ["/rooms/lobby/", "/rooms/lobby/history/?before=2", "{}actions/"])
def test_every_page_showing_reactions_has_the_form_they_post(posted, alice, bob, path):
    toggle_reaction(posted, bob, "🎉")
    post_message(posted.room, alice, "newer")

    page = client_for(alice).get(path.format(posted.get_absolute_url())).text

    assert re.search(r'<button class="reaction" type="submit" form="reaction-form"', page)
    form = re.search(r'<form id="reaction-form" method="post"[^>]*>(.*?)</form>', page, re.S)
    assert 'name="csrfmiddlewaretoken"' in form[1]
