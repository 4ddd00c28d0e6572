"""/search/: a page that works without JavaScript, results that follow the typing with htmx,
older results a link away, and every bad input answered with a clear message."""

import re

import pytest
from django.test import Client
from django.utils.cache import has_vary_header
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rooms import search_index
from rooms.models import Room
from rooms.posting import post_message
from rooms.search import PAGE_SIZE
from rooms.tests.test_injection import assert_inert

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def deploys(room, alice, unlimited_posting):
    return [post_message(room, alice, f"deploy number {n}") for n in range(PAGE_SIZE + 5)]


def result_ids(html):
    return [int(pk) for pk in re.findall(r'<article id="result-(\d+)"', html)]


def older_results(client, html):
    """The page the "Older results" link of `html` leads to."""
    return client.get(
        re.search(r'id="older-results" href="([^"]+)"', html)[1].replace("&amp;", "&")
    )


def test_results_show_room_author_time_and_a_marked_snippet_linking_to_the_message(
    client, room, alice, unlimited_posting
):
    message = post_message(room, alice, "we deploy <today>")

    html = client.get("/search/?q=deplo").text

    assert "<html" in html
    assert 'value="deplo"' in html
    assert "# Lobby" in html
    assert '<span class="author ml-1 font-semibold text-slate-900">alice</span>' in html
    assert f'datetime="{message.created_at.isoformat()}"' in html
    assert f'href="/rooms/lobby/messages/{message.pk}/#message-{message.pk}"' in html
    assert "we <mark>deploy</mark> &lt;today&gt;" in html


def test_the_form_submits_without_javascript_and_htmx_follows_the_typing(client, db):
    html = client.get("/search/").text

    form = re.search(r'<form method="get" action="/search/" role="search".*?</form>', html, re.S)
    assert form, "a plain GET form"
    assert 'name="q"' in form[0]
    assert "<button" in form[0]
    assert 'hx-get="/search/"' in form[0]
    assert 'hx-trigger="input changed delay:300ms, search"' in form[0]
    assert 'hx-target="#search-results"' in form[0]
    assert 'hx-push-url="true"' in form[0]
    assert html.count('name="q"') == 1, "the header's search box steps aside here"


def test_htmx_gets_the_results_alone(client, deploys):
    response = client.get("/search/?q=deploy", headers=HTMX)

    assert "<html" not in response.text
    assert result_ids(response.text) == [m.pk for m in deploys[::-1][:PAGE_SIZE]]


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_the_search_page_varies_with_hx_request(client, db, headers):
    assert has_vary_header(client.get("/search/?q=deploy", headers=headers), "HX-Request")


def test_a_history_restore_gets_the_whole_page(client, db):
    restore = {**HTMX, "HX-History-Restore-Request": "true"}

    assert "<html" in client.get("/search/?q=deploy", headers=restore).text


def test_older_results_are_a_link_away_with_and_without_htmx(client, deploys):
    newest_first = [m.pk for m in deploys[::-1]]
    link = f"/search/?q=deploy%20from%3Aalice&amp;before={newest_first[PAGE_SIZE - 1]}"

    first = client.get("/search/?q=deploy from:alice").text
    older = client.get(link.replace("&amp;", "&")).text
    appended = client.get(link.replace("&amp;", "&"), headers=HTMX).text

    assert result_ids(first) == newest_first[:PAGE_SIZE]
    assert f'id="older-results" href="{link}"' in first
    assert f'hx-get="{link}" hx-target="this" hx-swap="outerHTML"' in first
    assert result_ids(older) == result_ids(appended) == newest_first[PAGE_SIZE:]
    assert "<html" in older
    assert "<html" not in appended
    assert 'id="older-results"' not in older


def test_a_stretch_without_a_match_says_so_and_links_further_back(
    client, room, alice, bob, unlimited_posting, monkeypatch
):
    monkeypatch.setattr(search_index, "WINDOW", 2)
    oldest = post_message(room, bob, "deploy")
    for n in range(4):
        post_message(room, alice, f"deploy {n}")

    first = client.get("/search/?q=deploy+from:bob").text
    second = older_results(client, first).text
    last = older_results(client, second).text

    for stretch in (first, second):
        assert "No match in this stretch of messages holding the words" in stretch
    assert result_ids(last) == [oldest.pk]
    assert 'id="older-results"' not in last


def test_every_page_has_a_search_box_in_its_header(client, room):
    html = client.get("/rooms/lobby/").text

    assert re.search(
        r'<form method="get" action="/search/" role="search"[^>]*>\s*<input type="search" name="q"',
        html,
    )


def test_strangers_find_nothing_of_a_private_room_through_the_page(
    client, alice, unlimited_posting
):
    secret = Room.objects.create(name="Secret", slug="secret", is_private=True)
    secret.members.add(alice)
    post_message(secret, alice, "deploy the secret")

    html = client.get("/search/?q=deploy").text

    assert "No messages match." in html
    assert "secret" not in html.lower()


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("q=" + "a" * 201, "Search for 200 characters at most (this has 201)."),
        ("q=deploy%00", "Null characters are not allowed."),
        ("q=deploy&before=abc", "Enter a whole number."),
        ("q=deploy&before=0", "Ensure this value is greater than or equal to 1."),
        ("q=deploy&before=" + "9" * 30, "Ensure this value is less than or equal to"),
        ("q=from:", "Say what from: filters by, as in from:alice."),
        ("q=in:", "Say what in: filters by, as in in:lobby."),
        ("q=from:a+from:b", "Use from: once at most."),
        ("q=" + "+".join(["word"] * 11), "Search for 10 words at most."),
        ("q=deploy+from:carol", "No user is named “carol”."),
        ("q=deploy+in:attic", "No room has the address “attic”."),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_bad_input_is_answered_with_a_clear_message(client, db, query, error, headers):
    response = client.get(f"/search/?{query}", headers=headers)

    assert response.status_code == 200
    assert error in response.text
    assert 'role="alert"' in response.text
    assert "result-" not in response.text


@given(
    query=st.text(max_size=250),
    before=st.none() | st.text(max_size=25) | st.integers().map(str),
)
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    # One set of messages for every example, on purpose: they are only read.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_query_crashes_the_page_or_shows_anything_unsafe(deploys, query, before):
    params = {"q": query} if before is None else {"q": query, "before": before}

    response = Client().get("/search/", params)

    assert response.status_code == 200
    assert_inert(response.text, page=True)
