"""The room socket, through a real websocket: live delivery, posting and bad input."""

import html
import json
import re

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from rooms.consumers import CLOSE_NO_SUCH_ROOM, MAX_FRAME_CHARS
from rooms.models import MESSAGE_MAX_LENGTH, Message
from rooms.tests.frames import htmx_frame, nothing_more, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)

APPEND = 'hx-swap-oob="beforeend:#messages"'


def message_ids(frame):
    return [int(pk) for pk in re.findall(r'id="message-(\d+)"', frame)]


async def test_two_clients_in_a_room_both_receive_the_rendered_message(connect, room, alice, bob):
    alice_socket = await connect(user=alice)
    bob_socket = await connect(user=bob)

    await alice_socket.send_json_to(htmx_frame(body="Hello, Bob"))

    [bob_frame] = await receive_frames(bob_socket, 1)
    message = await Message.objects.aget()
    assert APPEND in bob_frame
    assert message_ids(bob_frame) == [message.pk]
    assert "Hello, Bob" in bob_frame
    assert "alice" in bob_frame
    assert '<input type="hidden" id="last-seq" name="last_seq" value="1">' in bob_frame
    alice_frames = await receive_frames(alice_socket, 2)
    assert bob_frame in alice_frames, "the sender gets the same HTML as everyone"
    assert await bob_socket.receive_nothing()


async def test_the_sender_gets_a_fresh_composer(connect, room, alice):
    socket = await connect(user=alice)

    await socket.send_json_to(htmx_frame(body="Clear me"))

    frames = await receive_frames(socket, 2)
    [composer] = [frame for frame in frames if 'id="composer"' in frame]
    assert 'name="body"' in composer
    assert "Clear me" not in composer
    assert "composer-error" not in composer


async def test_htmx_4_lowercase_headers_are_accepted(connect, room, alice):
    socket = await connect(user=alice)

    await socket.send_json_to({"body": "from htmx 4", "headers": {"HX-Request": "true"}})

    frames = await receive_frames(socket, 2)
    assert any("from htmx 4" in frame and APPEND in frame for frame in frames)


async def test_a_post_over_http_reaches_socket_clients(connect, room, alice_client, bob):
    bob_socket = await connect(user=bob)

    response = await sync_to_async(alice_client.post)(
        "/rooms/lobby/messages/", {"body": "Posted without JavaScript"}
    )

    assert response.status_code == 303
    [frame] = await receive_frames(bob_socket, 1)
    assert "Posted without JavaScript" in frame
    assert APPEND in frame


async def test_deleting_a_message_removes_it_from_open_pages(connect, room, alice_client, bob):
    await sync_to_async(alice_client.post)("/rooms/lobby/messages/", {"body": "Oops"})
    message = await Message.objects.aget()
    pk = message.pk
    bob_socket = await connect(user=bob)

    await message.adelete()

    [frame] = await receive_frames(bob_socket, 1)
    removal, position = frame.strip().splitlines()
    assert removal == f'<div id="message-{pk}" hx-swap-oob="delete"></div>'
    assert 'id="last-seq" name="last_seq" value="2"' in position, "the deletion's own position"


async def test_anyone_may_listen_without_logging_in(connect, room, alice):
    reader = await connect(user=None)
    poster = await connect(user=alice)

    await poster.send_json_to(htmx_frame(body="Hello, reader"))

    [frame] = await receive_frames(reader, 1)
    assert "Hello, reader" in frame


