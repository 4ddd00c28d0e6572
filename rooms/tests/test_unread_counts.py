"""The rooms sidebar on page loads: unread counts and mentions per room the user can see, read
positions that move only with what a page showed, the "new messages" divider."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rooms.history import PAGE_SIZE
from rooms.models import Room, Subscription
from rooms.posting import delete_message, post_message
from rooms.read_positions import read_position
from rooms.tests.badges import badges, title


@pytest.fixture
def dev(room):
    return Room.objects.create(name="Dev", slug="dev")


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


def sidebar(client, path="/rooms/lobby/"):
    response = client.get(path)
    assert response.status_code == 200
    return badges(response.text)


def test_the_sidebar_counts_unread_messages_per_room_the_user_can_see(
    dev, secret, alice, bob, bob_client, unlimited_posting
):
    for body in ("one", "two"):
        post_message(dev, alice, body)
    post_message(secret, alice, "members only")

    shown = sidebar(bob_client)

    assert shown == {"dev": ("2", ""), "lobby": ("", "")}


def test_the_home_page_has_the_sidebar_and_the_title_the_total(
    dev, alice, bob, bob_client, unlimited_posting
):
    for body in ("one", "two", "three"):
        post_message(dev, alice, body)

    response = bob_client.get("/")

    assert badges(response.text)["dev"] == ("3", "")
    assert title(response.text) == "(3) Socico"


def test_ones_own_messages_and_those_before_joining_are_not_unread(
    dev, alice, make_user, unlimited_posting
):
    post_message(dev, alice, "before carol came")
    carol = make_user("carol")
    post_message(dev, carol, "carol's own")
    client = Client()
    client.force_login(carol)

    assert sidebar(client)["dev"] == ("", "")


def test_opening_a_room_marks_it_read_to_what_the_page_showed(
    dev, alice, bob, bob_client, unlimited_posting
):
    message = post_message(dev, alice, "read me")

    page = bob_client.get("/rooms/dev/")

    assert badges(page.text)["dev"] == ("", "")
    assert read_position(bob, dev.pk) == message.seq
    assert sidebar(bob_client)["dev"] == ("", "")


def test_a_permalink_marks_read_only_the_messages_it_showed(
    dev, alice, bob, bob_client, unlimited_posting
):
    messages = [post_message(dev, alice, f"message {n}") for n in range(PAGE_SIZE * 2)]

    bob_client.get(messages[0].get_absolute_url())

    last_shown = messages[PAGE_SIZE // 2].seq
    assert read_position(bob, dev.pk) == last_shown
    assert sidebar(bob_client)["dev"] == (str(PAGE_SIZE * 2 - PAGE_SIZE // 2 - 1), "")


def test_a_deleted_unread_message_stops_counting(dev, alice, bob, bob_client, unlimited_posting):
    post_message(dev, alice, "stays")
    deleted = post_message(dev, alice, "goes")

    delete_message(deleted, alice)

    assert sidebar(bob_client)["dev"] == ("1", "")


def test_posting_in_a_room_marks_it_read(dev, alice, bob, bob_client, unlimited_posting):
    post_message(dev, alice, "a question")

    post_message(dev, bob, "an answer")

    assert sidebar(bob_client)["dev"] == ("", "")


def test_coming_back_shows_a_divider_where_the_user_had_read_to(
    dev, alice, bob, bob_client, unlimited_posting
):
    post_message(dev, alice, "seen")
    bob_client.get("/rooms/dev/")
    post_message(dev, alice, "new one")

    page = bob_client.get("/rooms/dev/").text

    assert page.index("seen") < page.index('id="new-messages"') < page.index("new one")
    assert 'id="new-messages"' not in bob_client.get("/rooms/dev/").text  # read now


def test_counts_stop_at_a_cap(dev, alice, bob, bob_client, unlimited_posting):
    for n in range(101):
        post_message(dev, alice, f"message {n}")

    assert sidebar(bob_client)["dev"] == ("99+", "")


def test_a_muted_room_shows_no_count_but_its_mentions(
    dev, alice, bob, bob_client, unlimited_posting
):
    Subscription.objects.create(user=bob, room=dev, level=Subscription.MENTIONS)
    post_message(dev, alice, "chatter")
    post_message(dev, alice, "@bob look")

    response = bob_client.get("/rooms/lobby/")

    assert badges(response.text)["dev"] == ("", "1")
    assert title(response.text) == "(1) # Lobby · Socico"


def test_guests_see_the_public_rooms_without_counts(dev, secret, alice, client, unlimited_posting):
    post_message(dev, alice, "hello")

    assert sidebar(client) == {"dev": ("", ""), "lobby": ("", "")}


def test_the_sidebar_costs_the_same_queries_for_three_rooms_or_thirty(
    room, alice, bob, bob_client, unlimited_posting
):
    def rooms(count):
        for n in range(Room.objects.count(), count):
            post_message(Room.objects.create(name=f"Room {n}", slug=f"room-{n}"), alice, "hi")

    def queries_of_the_home_page():
        with CaptureQueriesContext(connection) as queries:
            response = bob_client.get("/")
        return len(queries), badges(response.text)

    rooms(3)
    few, shown = queries_of_the_home_page()
    assert len(shown) == 3
    rooms(30)
    many, shown = queries_of_the_home_page()
    assert many == few
    assert len(shown) == 30
    assert shown["room-29"] == ("1", "")


def test_rooms_that_did_not_move_are_not_counted_again(
    dev, alice, bob, bob_client, unlimited_posting
):
    def count_queries_of_the_home_page():
        with CaptureQueriesContext(connection) as queries:
            response = bob_client.get("/")
        counting = [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        return len(counting), badges(response.text)

    post_message(dev, alice, "one")
    assert count_queries_of_the_home_page() == (1, {"lobby": ("", ""), "dev": ("1", "")})
    assert count_queries_of_the_home_page() == (0, {"lobby": ("", ""), "dev": ("1", "")})

    post_message(dev, alice, f"two, @{bob.username}")
    assert count_queries_of_the_home_page() == (1, {"lobby": ("", ""), "dev": ("2", "1")})
