"""Pages and the no-JavaScript posting path, through Django's test client."""

import re
from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string

from rooms import fragments
from rooms.history import PAGE_SIZE
from rooms.models import MESSAGE_MAX_LENGTH, Message, Room
from rooms.posting import post_message

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def shown_bodies(html):
    return re.findall(r'<div class="body[^"]*">([^<]*)</div>', html)


@pytest.fixture
def many_messages(room, alice, unlimited_posting):
    return [post_message(room, alice, f"message {n}") for n in range(1, PAGE_SIZE * 2 + 11)]


def test_the_home_page_lists_rooms_with_links(client, room):
    Room.objects.create(name="Random", slug="random")

    response = client.get("/")

    assert response.status_code == 200
    assert 'href="/rooms/lobby/"' in response.text
    assert 'href="/rooms/random/"' in response.text
    assert "Everyone" in response.text


def test_a_room_page_shows_the_last_page_oldest_first(client, many_messages):
    response = client.get("/rooms/lobby/")

    assert response.status_code == 200
    html = response.text
    assert 'id="messages"' in html
    assert 'id="message-form"' in html
    assert 'name="body"' in html
    newest = many_messages[-PAGE_SIZE:]
    assert shown_bodies(html) == [m.body for m in newest]
    for message in newest:
        assert f'id="message-{message.pk}"' in html
    assert f'<input type="hidden" id="last-seq" name="last_seq" value="{newest[-1].seq}">' in html
    assert 'ws-connect="/ws/rooms/lobby/"' in html


def test_an_unknown_room_is_a_404(client, db):
    assert client.get("/rooms/nowhere/").status_code == 404
    assert client.get("/rooms/nowhere/history/").status_code == 404


def test_load_older_swaps_the_previous_page_in_with_htmx(client, many_messages):
    first_shown = many_messages[-PAGE_SIZE]
    link = f"/rooms/lobby/history/?before={first_shown.seq}"
    assert f'hx-get="{link}"' in client.get("/rooms/lobby/").text

    response = client.get(link, headers=HTMX)

    assert "<html" not in response.text
    page = many_messages[-2 * PAGE_SIZE : -PAGE_SIZE]
    assert shown_bodies(response.text) == [m.body for m in page]
    assert f'id="load-older" href="/rooms/lobby/history/?before={page[0].seq}"' in response.text


def test_older_history_is_a_plain_page_without_javascript(client, many_messages):
    oldest_page = many_messages[: len(many_messages) - 2 * PAGE_SIZE]

    response = client.get(f"/rooms/lobby/history/?before={oldest_page[-1].seq + 1}")

    assert "<html" in response.text
    assert shown_bodies(response.text) == [m.body for m in oldest_page]
    assert 'id="load-older"' not in response.text, "this is the first page"
    assert 'href="/rooms/lobby/"' in response.text


def test_posting_without_javascript_redirects_to_the_message_in_its_room(alice_client, room):
    response = alice_client.post("/rooms/lobby/messages/", {"body": "  No JS here  "})

    message = Message.objects.get()
    assert message.body == "No JS here"
    assert message.seq == 1
    assert response.status_code == 303
    assert response["Location"] == f"/rooms/lobby/messages/{message.pk}/#message-{message.pk}"
    assert "No JS here" in alice_client.get("/rooms/lobby/").text


def test_posting_with_htmx_answers_with_the_message_fragment(alice_client, room):
    response = alice_client.post("/rooms/lobby/messages/", {"body": "Hi"}, headers=HTMX)

    message = Message.objects.get()
    assert response.status_code == 200
    assert response.text.strip().startswith(f'<article id="message-{message.pk}"')


def test_a_message_is_rendered_once_for_its_post_broadcast_and_every_page(alice_client, room):
    def renders_of_the_message_fragment(response):
        return [t.name for t in response.templates].count("rooms/_message.html")

    posted = alice_client.post("/rooms/lobby/messages/", {"body": "Hi"}, headers=HTMX)
    pages = [alice_client.get("/rooms/lobby/") for _ in range(2)]

    assert renders_of_the_message_fragment(posted) == 1, "for the broadcast, reused in the answer"
    for page in pages:
        assert shown_bodies(page.text) == ["Hi"]
        assert renders_of_the_message_fragment(page) == 0


def test_a_page_renders_messages_no_fragment_is_cached_for(client, many_messages):
    fragments.rendered_messages.clear()  # as after a restart

    response = client.get("/rooms/lobby/")

    assert shown_bodies(response.text) == [m.body for m in many_messages[-PAGE_SIZE:]]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write something before sending."),
        ("   ", "Write something before sending."),
        ("z" * (MESSAGE_MAX_LENGTH + 1), "Messages can be at most 4,000 characters"),
    ],
)
def test_an_invalid_post_rerenders_the_form_with_the_error(alice_client, room, body, error):
    response = alice_client.post("/rooms/lobby/messages/", {"body": body})

    assert response.status_code == 422
    assert 'id="message-form"' in response.text
    assert error in response.text
    assert Message.objects.count() == 0

    fragment = alice_client.post("/rooms/lobby/messages/", {"body": body}, headers=HTMX)
    assert fragment.status_code == 422
    assert error in fragment.text
    assert "<html" not in fragment.text


def test_an_anonymous_post_redirects_to_login_and_saves_nothing(client, room):
    response = client.post("/rooms/lobby/messages/", {"body": "Who am I"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/rooms/lobby/"
    assert Message.objects.count() == 0


def test_posting_to_an_unknown_room_is_a_404(alice_client, db):
    assert alice_client.post("/rooms/nowhere/messages/", {"body": "Hi"}).status_code == 404


def test_signup_signs_in_and_returns_to_the_room(client, room):
    response = client.post(
        "/accounts/signup/?next=/rooms/lobby/",
        {
            "username": "carol",
            "password1": "a long, unusual passphrase",
            "password2": "a long, unusual passphrase",
            "next": "/rooms/lobby/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/rooms/lobby/"
    assert "Signed in as <strong" in client.get("/rooms/lobby/").text


def test_login_and_logout(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert "Signed in as" in client.get("/").text

    assert client.post("/accounts/logout/").status_code == 302
    assert "Signed in as" not in client.get("/").text


def test_login_with_a_wrong_password_says_so(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_seq_counts_per_room(room, alice):
    other = Room.objects.create(name="Other", slug="other")

    seqs = [post_message(r, alice, "hi").seq for r in (room, other, room, other, room)]

    assert seqs == [1, 1, 2, 2, 3]


def test_a_message_shows_when_it_was_posted(room, alice):
    posted = datetime(2026, 3, 7, 9, 5, tzinfo=UTC)
    message = Message(pk=1, room=room, author=alice, body="hi", created_at=posted)

    html = render_to_string("rooms/_message.html", {"message": message})

    assert (
        '<time class="local-time" datetime="2026-03-07T09:05:00+00:00">'
        '<span class="tz-utc" title="7 Mar 2026, 09:05 UTC">7 Mar, 09:05</span></time>'
    ) in html
