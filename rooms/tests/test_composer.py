"""The composer's two fields: one line (Enter sends), and a text area for several lines. Both post
alike through the form and the socket; an answer (an error with the text, or a fresh field after
sending) goes back to the field that was used, with the focus."""

import re
from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async

from rooms.models import MESSAGE_MAX_LENGTH, Message
from rooms.tests.frames import htmx_frame, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)

LINES_FORM = {"composer": "lines"}


class Elements(HTMLParser):
    """Each element of a page with an id, its attributes, and those of its descendants."""

    def __init__(self, html):
        super().__init__()
        self.open = []  # (id, attrs) of the elements with an id around the current point
        self.by_id = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {"tag": tag, **dict(attrs)}
        for _, inside in self.open:
            inside.append(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = attrs | {"inside": []}
            if tag not in ("input", "br"):
                self.open.append((attrs["id"], self.by_id[attrs["id"]]["inside"]))

    def handle_endtag(self, tag):
        if self.open and self.by_id[self.open[-1][0]]["tag"] == tag:
            self.open.pop()


def shows_an_error(part):
    return any(attrs.get("id") == "composer-error" for attrs in part["inside"])


def text_area_content(html):
    return re.search(r'<textarea[^>]*id="id_lines_body"[^>]*>\n?(.*?)</textarea>', html, re.S)[1]


def test_the_room_page_offers_one_line_and_several_lines_posting_alike(alice_client, room):
    page = Elements(alice_client.get("/rooms/lobby/").text).by_id

    for form in (page["message-form"], page["lines-form"]):
        assert (form["method"], form["action"]) == ("post", "/rooms/lobby/messages/")
        assert "ws-send" in form
    one_line, lines = page["id_body"], page["id_lines_body"]
    assert (one_line["tag"], one_line["type"], one_line["name"]) == ("input", "text", "body")
    assert (lines["tag"], lines["name"]) == ("textarea", "body")
    assert {"tag": "input", "type": "hidden", "name": "composer", "value": "lines"} in page[
        "lines-form"
    ]["inside"]
    assert "open" not in page["more-lines"]
    assert "autofocus" in one_line, "the page opens on one line"
    assert "autofocus" not in lines


def test_a_message_of_several_lines_posts_without_javascript(alice_client, room):
    response = alice_client.post(
        "/rooms/lobby/messages/", {"body": "one\r\ntwo\r\n\r\nthree", **LINES_FORM}
    )

    assert response.status_code == 303
    assert Message.objects.get().body == "one\ntwo\n\nthree"
    assert "<p>one<br>\ntwo</p>\n<p>three</p>" in alice_client.get(response["Location"]).text


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("  \r\n  ", "Write something before sending."),
        ("x\r\n" * (MESSAGE_MAX_LENGTH // 2 + 1), "Messages can be at most 4,000 characters"),
    ],
)
def test_a_refused_text_area_post_comes_back_in_the_text_area(alice_client, room, body, error):
    response = alice_client.post("/rooms/lobby/messages/", {"body": body, **LINES_FORM})

    assert response.status_code == 422
    page = Elements(response.text).by_id
    assert shows_an_error(page["lines-composer"])
    assert error in response.text
    assert "open" in page["more-lines"]
    assert "autofocus" in page["id_lines_body"]
    assert "autofocus" not in page["id_body"]
    assert text_area_content(response.text) == body
    assert "value" not in page["id_body"], "the one-line field stays empty"


def test_a_refused_one_line_post_comes_back_in_the_one_line_field(alice_client, room):
    too_long = "y" * (MESSAGE_MAX_LENGTH + 1)

    response = alice_client.post("/rooms/lobby/messages/", {"body": too_long})

    page = Elements(response.text).by_id
    assert page["id_body"]["value"] == too_long
    assert shows_an_error(page["composer"])
    assert not shows_an_error(page["lines-composer"])
    assert "autofocus" in page["id_body"]
    assert "autofocus" not in page["id_lines_body"]
    assert "open" not in page["more-lines"]
    assert text_area_content(response.text) == ""


def test_line_breaks_count_once_against_the_length_limit(alice_client, room):
    # What a browser's maxlength lets through: it counts a line break as one character.
    body = "x\r\n" * (MESSAGE_MAX_LENGTH // 2 - 1) + "x"

    response = alice_client.post("/rooms/lobby/messages/", {"body": body, **LINES_FORM})

    assert response.status_code == 303
    assert len(Message.objects.get().body) == MESSAGE_MAX_LENGTH - 1


def test_the_post_limit_is_shown_by_the_text_area_that_hit_it(alice_client, room, settings):
    settings.POST_RATE = (1, 60)
    alice_client.post("/rooms/lobby/messages/", {"body": "first"})

    response = alice_client.post("/rooms/lobby/messages/", {"body": "one\r\ntwo", **LINES_FORM})

    assert response.status_code == 429
    page = Elements(response.text).by_id
    assert shows_an_error(page["lines-composer"])
    assert not shows_an_error(page["composer"])
    assert "Slow down" in response.text
    assert text_area_content(response.text) == "one\r\ntwo"


def test_an_htmx_post_from_the_text_area_gets_the_text_area_back(alice_client, room):
    response = alice_client.post(
        "/rooms/lobby/messages/", {"body": "", **LINES_FORM}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert response.text.startswith('<div id="lines-composer"')
    assert "Write something before sending." in response.text


async def test_several_lines_sent_over_the_socket_keep_their_breaks(connect, room, alice, bob):
    sender = await connect(user=alice)
    reader = await connect(user=bob)

    await sender.send_json_to(htmx_frame(body="```\nlog line 1\n  log line 2\n```", **LINES_FORM))

    [frame] = await receive_frames(reader, 1)
    assert "<pre><code>log line 1\n  log line 2\n</code></pre>" in frame
    answers = await receive_frames(sender, 2)
    [composer] = [frame for frame in answers if "composer" in frame and "#messages" not in frame]
    assert composer.startswith('<div id="lines-composer"'), "the text area is emptied, not the line"
    assert text_area_content(composer) == ""
    assert "autofocus" in Elements(composer).by_id["id_lines_body"], "the focus stays there"


async def test_a_refused_text_area_frame_comes_back_in_the_text_area(connect, room, alice):
    socket = await connect(user=alice)
    too_long = "z\n" * (MESSAGE_MAX_LENGTH // 2 + 1)

    await socket.send_json_to(htmx_frame(body=too_long, **LINES_FORM))

    [reply] = await receive_frames(socket, 1)
    assert reply.startswith('<div id="lines-composer"')
    assert 'id="composer-error"' in reply
    assert text_area_content(reply) == too_long
    assert await Message.objects.acount() == 0


@pytest.mark.parametrize("composer", [["lines"], {"lines": 1}, 7, None, "LINES"])
async def test_any_other_composer_value_answers_in_the_one_line_field(
    connect, room, alice, composer
):
    socket = await connect(user=alice)

    await socket.send_json_to(htmx_frame(body="", composer=composer))

    [reply] = await receive_frames(socket, 1)
    assert reply.startswith('<div id="composer"')
    assert "Write something before sending." in reply


async def test_a_guest_text_area_post_is_refused_in_the_text_area(connect, room):
    socket = await connect(user=None)

    await socket.send_json_to(htmx_frame(body="hello\nthere", **LINES_FORM))

    [reply] = await receive_frames(socket, 1)
    assert reply.startswith('<div id="lines-composer"')
    assert "Log in to post messages" in reply
    assert text_area_content(reply) == "hello\nthere"
    assert await sync_to_async(Message.objects.count)() == 0
