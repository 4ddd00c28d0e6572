"""Search in Debian's chromium: results follow the typing with htmx under the page's
Content-Security-Policy, and the same form works without JavaScript."""

import pytest
from playwright.sync_api import expect

from rooms.tests.test_browser import post_meanwhile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def messages(room, alice):
    for body in ["we deploy at noon", "lunch first", "see https://ci.example.com/deployments/7"]:
        post_meanwhile(room, alice, body)


def results(page):
    return page.locator("#search-results .result .snippet")


def test_results_follow_the_typing_without_reloading_the_page(browser, daphne_server, messages):
    page = browser.new_context().new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{daphne_server.url}/search/")
    page.evaluate("window.notReloaded = true")

    page.locator("input[name=q]").press_sequentially("depl")

    expect(results(page)).to_have_text(
        ["see https://ci.example.com/deployments/7", "we deploy at noon"]
    )
    expect(page.locator("#search-results mark")).to_have_text(["deployments", "deploy"])
    expect(page).to_have_url(f"{daphne_server.url}/search/?q=depl")
    assert page.evaluate("window.notReloaded") is True
    assert not [text for text in console if "Content Security Policy" in text]


def test_without_javascript_the_form_submits(browser, daphne_server, messages):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{daphne_server.url}/rooms/lobby/")

    page.fill("header input[name=q]", "lunch")
    page.press("header input[name=q]", "Enter")

    page.wait_for_url("**/search/?q=lunch")
    expect(results(page)).to_have_text(["lunch first"])
    page.click("#search-results .result .snippet")
    page.wait_for_url("**/rooms/lobby/messages/*/#message-*")