async def test_an_unknown_room_is_accepted_then_closed_with_a_4xxx_code(connect):
    socket = await connect(slug="no-such-room")

    status = await socket.receive_from()
    assert "This room does not exist" in status
    closed = await socket.receive_output()
    assert closed == {
        "type": "websocket.close",
        "code": CLOSE_NO_SUCH_ROOM,
        "reason": "This room does not exist (any more).",
    }


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("this is not json", "That frame was not valid JSON."),
        ('["a", "list"]', "Frames must be JSON objects."),
        ('"a string"', "Frames must be JSON objects."),
        (json.dumps(htmx_frame()), "Write something before sending."),
        (json.dumps(htmx_frame(body="")), "Write something before sending."),
        (json.dumps(htmx_frame(body=" \n\t ")), "Write something before sending."),
        (json.dumps(htmx_frame(body=42)), "The message body must be text."),
        (json.dumps(htmx_frame(body=["a"])), "The message body must be text."),
        (json.dumps({"last_seq": "soon"}), "That resume frame had no valid last_seq."),
        (
            json.dumps(htmx_frame(body="x" * (MESSAGE_MAX_LENGTH + 1))),
            "Messages can be at most 4,000 characters (this one has 4001).",
        ),
        (
            '{"body": "' + "x" * MAX_FRAME_CHARS + '"}',
            "That message is too large: the limit is 4,000 characters.",
        ),
        ("[" * 20_000, "That frame was not valid JSON."),
        ('{"body": "broken \\ud800 pair"}', "That message had a broken character"),
        ('{"body": "nul \\u0000 byte"}', "Null characters are not allowed."),
    ],
    ids=[
        "not-json",
        "json-list",
        "json-string",
        "missing-body",
        "empty-body",
        "whitespace-body",
        "number-body",
        "list-body",
        "bad-resume",
        "body-over-limit",
        "frame-far-over-limit",
        "nested-too-deep",
        "lone-surrogate",
        "nul-character",
    ],
)
async def test_bad_input_gets_a_specific_error_for_the_sender_only(
    connect, room, alice, bob, frame, error
):
    sender = await connect(user=alice)
    other = await connect(user=bob)

    await sender.send_to(text_data=frame)

    [reply] = await receive_frames(sender, 1)
    assert 'id="composer-error"' in reply
    assert error in reply
    assert await nothing_more(other)  # who is here may still be announced: nothing else
    assert await Message.objects.acount() == 0
    # Nothing broke: both sockets still work.
    await sender.send_json_to(htmx_frame(body="Still here"))
    [frame] = await receive_frames(other, 1)
    assert "Still here" in frame


async def test_a_binary_frame_is_answered_with_an_error(connect, room, alice):
    socket = await connect(user=alice)

    await socket.send_to(bytes_data=b"\x00\x01")

    [reply] = await receive_frames(socket, 1)
    assert "Frames must be JSON text, not binary." in reply


async def test_an_invalid_message_keeps_what_was_typed(connect, room, alice):
    socket = await connect(user=alice)
    too_long = "y" * (MESSAGE_MAX_LENGTH + 5)

    await socket.send_json_to(htmx_frame(body=too_long))

    [reply] = await receive_frames(socket, 1)
    assert f'value="{too_long}"' in reply


async def test_a_broken_character_is_shown_where_it_was_typed(connect, room, alice):
    socket = await connect(user=alice)

    await socket.send_to(text_data='{"body": "caf\\ud83d latte"}')

    [reply] = await receive_frames(socket, 1)
    assert 'value="caf\ufffd latte"' in reply


async def test_an_anonymous_post_is_refused_inline_and_the_socket_stays(connect, room, alice):
    anonymous = await connect(user=None)
    listener = await connect(user=alice)

    await anonymous.send_json_to(htmx_frame(body="Let me in"))

    [reply] = await receive_frames(anonymous, 1)
    assert "Log in to post messages" in reply
    assert 'href="/accounts/login/?next=/rooms/lobby/"' in reply
    assert 'value="Let me in"' in reply, "what was typed is kept"
    assert await listener.receive_nothing()
    assert await Message.objects.acount() == 0
    await listener.send_json_to(htmx_frame(body="Welcome"))
    [frame] = await receive_frames(anonymous, 1)
    assert "Welcome" in frame


async def test_html_in_a_body_is_shown_as_text(connect, room, alice, bob):
    sender = await connect(user=alice)
    reader = await connect(user=bob)
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'

    await sender.send_json_to(htmx_frame(body=attack))

    [frame] = await receive_frames(reader, 1)
    assert "<script" not in frame
    assert "<img" not in frame
    shown = re.search(r'<div class="body[^"]*">(.*?)</div>', frame, re.DOTALL)[1]
    assert html.unescape(shown) == attack, "the text itself, escaped"
    page = await sync_to_async(Client().get)("/rooms/lobby/")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
