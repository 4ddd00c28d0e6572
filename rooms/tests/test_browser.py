"""Socico in Debian's chromium: two users chat live, a third takes part without JavaScript."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from rooms.models import Room
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
        return thread.submit(post_message, room, author, body).result()


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


def shown_messages(page):
    """Each message on the page as (id, its HTML with white space folded), top to bottom."""
    return page.eval_on_selector_all(
        "#messages article",
        "articles => articles.map(a => [a.id, a.innerHTML.replace(/\\s+/g, ' ').trim()])",
    )


def open_with_a_droppable_socket(browser, server, username):
    """A live room page whose socket can lose the frames in flight, then be closed."""
    page = browser.new_context().new_page()
    link = {"forwarding": True, "route": None}

    def proxy(route):
        upstream = route.connect_to_server()
        upstream.on_message(lambda frame: link["forwarding"] and route.send(frame))
        link["forwarding"], link["route"] = True, route

    page.route_web_socket("**/ws/rooms/lobby/", proxy)
    with page.expect_websocket() as socket_info:
        sign_up_into_the_lobby(page, server, username)
    socket_info.value.wait_for_event("framesent")
    return page, link


def act_on(page, text, control):
    """Open the actions menu of the message showing `text` (htmx loads it) and use one of its
    controls."""
    article = messages(page, text)
    article.locator("summary").click()
    article.locator(".message-menu").locator(control).click()


def act_without_javascript(page, article, control):
    """The same through the menu's page of actions, as a browser without JavaScript does."""
    article.locator("summary").click()
    article.locator("a:text-is('React, edit or delete')").click()
    page.wait_for_url("**/rooms/lobby/messages/*/actions/")
    page.locator(".message-menu").locator(control).click()


def send(page, text):
    page.fill("#id_body", text)
    page.press("#id_body", "Enter")
    expect(messages(page, text)).to_have_count(1)


def test_a_page_that_lost_its_socket_catches_up_on_edits_deletions_and_reactions(
    browser, daphne_server, room
):
    bob, link = open_with_a_droppable_socket(browser, daphne_server, "bob")
    carol = open_live(browser, daphne_server, "carol")
    for n in range(3):
        send(carol, f"message {n}")
    expect(messages(bob, "message 2")).to_have_count(1)

    link["forwarding"] = False  # frames from here on are lost in flight
    carol.evaluate("window.notReloaded = true")
    act_on(carol, "message 0", "a:text-is('Edit')")
    carol.fill("#id_edit-body", "message 0, edited")
    carol.click("button:has-text('Save')")
    act_on(carol, "message 1", "button:text-is('Delete')")
    act_on(carol, "message 2", "button[value='🎉']")
    send(carol, "message 3")
    expect(messages(carol, "message 2").locator(".reaction")).to_have_text("🎉 1")
    expect(messages(carol, "message 1")).to_have_count(0)
    expect(messages(carol, "(edited)")).to_have_count(1)
    expect(messages(bob, "message 3")).to_have_count(0)  # bob's page missed it all
    assert carol.evaluate("window.notReloaded") is True, "htmx made every change in place"

    bob.evaluate("window.notReloaded = true")
    link["route"].close(code=1012)  # htmx reconnects and resumes

    expect(messages(bob, "message 3")).to_have_count(1, timeout=20_000)
    fresh = bob.context.new_page()
    fresh.goto(f"{daphne_server.url}/rooms/lobby/")
    assert shown_messages(bob) == shown_messages(fresh)
    assert bob.evaluate("window.notReloaded") is True


def test_without_javascript_messages_are_edited_deleted_and_reacted_to_through_forms(
    browser, daphne_server, room
):
    watcher = open_live(browser, daphne_server, "watcher")
    dora = open_without_javascript(browser, daphne_server, "dora")
    for text in ("to edit", "to delete", "to react to"):
        dora.fill("#id_body", text)
        dora.click("#message-form button")
        dora.wait_for_url("**/rooms/lobby/messages/*/#message-*")
    expect(messages(watcher, "to react to")).to_have_count(1)
    edited, deleted, reacted = [
        messages(dora, text) for text in ("to edit", "to delete", "to react to")
    ]

    act_without_javascript(dora, edited, "a:text-is('Edit')")
    dora.fill("#id_edit-body", "edited without JavaScript")
    dora.click("button:has-text('Save')")
    dora.wait_for_url("**/rooms/lobby/messages/*/")
    act_without_javascript(dora, deleted, "button:text-is('Delete')")
    dora.wait_for_url("**/rooms/lobby/")
    act_without_javascript(dora, reacted, "button[value='👀']")
    dora.wait_for_url("**/rooms/lobby/messages/*/")

    expect(reacted.locator(".reaction")).to_have_text("👀 1")
    expect(messages(dora, "edited without JavaScript")).to_have_count(1)
    expect(messages(dora, "to delete")).to_have_count(0)
    expect(messages(watcher, "edited without JavaScript")).to_have_count(1)
    expect(messages(watcher, "to delete")).to_have_count(0)
    expect(watcher.locator("#messages .reaction")).to_have_text("👀 1")

    # A reaction under a message posts the page's #reaction-form form to its formaction:
    # htmx does it in place, a page without JavaScript as a form post.
    watcher.evaluate("window.notReloaded = true")
    watcher.locator("#messages .reaction").click()
    expect(watcher.locator("#messages .reaction")).to_have_text("👀 2")
    dora.reload()
    reacted.locator(".reaction").click()
    expect(reacted.locator(".reaction")).to_have_text("👀 1")
    expect(watcher.locator("#messages .reaction")).to_have_text("👀 1")
    assert watcher.evaluate("window.notReloaded") is True


def test_with_javascript_a_page_without_a_socket_posts_plainly(browser, daphne_server, room):
    """A message's page of actions shows no change live: its forms post and follow the
    redirect, as without JavaScript."""
    carol = open_live(browser, daphne_server, "carol")
    send(carol, "react here")
    permalink = messages(carol, "react here").locator("time").locator("xpath=..")
    actions = f"{daphne_server.url}{permalink.get_attribute('href')}actions/"

    carol.goto(actions)
    carol.locator(".message-menu button[value='👍']").click()

    carol.wait_for_url("**/rooms/lobby/messages/*/")
    expect(messages(carol, "react here").locator(".reaction")).to_have_text("👍 1")


def test_a_menu_asked_for_a_message_gone_meanwhile_swaps_in_no_error_page(
    browser, daphne_server, room
):
    carol = open_live(browser, daphne_server, "carol")
    send(carol, "soon private")
    article = messages(carol, "soon private")
    # Private without an event (as a script would): the menu's request finds nothing.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(Room.objects.filter(pk=room.pk).update, is_private=True).result()

    with carol.expect_response("**/actions/") as answer:
        article.locator("summary").click()

    assert answer.value.status == 404
    expect(article.locator(".message-menu")).to_have_text("React, edit or delete")
    expect(article).not_to_contain_text("Not Found")
