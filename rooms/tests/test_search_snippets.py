"""A result's snippet: the body's text escaped, around its first match, the matched words in
<mark> and nothing else live, whatever the body holds (as test_injection checks messages)."""

import html
import re

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rooms.bidi import without_bidi_controls
from rooms.posting import post_message
from rooms.search_query import WORD
from rooms.snippets import LEAD, SNIPPET_LENGTH, snippet
from rooms.tests.test_injection import ATTACKS, Elements, assert_inert

MARK_ATTACKS = [
    '<mark onmouseover="alert(1)">deploy</mark>',
    "deploy</mark><script>alert(1)</script><mark>",
    "\x01deploy\x02<img src=x onerror=alert(1)>",
]


def test_matched_words_are_marked_and_everything_else_escaped():
    assert snippet("<b>deploy</b> & Deployed, not redeploy", ["deplo"]) == (
        "&lt;b&gt;<mark>deploy</mark>&lt;/b&gt; &amp; <mark>Deployed</mark>, not redeploy"
    )


def test_words_inside_an_address_are_marked():
    assert snippet("see https://ci.example.com/deployments/5", ["deployments"]) == (
        "see https://ci.example.com/<mark>deployments</mark>/5"
    )


def test_a_long_body_shows_the_words_around_its_first_match():
    body = " ".join(f"w{n}" for n in range(200)) + " deploy " + " ".join(["after"] * 200)

    shown = snippet(body, ["deploy"])

    assert shown.startswith("…w")
    assert shown.endswith("after…")
    assert "<mark>deploy</mark>" in shown
    text = shown.strip("…").replace("<mark>", "").replace("</mark>", "")
    assert text in body
    assert len(text) <= SNIPPET_LENGTH
    assert text.index("deploy") <= LEAD
    assert not re.search(r"\bw\d* \d", text), "no word is cut"


def test_a_body_without_a_match_shows_its_beginning():
    assert snippet("from alice " * 100, []).startswith("from alice from alice")


def test_bidi_controls_are_taken_out():
    assert snippet("deploy \u202egpj.exe", ["deploy"]) == "<mark>deploy</mark> gpj.exe"


# Bodies heavy in markup, and query words that are prefixes of their words, so hits are many.
markup = st.text(
    st.sampled_from("<>&\"'=/ mark script onload deploy") | st.characters(), max_size=600
)


@st.composite
def bodies_and_words(draw):
    body = draw(markup | st.text(max_size=600) | st.sampled_from(ATTACKS + MARK_ATTACKS))
    prefixes = [word[:2] for word in WORD.findall(body)] or ["x"]
    return body, draw(st.lists(st.sampled_from(prefixes) | st.text(max_size=4), max_size=3))


@given(body_and_words=bodies_and_words())
@hypothesis_settings(max_examples=400, deadline=None)
def test_a_snippet_is_the_body_escaped_with_bare_marks_only(body_and_words):
    body, words = body_and_words

    shown = snippet(body, words)

    assert all(tag == "mark" and not attrs for tag, attrs in Elements(shown).tags), shown
    text = html.unescape(re.sub(r"</?mark>", "", shown)).strip("…")
    assert text in " ".join(without_bidi_controls(body).split())


@pytest.mark.django_db
def test_hostile_bodies_come_back_inert_in_search_results(client, room, alice, unlimited_posting):
    for attack in ATTACKS + MARK_ATTACKS:
        post_message(room, alice, f"deploy {attack}")

    pages = [client.get(f"/search/?q={words}").text for words in ["deploy", "mark", "script"]]

    for page in pages:
        assert_inert(page, page=True)
        assert all(not attrs for tag, attrs in Elements(page).tags if tag == "mark")
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in pages[2]
