"""`@username` mentions: who counts as mentioned, how a mention shows (rendered once for every
viewer, highlighted per viewer by their stylesheet), and the /mentions/ page."""

import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rooms.markdown import prose
from rooms.mentions import MENTION as NAMED
from rooms.models import Mention, Room
from rooms.posting import edit_message, post_message
from rooms.templatetags.message_format import markdown, mentions
from rooms.tests.badges import badges
from rooms.tests.sessions import client_for

MENTION = re.compile(r'<strong class="mentioned-user[^"]*">@([^<]+)</strong>')


def article(html, message):
    return re.search(rf'<article id="message-{message.pk}".*?</article>', html, re.S)[0]


def test_a_mention_of_a_reader_shows_as_one_and_names_them_on_the_message(
    room, alice, bob, unlimited_posting
):
    message = post_message(room, alice, "@bob, have you seen @carol? Ask bob@example.com. @bob.")

    shown = article(Client().get("/rooms/lobby/").text, message)

    assert MENTION.findall(shown) == ["bob", "bob"]
    assert f'data-mentions="u{bob.pk}"' in shown
    assert list(Mention.objects.values_list("user", flat=True)) == [bob.pk]


def test_a_mention_of_someone_who_cannot_read_the_room_is_plain_text(
    secret, alice, bob, unlimited_posting
):
    message = post_message(secret, alice, "@bob will never know")

    shown = article(client_for(alice).get("/rooms/secret/").text, message)

    assert MENTION.findall(shown) == []
    assert not Mention.objects.exists()


def test_mentions_in_links_are_left_as_links(room, alice, bob, unlimited_posting):
    message = post_message(room, alice, "see https://example.com/@bob and @bob")

    shown = article(Client().get("/rooms/lobby/").text, message)

    assert 'href="https://example.com/@bob"' in shown
    assert MENTION.findall(shown) == ["bob"]


def test_every_viewer_gets_the_same_message_and_their_own_highlight_rule(
    room, alice, bob, unlimited_posting
):
    message = post_message(room, alice, "@bob look")

    as_alice = article(client_for(alice).get("/rooms/lobby/").text, message)
    as_bob = article(client_for(bob).get("/rooms/lobby/").text, message)
    stylesheet = client_for(bob).get("/viewer.css").text

    assert as_alice == as_bob
    assert f'.message:has([data-mentions~="u{bob.pk}"])' in stylesheet


def test_an_edit_that_drops_a_mention_drops_its_badge(room, alice, bob, unlimited_posting):
    Room.objects.create(name="Dev", slug="dev")
    message = post_message(room, alice, "@bob look")
    assert badges(client_for(bob).get("/rooms/dev/").text)["lobby"] == ("1", "1")

    edit_message(message, alice, "never mind")

    assert badges(client_for(bob).get("/rooms/dev/").text)["lobby"] == ("1", "")
    assert not Mention.objects.exists()


def test_the_mentions_page_lists_mentions_in_rooms_still_visible_newest_first(
    room, secret, alice, bob, unlimited_posting
):
    first = post_message(room, alice, "@bob first")
    secret.members.add(bob)
    hidden = post_message(secret, alice, "@bob secret")
    second = post_message(room, alice, "@bob second")
    secret.members.remove(bob)

    page = client_for(bob).get("/mentions/").text

    listed = [int(pk) for pk in re.findall(r'<li id="mention-(\d+)"', page)]
    assert listed == [second.pk, first.pk]
    assert hidden.get_absolute_url() not in page
    assert f'href="{first.get_absolute_url()}"' in page


def test_the_mentions_page_asks_guests_to_log_in(client, db):
    response = client.get("/mentions/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "body",
    [
        "try `@bob` in the shell",
        "```\n@bob\n```",
        "a log:\n\n    @bob joined\n\nthat's all",
        "[@bob](https://example.com/)",
    ],
    ids=["inline code", "fenced code", "indented code", "link text"],
)
def test_a_name_in_code_or_a_link_is_no_mention(room, alice, bob, unlimited_posting, body):
    Room.objects.create(name="Dev", slug="dev")
    message = post_message(room, alice, body + "\n\nand @bob outside")
    only_code = post_message(room, alice, body)

    shown = Client().get("/rooms/lobby/").text

    assert MENTION.findall(article(shown, message)) == ["bob"]
    assert MENTION.findall(article(shown, only_code)) == []
    assert list(Mention.objects.values_list("message", flat=True)) == [message.pk]
    assert badges(client_for(bob).get("/rooms/dev/").text)["lobby"] == ("2", "1")


USERS = [SimpleNamespace(get_username=lambda name=name: name) for name in ("bob", "al", "b.c")]
PIECES = ["@bob", "@al", "@b.c", " ", "\n", "`", "```", "    ", "[", "](https://x.org)"]
PIECES += ["https://x.org/", "*", "_", "> ", "- ", "1. ", "x", ".", "\\", "<", "&", "'"]


def names_stored(body):
    """Whom rooms/mentions.py finds, as it finds them, among USERS: each time named."""
    known = {user.get_username() for user in USERS}
    return Counter(name for run in prose(body) for name in NAMED.findall(run) if name in known)


def names_shown(body):
    return Counter(MENTION.findall(mentions(markdown(body), USERS)))


@hypothesis_settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
@example("@bob..@bob @al.")
@example("`@bob` @al\n```\n@b.c\n```\n    @bob\n\n[@al](https://x.org) https://x.org/@bob")
def test_the_names_shown_as_mentions_are_the_names_stored(body):
    assert names_shown(body) == names_stored(body)
