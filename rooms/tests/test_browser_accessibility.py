"""Socico for people using a screen reader or the keyboard alone, in Debian's chromium: axe-core
finds nothing serious on the pages, new messages are announced but history and catch-ups are
not, and a message of several lines can be written and sent without a mouse.

axe-core is installed beside the tests (`make axe`) and injected by them; the product never
ships it.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rooms.models import Room
from rooms.tests.test_browser import messages, open_live, post_meanwhile, sign_up_into_the_lobby

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# Every page a visitor can reach, one line each; each is audited as a guest and signed in.
AUDITED_PAGES = [
    "/rooms/lobby/",
    "/rooms/quiet/",  # a room without messages
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/profile/",  # signed in: its time zone list and per-room levels
]
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_VIOLATIONS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target)}))"""


@pytest.fixture
def axe_context(browser):
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `make axe`"
    # Injected before any script of the page, where the page's Content-Security-Policy
    # does not apply.
    context = browser.new_context()
    context.add_init_script(path=AXE)
    yield context
    context.close()


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed-in"])
def test_no_page_has_a_serious_accessibility_violation(
    axe_context, daphne_server, room, alice, signed_in
):
    for body in ["Plain", "*Some* `code`, a [link](https://example.com)", "> quote\n\n- a\n- b"]:
        post_meanwhile(room, alice, body)
    fenced = post_meanwhile(room, alice, "```\nfenced code\n```")
    Room.objects.create(name="Quiet", slug="quiet")
    page = axe_context.new_page()
    if signed_in:
        sign_up_into_the_lobby(page, daphne_server, "auditor")
    # A message's page of actions too, as a browser without JavaScript reaches its menu.
    audited = [*AUDITED_PAGES, f"{fenced.get_absolute_url()}actions/"]

    found = {}
    for path in audited:
        page.goto(daphne_server.url + path)
        if page.locator("#more-lines").count():
            page.click("#more-lines summary")  # audit the text area too
        if page.locator("#messages .actions").count():
            page.click("#messages .actions summary")  # and a message's menu, loaded open
            expect(page.locator("#messages .message-menu[aria-live=off]")).to_be_visible()
        violations = page.evaluate(AXE_VIOLATIONS)
        found[path] = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]

    assert found == {path: [] for path in audited}


def test_keyboard_alone_writes_and_sends_several_lines(browser, daphne_server, room):
    page = browser.new_context().new_page()
    with page.expect_websocket():
        sign_up_into_the_lobby(page, daphne_server, "keys")
    expect(page.locator("#id_body")).to_be_focused()

    tab_to(page, "summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#id_lines_body")).to_be_focused()
    page.keyboard.type("no mouse")
    page.keyboard.press("Enter")
    page.keyboard.type("at all")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(messages(page, "no mouse").locator(".body")).to_have_text("no mouse\nat all")
    expect(page.locator("#id_lines_body")).to_be_focused()


def tab_to(page, selector, most=20):
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    pytest.fail(f"{selector} is not reached with Tab")


def test_screen_readers_hear_new_messages_not_history_or_catch_ups(
    browser, daphne_server, room, alice
):
    post_meanwhile(room, alice, "history")
    context = browser.new_context()
    page = context.new_page()
    proxy = SocketProxy()
    page.route_web_socket(re.compile(r"/ws/rooms/"), proxy.route)
    sign_up_into_the_lobby(page, daphne_server, "listener")
    speaker = open_live(browser, daphne_server, "speaker")
    expect(page.locator("#presence")).to_contain_text("speaker")  # the listener's socket is open

    proxy.forwarding = False  # these two never reach the listener live...
    say(speaker, "missed one")
    say(speaker, "missed two")
    proxy.forwarding = True
    proxy.socket.close(code=1012)  # ...but come in one catch-up once htmx reconnects
    expect(messages(page, "missed")).to_have_count(2)
    say(speaker, "news")
    expect(messages(page, "news")).to_have_count(1)

    heard = container_live_statuses(context, page)
    assert (heard["history"], heard["missed one"], heard["missed two"]) == ("off", "off", "off")
    assert heard["news"] == "polite"
    context.close()


def say(page, text):
    page.fill("#id_body", text)
    page.press("#id_body", "Enter")
    expect(messages(page, text)).to_have_count(1)


class SocketProxy:
    """Stands between the page and its socket; frames from the server are dropped while
    `forwarding` is off. `socket` is the page's side of the newest socket."""

    def __init__(self):
        self.forwarding = True
        self.socket = None

    def route(self, socket):
        server = socket.connect_to_server()
        server.on_message(lambda frame: self.forwarding and socket.send(frame))
        self.socket = socket


def container_live_statuses(context, page):
    """Each text of `page` and the live status Chromium gives it on Linux (ATK's container-live,
    what screen readers decide on), read from chrome://accessibility."""
    title = page.evaluate("document.title = 'listened-to ' + Math.random()")
    internals = context.new_page()
    internals.goto("chrome://accessibility")
    internals.select_option("#apiType", "linux")
    internals.fill("#filter-allow", "container-live*")
    row = internals.locator("[id^=page_]", has_text=title)
    row.locator("button", has_text="Show accessibility tree").click()
    tree = row.locator("pre")
    expect(tree).to_contain_text("container-live:", timeout=10_000)
    # Other attributes may stand between the name and the status: the filter is sometimes
    # applied only after the tree was drawn.
    statuses = dict(
        re.findall(r"\[static\] name='([^']*)'[^\n]*? container-live:(\w+)", tree.inner_text())
    )
    assert statuses, f"chrome://accessibility showed no live statuses: {tree.inner_text()}"
    return statuses
