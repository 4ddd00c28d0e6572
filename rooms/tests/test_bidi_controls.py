"""Bidirectional controls never reorder what a message shows: not in its text, not in a
link's text or address, whether the message was saved before or after they were refused."""

import sys
import unicodedata

import pytest

from rooms.bidi import without_bidi_controls
from rooms.models import Message
from rooms.templatetags.message_format import markdown

# What the Unicode database calls embeddings, overrides and isolates, and the three marks.
EXPLICIT_CLASSES = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
MARKS = ["\u200e", "\u200f", "\u061c"]
CONTROLS = [
    chr(point)
    for point in range(sys.maxunicode + 1)
    if unicodedata.bidirectional(chr(point)) in EXPLICIT_CLASSES
] + MARKS
SPOOF = "see https://exa\u202emple.com/gpj.exe now"


def test_every_explicit_bidi_control_and_mark_is_known():
    assert len(CONTROLS) == 12
    assert without_bidi_controls("".join(CONTROLS)) == ""


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_link_shows_and_goes_where_it_reads(control):
    html = markdown(SPOOF.replace("\u202e", control))

    assert html == (
        'see <a href="https://example.com/gpj.exe" rel="nofollow noopener noreferrer">'
        "https://example.com/gpj.exe</a> now"
    )


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_plain_text_loses_its_controls(control):
    assert markdown(f"tab{control}le <b>") == "table &lt;b&gt;"


@pytest.mark.django_db
def test_a_body_saved_with_controls_before_shows_without_them(client, room, alice):
    Message.objects.create(room=room, seq=1, author=alice, body=SPOOF)

    page = client.get("/rooms/lobby/").text

    assert 'href="https://example.com/gpj.exe"' in page
    assert not any(control in page for control in CONTROLS)


@pytest.mark.django_db
def test_a_body_is_saved_without_controls(alice_client, room):
    alice_client.post("/rooms/lobby/messages/", {"body": "\u2067" + SPOOF + "\u2069"})

    assert Message.objects.get().body == "see https://example.com/gpj.exe now"


@pytest.mark.django_db
def test_a_body_of_nothing_but_controls_is_refused_as_empty(alice_client, room):
    response = alice_client.post("/rooms/lobby/messages/", {"body": " \u202e\u200f "})

    assert response.status_code == 422
    assert "Write something before sending." in response.text
    assert not Message.objects.exists()
