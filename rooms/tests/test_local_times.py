"""Local times: a user's zone is chosen on the profile page; messages, rendered once for every
viewer, carry each time in every zone in use and each page's /viewer.css picks the viewer's;
what is rendered per viewer anyway (search, mentions, away emails) is in their zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rooms import time_zones
from rooms.away_email import send_due_emails
from rooms.fragments import message_html
from rooms.models import Message, Profile
from rooms.posting import edit_message, post_message
from rooms.tests.frames import htmx_frame, receive_frames
from rooms.tests.sessions import client_for

pytestmark = pytest.mark.django_db(transaction=True)

SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
WINTER = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def choose_zone(user, zone):
    Profile.objects.update_or_create(user=user, defaults={"time_zone": zone})


def posted_at(room, user, body, moment):
    """A message posted through the posting path, dated `moment`."""
    message = post_message(room, user, body)
    Message.objects.filter(pk=message.pk).update(created_at=moment)
    return Message.objects.get(pk=message.pk)


def variant(zone_class, html):
    """The variant of a time in `html` whose classes name `zone_class`: (title, text)."""
    found = re.search(rf'<span class="[^"]*\b{zone_class}\b[^"]*" title="([^"]*)">([^<]*)<', html)
    return found and found.groups()


def article(html, message):
    return re.search(rf'<article id="message-{message.pk}".*?</article>', html, re.S)[0]


def test_the_profile_page_sets_and_shows_the_zone(room, bob):
    client = client_for(bob)
    page = client.get("/accounts/profile/").text
    assert '<label for="id_time_zone">Time zone:</label>' in page
    assert '<option value="UTC" selected>UTC</option>' in page
    assert re.search(r'<option value="Asia/Kolkata">Kolkata \(UTC\+05:30\)</option>', page)
    assert "tz=UTC" in page  # the viewer's stylesheet, named for the zone

    response = client.post(
        "/accounts/profile/", {"email": "", "time_zone": "Asia/Kolkata", f"level-{room.pk}": "all"}
    )

    assert response.status_code == 302
    page = client.get("/accounts/profile/").text
    assert '<option value="Asia/Kolkata" selected>' in page
    assert "tz=Asia/Kolkata" in page
    assert Profile.objects.get(user=bob).time_zone == "Asia/Kolkata"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Calcutta", "US/Eastern", ""])
def test_a_zone_off_the_list_is_refused_with_a_visible_error(room, bob, zone):
    response = client_for(bob).post("/accounts/profile/", {"email": "", "time_zone": zone})

    assert response.status_code == 200
    error = f"“{zone}” is not a time zone on the list." if zone else "This field is required."
    assert re.search(rf'<ul class="errorlist"[^>]*><li>{re.escape(error)}</li></ul>', response.text)
    assert not Profile.objects.filter(time_zone=zone).exists()


def test_the_list_is_tzdb_current_names_sorted_with_utc_first():
    names = time_zones.names()

    assert names[0] == "UTC"
    assert list(names[1:]) == sorted(names[1:])
    assert {"Asia/Kolkata", "America/New_York", "America/Argentina/Buenos_Aires"} <= set(names)
    assert not {"Asia/Calcutta", "US/Eastern", "Etc/GMT+5", "GMT", "EST5EDT"} & set(names)
    assert {name.split("/")[0] for name in names[1:]} == time_zones.AREAS
    assert len({time_zones.css_class(name) for name in names}) == len(names)


async def test_a_broadcast_is_the_same_bytes_for_viewers_in_different_zones(
    connect, room, alice, bob, make_user
):
    await sync_to_async(choose_zone)(alice, "Asia/Kolkata")
    await sync_to_async(choose_zone)(bob, "America/New_York")
    carol = await sync_to_async(make_user)("carol")
    alice_socket = await connect(user=alice)
    bob_socket = await connect(user=bob)
    carol_socket = await connect(user=carol)

    await carol_socket.send_json_to(htmx_frame(body="What time is it?"))

    [for_alice] = await receive_frames(alice_socket, 1)
    [for_bob] = await receive_frames(bob_socket, 1)
    assert for_alice == for_bob
    message = await Message.objects.aget()
    kolkata = message.created_at.astimezone(time_zones.zone("Asia/Kolkata"))
    new_york = message.created_at.astimezone(time_zones.zone("America/New_York"))
    assert variant("tz-asia-kolkata", for_alice)[1] == f"{kolkata.day} {kolkata:%b, %H:%M}"
    assert variant("tz-america-new-york", for_alice)[1] == f"{new_york.day} {new_york:%b, %H:%M}"
    assert variant("tz-utc", for_alice)


def test_a_room_page_shows_the_same_fragment_to_every_zone_and_its_own_stylesheet(room, alice, bob):
    choose_zone(alice, "Asia/Kolkata")
    choose_zone(bob, "America/New_York")
    message = posted_at(room, alice, "hello", WINTER)
    edit_message(message, alice, "hello, edited")

    as_alice, as_bob = (client_for(user).get("/rooms/lobby/").text for user in (alice, bob))
    stylesheet = client_for(alice).get("/viewer.css").text

    assert article(as_alice, message) == article(as_bob, message)
    assert variant("tz-asia-kolkata", as_alice) == ("15 Dec 2026, 17:30 IST", "15 Dec, 17:30")
    assert variant("tz-america-new-york", as_alice) == ("15 Dec 2026, 07:00 EST", "15 Dec, 07:00")
    edited = re.search(r'<span class="edited[^"]*">(.*?)</span></p>', article(as_alice, message))
    assert re.search(r'class="tz-asia-kolkata" title="Edited [^"]* IST">\(edited\)', edited[1])
    assert ".local-time > .tz-asia-kolkata" in stylesheet
    assert ".local-time:not(:has(> .tz-asia-kolkata)) > .tz-utc" in stylesheet


def test_summer_time_is_per_message_and_variants_are_per_rendering_not_per_zone(room, alice, bob):
    choose_zone(alice, "Europe/London")
    choose_zone(bob, "Africa/Abidjan")  # GMT all year
    july, december = (posted_at(room, alice, "hi", moment) for moment in (SUMMER, WINTER))

    page = client_for(alice).get("/rooms/lobby/").text

    in_july, in_december = article(page, july), article(page, december)
    assert variant("tz-europe-london", in_july) == ("15 Jul 2026, 13:00 BST", "15 Jul, 13:00")
    assert variant("tz-europe-london", in_december) == ("15 Dec 2026, 12:00 GMT", "15 Dec, 12:00")
    assert 'class="tz-africa-abidjan"' in in_july
    assert 'class="tz-africa-abidjan tz-europe-london"' in in_december


def test_all_zones_in_use_make_one_variant_per_rendering(room, alice):
    Profile.objects.bulk_create(
        Profile(user=user, time_zone=zone)
        for user, zone in zip(make_users(len(time_zones.names())), time_zones.names(), strict=True)
    )
    message = posted_at(room, alice, "hi", SUMMER)

    html = message_html([message])

    spans = re.findall(r'<span class="(tz-[^"]*)" title=', html)
    renderings = {(local.utcoffset(), local.tzname()) for local in zoned(SUMMER)}
    assert len(spans) == len(renderings) < 100  # not one per zone (418)
    assert sorted(" ".join(spans).split()) == sorted(map(time_zones.css_class, time_zones.names()))


def make_users(count):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.bulk_create(User(username=f"user{n}") for n in range(count))


def zoned(moment):
    return [moment.astimezone(time_zones.zone(name)) for name in time_zones.names()]


def test_a_zone_chosen_after_fragments_were_cached_shows_on_the_next_render(room, alice, bob):
    message = posted_at(room, alice, "hi", WINTER)
    cached = client_for(alice).get("/rooms/lobby/").text
    assert variant("tz-asia-tokyo", cached) is None

    bob_client = client_for(bob)
    chosen = {"email": "", "time_zone": "Asia/Tokyo", f"level-{room.pk}": "all"}
    assert bob_client.post("/accounts/profile/", chosen).status_code == 302
    page = bob_client.get("/rooms/lobby/").text

    assert variant("tz-asia-tokyo", article(page, message)) == (
        "15 Dec 2026, 21:00 JST",
        "15 Dec, 21:00",
    )


def test_a_fragment_without_the_viewers_zone_still_has_utcs_time_to_fall_back_on(
    room, alice, bob, monkeypatch
):
    message = posted_at(room, alice, "hi", WINTER)
    stale = message_html([message])  # as another process cached it before bob chose
    choose_zone(bob, "Asia/Tokyo")

    stylesheet = client_for(bob).get("/viewer.css").text

    assert variant("tz-asia-tokyo", stale) is None
    assert variant("tz-utc", stale) == ("15 Dec 2026, 12:00 UTC", "15 Dec, 12:00")
    assert ".local-time:not(:has(> .tz-asia-tokyo)) > .tz-utc { display: inline; }" in (
        stylesheet.replace(".local-time > .tz-asia-tokyo, ", "")
    )


def test_search_results_and_mentions_are_in_the_viewers_zone(room, alice, bob):
    choose_zone(bob, "Asia/Kolkata")
    posted_at(room, alice, "@bob deploy tonight", WINTER)
    client = client_for(bob)

    found = client.get("/search/?q=deploy").text
    mentions = client.get("/mentions/").text

    shown = (
        '<time{} datetime="2026-12-15T12:00:00+00:00" title="15 Dec 2026, 17:30 IST">15 Dec, 17:30'
    )
    assert shown.format(' class="ml-1 text-xs text-slate-400"') in found
    assert shown.format("") in mentions


def test_the_zone_comes_from_the_session_without_a_query(room, bob):
    choose_zone(bob, "Asia/Kolkata")
    client = client_for(bob)  # the login keeps the zone in the session

    with CaptureQueriesContext(connection) as queries:
        stylesheet = client.get("/viewer.css").text

    assert ".tz-asia-kolkata" in stylesheet
    assert not [query for query in queries if "rooms_profile" in query["sql"]]
    assert timezone.get_current_timezone_name() == "UTC"  # not left active on the thread


def test_a_session_from_before_time_zones_reads_the_zone_once(room, bob):
    choose_zone(bob, "Asia/Kolkata")
    client = client_for(bob)
    session = client.session
    del session["time_zone"]
    session.save()

    assert ".tz-asia-kolkata" in client.get("/viewer.css").text
    assert client.session["time_zone"] == "Asia/Kolkata"


def test_the_away_email_is_in_the_users_zone(room, alice, bob, mailoutbox, settings):
    settings.NOTIFY_AFTER_SECONDS = 0
    bob.email = "bob@example.com"
    bob.date_joined = SUMMER - timedelta(days=1)  # before the message
    bob.save()
    choose_zone(bob, "America/New_York")
    posted_at(room, alice, "@bob are you there?", SUMMER)
    Profile.objects.update(email_due_at=timezone.now() - timedelta(seconds=1))

    assert send_due_emails() == 1

    [email] = mailoutbox
    assert "alice mentioned you in # Lobby, 15 Jul 2026, 08:00 EDT:" in email.body
