"""Writing in Debian's chromium: Enter sends one line; the text area sends several, with their
breaks, lists and code, with JavaScript and without; the focus stays where one was writing."""

import pytest
from playwright.sync_api import expect

from rooms.tests.test_browser import messages, open_live, open_without_javascript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEVERAL_LINES = "Steps:\n- build\n- *test*\n```\n$ make test\n  <ok>\n```"


def write_several_lines(page, text):
    page.click("#more-lines summary")
    page.fill("#id_lines_body", text)
    page.click("#lines-form button")


def body(page, text):
    return messages(page, text).locator(".body")


def test_enter_sends_one_line_and_the_focus_stays_there(browser, daphne_server, room):
    page = open_live(browser, daphne_server, "ann")

    page.fill("#id_body", "just one line")
    page.press("#id_body", "Enter")

    expect(messages(page, "just one line")).to_have_count(1)
    expect(page.locator("#id_body")).to_have_value("")
    expect(page.locator("#id_body")).to_be_focused()


def test_several_lines_reach_everyone_with_their_breaks_lists_and_code(
    browser, daphne_server, room
):
    alice = open_live(browser, daphne_server, "alice")
    bob = open_live(browser, daphne_server, "bob")

    write_several_lines(alice, SEVERAL_LINES)

    shown = body(bob, "Steps:")
    expect(shown.locator("li")).to_have_text(["build", "test"])
    expect(shown.locator("li em")).to_have_text("test")
    expect(shown.locator("pre")).to_have_text("$ make test\n  <ok>\n")
    expect(alice.locator("#id_lines_body")).to_have_value("")
    expect(alice.locator("#id_lines_body")).to_be_focused()
    expect(alice.locator("#more-lines")).to_have_attribute("open", "")


def test_enter_in_the_text_area_starts_a_line_and_send_sends_them(browser, daphne_server, room):
    page = open_live(browser, daphne_server, "cleo")
    page.click("#more-lines summary")

    page.locator("#id_lines_body").press_sequentially("first")
    page.press("#id_lines_body", "Enter")
    page.locator("#id_lines_body").press_sequentially("second")
    page.click("#lines-form button")

    expect(body(page, "first")).to_have_text("first\nsecond")


def test_without_javascript_both_fields_post_and_show_the_message(browser, daphne_server, room):
    page = open_without_javascript(browser, daphne_server, "carl")

    with page.expect_navigation():
        page.fill("#id_body", "one line, no script")
        page.press("#id_body", "Enter")
    with page.expect_navigation():
        write_several_lines(page, "two lines\nno script")

    expect(body(page, "one line, no script")).to_have_count(1)
    expect(body(page, "two lines")).to_have_text("two lines\nno script")


def test_without_javascript_a_refused_text_area_comes_back_open_with_its_error(
    browser, daphne_server, room
):
    page = open_without_javascript(browser, daphne_server, "dora")

    with page.expect_navigation():
        write_several_lines(page, "  \n  ")

    expect(page.locator("#more-lines")).to_have_attribute("open", "")
    expect(page.locator("#lines-composer #composer-error")).to_have_text(
        "Write something before sending."
    )
    expect(page.locator("#id_lines_body")).to_be_focused()
