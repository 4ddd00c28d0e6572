"""Socico in Debian's chromium: two users chat live, a third takes part without JavaScript."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from rooms.posting import post_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long, unusual passphrase"


def sign_up_into_the_lobby(page, server, username):
    """Sign up through the real form, which returns to the room page."""
    page.goto(f"{server.url}/accounts/signup/?next=/rooms/lobby/")
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/rooms/lobby/")
    return page


def open_live(browser, server, username):
    """A signed-in room page whose socket is open and has asked to catch up."""
    page = browser.new_context().new_page()
    with page.expect_websocket() as socket_info:
        sign_up_into_the_lobby(page, server, username)
    resume = socket_info.value.wait_for_event("framesent")
    assert '"last_seq":' in resume
    return page


def open_without_javascript(browser, server, username):
    page = browser.new_context(java_script_enabled=False).new_page()
    return sign_up_into_the_lobby(page, server, username)


def messages(page, text):
    return page.locator("#messages .message", has_text=text)


def test_two_users_chat_live_and_a_user_without_javascript_takes_part(browser, daphne_server, room):
    alice = open_live(browser, daphne_server, "alice")
    bob = open_live(browser, daphne_server, "bob")
    bob.evaluate("window.notReloaded = true")

    alice.fill("#id_body", "Hello from Alice")
    alice.press("#id_body", "Enter")

    expect(messages(bob, "Hello from Alice")).to_have_count(1)
    expect(messages(alice, "Hello from Alice")).to_have_count(1)
    expect(alice.locator("#id_body")).to_have_value("")
    assert bob.evaluate("window.notReloaded") is True

    bob.fill("#id_body", "Hi Alice <b>not bold</b>")
    bob.click("#message-form button")
    expect(messages(alice, "Hi Alice <b>not bold</b>")).to_have_count(1)
    expect(alice.locator("#messages b")).to_have_count(0)

    carol = open_without_javascript(browser, daphne_server, "carol")
    expect(messages(carol, "Hello from Alice")).to_have_count(1)
    carol.fill("#id_body", "Carol here, without JavaScript")
    carol.click("#message-form button")
    carol.wait_for_url("**/rooms/lobby/messages/*/#message-*")
    expect(messages(carol, "Carol here, without JavaScript")).to_have_count(1)
    expect(messages(alice, "Carol here, without JavaScript")).to_have_count(1)
    expect(messages(bob, "Carol here, without JavaScript")).to_have_count(1)


def test_without_javascript_an_empty_post_shows_the_error(browser, daphne_server, room):
    page = open_without_javascript(browser, daphne_server, "dan")

    page.click("#message-form button")

    # The browser's own check stops an empty message; the server says why when it gets one.
    page.fill("#id_body", "   ")
    page.click("#message-form button")
    expect(page.locator("#composer-error")).to_have_text("Write something before sending.")


def post_meanwhile(room, author, body):
    """Post through the real posting path, from a thread free of Playwright's event loop."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(post_message, room, author, body).result()


def test_a_page_whose_server_restarted_shows_what_was_posted_meanwhile(
    browser, start_server, room, alice
):
    server = start_server()
    post_meanwhile(room, alice, "before the restart")
    page = open_live(browser, server, "reader")
    expect(messages(page, "before the restart")).to_have_count(1)

    server.stop()  # a deploy: SIGTERM, as a process manager sends it
    for n in range(1, 4):
        post_meanwhile(room, alice, f"while the server was away {n}")
    server.start()

    expect(messages(page, "while the server was away")).to_have_count(3, timeout=40_000)
    assert page.locator("#messages .message .body").all_inner_texts() == [
        "before the restart",
        "while the server was away 1",
        "while the server was away 2",
        "while the server was away 3",
    ]


def test_htmx_works_under_the_content_security_policy(browser, daphne_server, room):
    page = browser.new_context().new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    with page.expect_websocket():
        sign_up_into_the_lobby(page, daphne_server, "erin")

    page.fill("#id_body", "under a strict policy")
    page.press("#id_body", "Enter")

    expect(messages(page, "under a strict policy")).to_have_count(1)
    expect(page.locator("#id_body")).to_have_value("")
    assert not [text for text in violations if "Content Security Policy" in text]
    # The policy is enforced: an inline script put into the page does not run.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("window.inlineRan") is None
    assert [text for text in violations if "Content Security Policy" in text]
