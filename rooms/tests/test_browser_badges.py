"""Know what's new, in Debian's chromium: one user's sidebar follows another user's posts in
other rooms live, and shows the same truth with JavaScript off on reload."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from rooms.models import Room
from rooms.tests.test_browser import PASSWORD, open_live, post_meanwhile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def send(page, server, slug, *bodies):
    """Post in a room as the page's user, through the room page's form."""
    page.goto(f"{server.url}/rooms/{slug}/")
    for body in bodies:
        page.fill("#id_body", body)
        page.click("#message-form button")
        expect(page.locator("#messages .message", has_text=body)).to_have_count(1)


def badge(page, slug, kind):
    return page.locator(f"#room-link-{slug} .{kind}")


def log_in_without_javascript(browser, server, username):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{server.url}/accounts/login/?next=/rooms/lobby/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/rooms/lobby/")
    return page


@pytest.fixture
def three_rooms(room):
    return [room, *(Room.objects.create(name=name, slug=name.lower()) for name in ("Two", "Three"))]


def test_a_sidebar_follows_other_rooms_live_and_clears_in_other_tabs(
    browser, daphne_server, three_rooms
):
    alice = open_live(browser, daphne_server, "alice")
    bob = open_live(browser, daphne_server, "bob")  # reading room 1, the lobby

    # Posted through the server: the test's own process has no channel to it.
    send(alice, daphne_server, "two", "first in two", "second in two")
    send(alice, daphne_server, "three", "@bob a question for you")

    expect(badge(bob, "two", "unread")).to_have_text("2")
    expect(badge(bob, "three", "unread")).to_have_text("1")
    expect(badge(bob, "three", "mention")).to_have_text("@1")
    expect(badge(bob, "lobby", "unread")).to_have_count(0)
    expect(bob).to_have_title("(3) # Lobby · Socico")

    other_tab = bob.context.new_page()
    other_tab.goto(f"{daphne_server.url}/rooms/two/")
    expect(other_tab.locator("#messages .message")).to_have_count(2)

    expect(badge(bob, "two", "unread")).to_have_count(0)
    expect(bob).to_have_title("(1) # Lobby · Socico")

    # Without JavaScript, a page load shows the same.
    plain = log_in_without_javascript(browser, daphne_server, "bob")
    expect(badge(plain, "two", "unread")).to_have_count(0)
    expect(badge(plain, "three", "unread")).to_have_text("1")
    expect(badge(plain, "three", "mention")).to_have_text("@1")
    expect(plain).to_have_title("(1) # Lobby · Socico")
    plain.locator("#room-link-three").click()
    expect(plain.locator("#messages .message", has_text="a question for you")).to_have_count(1)
    expect(plain.locator("#messages .message .mentioned-user")).to_have_text("@bob")
    highlighted = plain.locator("#messages .message").first
    expect(highlighted).to_have_css("box-shadow", re.compile(r"inset"))
    expect(badge(plain, "three", "unread")).to_have_count(0)


def test_a_first_direct_message_reaches_an_open_page_live(browser, daphne_server, room):
    alice = open_live(browser, daphne_server, "alice")
    bob = open_live(browser, daphne_server, "bob")
    expect(bob.locator("#direct-heading")).to_be_hidden()

    alice.goto(f"{daphne_server.url}/dm/bob/")
    alice.wait_for_url("**/rooms/dm-*/")
    slug = alice.url.rstrip("/").rsplit("/", 1)[1]
    send(alice, daphne_server, slug, "@bob a word in private")

    link = bob.locator(f"#direct-links #room-link-{slug}")
    expect(link).to_contain_text("@ alice")
    expect(badge(bob, slug, "unread")).to_have_text("1")
    expect(badge(bob, slug, "mention")).to_have_text("@1")
    expect(bob.locator("#direct-heading")).to_be_visible()
    expect(bob).to_have_title("(1) # Lobby · Socico")
    link.click()
    expect(bob.locator("#messages .message", has_text="a word in private")).to_have_count(1)


def test_badges_after_a_dropped_socket_count_what_came_meanwhile_once(
    browser, start_server, three_rooms
):
    server = start_server()
    _, two, three = three_rooms
    alice = open_live(browser, server, "alice")
    bob = open_live(browser, server, "bob")  # reading room 1, the lobby
    bob.evaluate("window.notReloaded = true")
    send(alice, server, "two", "before the drop")
    expect(badge(bob, "two", "unread")).to_have_text("1")

    server.stop()  # every socket drops; htmx reconnects by itself
    author = get_user_model().objects.get(username="alice")
    post_meanwhile(two, author, "while bob was cut off")
    post_meanwhile(three, author, "@bob while you were cut off")
    server.start()

    expect(badge(bob, "three", "mention")).to_have_text("@1", timeout=40_000)
    expect(badge(bob, "two", "unread")).to_have_text("2")
    expect(badge(bob, "three", "unread")).to_have_text("1")
    expect(badge(bob, "lobby", "unread")).to_have_count(0)
    expect(bob).to_have_title("(3) # Lobby · Socico")
    assert bob.evaluate("window.notReloaded") is True
    expect(bob.locator("#sidebar .room-link")).to_have_count(3)
