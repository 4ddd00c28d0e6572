"""Local times in Debian's chromium: users in different zones see the same messages, loaded or
live, each in their own time, by CSS alone, so with JavaScript off too."""

from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from rooms import time_zones
from rooms.models import Message
from rooms.templatetags.message_format import as_text
from rooms.tests.test_browser import messages, post_meanwhile, sign_up_into_the_lobby
from rooms.time_zones import Zones

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
WINTER = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def in_zone(browser, server, username, zone, javascript=True):
    """A new user's room page, their zone chosen through the profile page."""
    page = browser.new_context(java_script_enabled=javascript).new_page()
    sign_up_into_the_lobby(page, server, username)
    page.goto(f"{server.url}/accounts/profile/")
    page.select_option("#id_time_zone", zone)
    page.click("button:has-text('Save')")
    page.wait_for_url("**/accounts/profile/?saved=1")
    if javascript:
        with page.expect_websocket() as socket_info:
            page.goto(f"{server.url}/rooms/lobby/")
        socket_info.value.wait_for_event("framesent")  # the page has asked to catch up
    else:
        page.goto(f"{server.url}/rooms/lobby/")
    return page


def posted_at(room, author, body, moment):
    message = post_meanwhile(room, author, body)
    Message.objects.filter(pk=message.pk).update(created_at=moment)


def expect_time(page, text, moment, zone):
    """The message holding `text` shows `moment` in `zone`, and only that, its full time in
    the title of what shows."""
    local = moment.astimezone(time_zones.zone(zone))
    shown = messages(page, text).locator("time")
    expect(shown).to_have_text(as_text(local, "short"), use_inner_text=True)
    expect(shown.locator("span").filter(visible=True)).to_have_attribute(
        "title", as_text(local, "full")
    )


def test_each_user_sees_loaded_and_live_messages_in_their_own_zone(
    browser, daphne_server, room, alice
):
    posted_at(room, alice, "loaded with the page", SUMMER)
    kolkata = in_zone(browser, daphne_server, "kolkata", "Asia/Kolkata")
    new_york = in_zone(browser, daphne_server, "newyork", "America/New_York")

    expect_time(kolkata, "loaded with the page", SUMMER, "Asia/Kolkata")
    expect_time(new_york, "loaded with the page", SUMMER, "America/New_York")
    expect(messages(kolkata, "loaded")).to_contain_text("15 Jul, 17:30", use_inner_text=True)
    expect(messages(new_york, "loaded")).to_contain_text("15 Jul, 08:00", use_inner_text=True)

    new_york.fill("#id_body", "arriving live")
    new_york.press("#id_body", "Enter")
    expect(messages(kolkata, "arriving live")).to_have_count(1)
    live = Message.objects.get(body="arriving live").created_at
    expect_time(kolkata, "arriving live", live, "Asia/Kolkata")
    expect_time(new_york, "arriving live", live, "America/New_York")


def test_without_javascript_a_london_user_sees_summer_and_winter_time(
    browser, daphne_server, room, alice
):
    posted_at(room, alice, "in July", SUMMER)
    posted_at(room, alice, "in December", WINTER)

    page = in_zone(browser, daphne_server, "london", "Europe/London", javascript=False)

    expect_time(page, "in July", SUMMER, "Europe/London")
    expect(messages(page, "in July").locator("time")).to_have_text(
        "15 Jul, 13:00", use_inner_text=True
    )
    expect_time(page, "in December", WINTER, "Europe/London")
    expect(messages(page, "in December").locator("time")).to_have_text(
        "15 Dec, 12:00", use_inner_text=True
    )


def test_a_fragment_cached_before_the_zone_was_chosen_shows_utc(
    browser, daphne_server, room, alice
):
    posted_at(room, alice, "cached long ago", WINTER)
    message = Message.objects.select_related("author", "room").get(body="cached long ago")
    page = in_zone(browser, daphne_server, "tokyo", "Asia/Tokyo")
    expect_time(page, "cached long ago", WINTER, "Asia/Tokyo")  # rendered again for Tokyo
    # As a process that had not yet seen anyone choose Tokyo rendered it.
    stale = render_to_string(
        "rooms/_message.html", {"message": message, "time_zones": Zones({"UTC"})}
    ).replace('id="message-', 'id="stale-message-')
    page.evaluate("html => document.querySelector('#messages').innerHTML += html", stale)

    stale_time = page.locator("[id^=stale-message] time")
    expect(stale_time).to_have_text("15 Dec, 12:00", use_inner_text=True)
    expect(stale_time.locator("span").filter(visible=True)).to_have_attribute(
        "title", "15 Dec 2026, 12:00 UTC"
    )
