"""Nothing anyone types runs in someone else's browser, and no other site drives our sockets."""

import json
import re
from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rooms import markdown as rooms_markdown
from rooms.models import Message, Room
from rooms.tests.frames import htmx_frame, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    'http://example.com/"onmouseover="alert(1)',
    "http://example.com/<script>",
    "<svg/onload=alert(1)>",
    "&lt;script&gt;",
    'www.example.com" style="x',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![img](https://example.com/a.png)",
    '![img](x" onerror="alert(1))',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "> <svg/onload=alert(1)>",
    '[x](https://example.com "a" onmouseover="alert(1)")',
]
# What no rendered body may carry: scripts run from them, images and frames load from them.
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class Elements(HTMLParser):
    """Every start tag of a fragment with its attributes, as a browser would parse it."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html, page=False):
    """No script, event handler, or javascript:, vbscript: or data: URL; a page may load our
    own htmx, only."""
    for tag, attrs in Elements(html).tags:
        if page and tag == "script":
            assert attrs["src"].startswith("/static/django_htmx/"), html
        else:
            assert tag != "script", html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name == "value":
                continue  # what was typed, given back to the field: text, never followed
            assert not "".join((value or "").split()).lower().startswith(DANGEROUS_SCHEMES), html


def rendered(body):
    message = Message(
        pk=1, seq=1, changed_seq=1, body=body, room=Room(slug="lobby"), author=User(pk=1)
    )
    return render_to_string("rooms/_message.html", {"message": message})


@pytest.mark.parametrize("body", ATTACKS)
def test_attacks_render_as_inert_text(body):
    assert_inert(rendered(body))


def test_links_are_http_only_and_carry_rel():
    html = rendered("see https://example.com/a?b=1&c=2 or javascript:alert(1)")
    body = re.search(r'<div class="body.*?</div>', html, re.S)[0]

    links = [attrs for tag, attrs in Elements(body).tags if tag == "a"]
    assert links == [
        {"href": "https://example.com/a?b=1&c=2", "rel": "nofollow noopener noreferrer"}
    ]


# Markdown put together from what could smuggle a script or a load in: links of every
# kind to odd addresses, images, emphasis around them, code fences and raw HTML.
addresses = st.builds(
    str.__add__,
    st.sampled_from(
        [
            "javascript:",
            "JaVaScRiPt:",
            "java\tscript:",
            "&#106;avascript:",
            "vbscript:",
            "data:text/html,",
            "data:image/png;base64,",
            "file:",
            "//",
            "/",
            "",
            "http:",
            "https:",
            "mailto:",
            "\x00javascript:",
            " javascript:",
            "%6Aavascript:",
        ]
    ),
    st.text(st.sampled_from("alert(1)<>\"' /.:%&#;=x"), max_size=20),
)
markdown_pieces = st.one_of(
    addresses.map("[x]({})".format),
    addresses.map("<{}>".format),
    addresses.map("![img]({})".format),
    addresses.map('[x]({} "title")'.format),
    addresses.map("[x][r]\n\n[r]: {}".format),
    addresses,
    st.sampled_from(
        [
            "*",
            "**",
            "_",
            "`",
            "```\n",
            "~~~",
            "\n",
            "\n\n",
            "> ",
            "- ",
            "1. ",
            "    ",
            "\\",
            "[",
            "](",
            ")",
            "<",
            ">",
            "<script>",
            "</script>",
            "<img src=x onerror=alert(1)>",
            '" onmouseover="alert(1)',
            "<a href='javascript:alert(1)'>",
            "</a>",
            "&lt;",
            "&#60;",
        ]
    ),
    st.text(max_size=10),
)
markdown_bodies = st.lists(markdown_pieces, max_size=12).map("".join)
BODY_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}


@given(body=st.text(max_size=300) | st.sampled_from(ATTACKS) | markdown_bodies)
@hypothesis_settings(max_examples=500, deadline=None)
def test_no_body_renders_a_script_an_event_handler_or_a_javascript_url(body):
    assert_inert(rendered(body))


@given(body=markdown_bodies)
@example(body='[x](http:// "title")')
@hypothesis_settings(max_examples=500, deadline=None)
def test_markdown_makes_only_its_subset_and_only_http_links(body):
    shown = rooms_markdown.as_html(body)

    for tag, attrs in Elements(shown).tags:
        assert tag in BODY_TAGS, shown
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}, shown
            assert attrs.get("href", "http://").lower().startswith(("http://", "https://")), shown
            assert attrs["rel"] == "nofollow noopener noreferrer", shown
        else:
            assert set(attrs) <= {"start"}, shown


# Surrogates too: JSON's \ud800 escapes make them, though no valid UTF-8 frame holds one.
any_text = st.text(st.characters(exclude_categories=()), max_size=50)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
frames = st.one_of(
    st.builds(lambda body: json.dumps(htmx_frame(body=body)), st.text(max_size=200)),
    st.builds(lambda body: json.dumps(htmx_frame(body=body)), st.sampled_from(ATTACKS)),
    st.builds(lambda body: json.dumps(htmx_frame(body=body)), markdown_bodies),
    st.builds(lambda value: json.dumps({"body": value}), json_values),
    st.builds(lambda value: json.dumps({"last_seq": value}), json_values),
    st.builds(json.dumps, json_values),
    st.text(max_size=200),
    st.binary(max_size=200),
)


# A frame the consumer answers with one known error: what arrives up to its answer is the
# answer to the frame before it.
SENTINEL = json.dumps({"body": 5})
SENTINEL_ANSWER = "The message body must be text."


@pytest.fixture
async def alice_socket(connect, room, alice, settings):
    settings.POST_RATE = settings.FRAME_RATE = (10_000, 1)
    return await connect(user=alice)


@given(frame=frames)
@example(frame=json.dumps({"last_seq": float("inf")}))
@example(frame=json.dumps({"last_seq": 2**70}))
@example(frame=json.dumps({"last_seq": -1}))
@example(frame="[" * 20_000)
@example(frame=json.dumps({"body": "\ud800"}))
@example(frame=json.dumps({"body": "\x00"}))
@example(frame=json.dumps(htmx_frame(body="java\tscript:alert(1)\x00")))
@hypothesis_settings(
    max_examples=200,
    deadline=None,
    # One socket for every example, on purpose: its state carries over, as on a real page.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
async def test_no_frame_crashes_the_consumer_or_sends_anything_unsafe(frame, alice_socket):
    # send_input, not send_to: an empty frame is valid on the wire.
    kind = "bytes" if isinstance(frame, bytes) else "text"
    await alice_socket.send_input({"type": "websocket.receive", kind: frame})
    await alice_socket.send_to(text_data=SENTINEL)

    # A crash would surface here as the consumer's exception, a close as a failed receive.
    while SENTINEL_ANSWER not in (answer := (await receive_frames(alice_socket, 1))[0]):
        assert_inert(answer)


async def test_a_handshake_from_another_origin_is_refused(connect, room):
    await connect(origin=b"https://evil.example", expect_accept=False)


def test_every_post_needs_the_csrf_token(room, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post("/rooms/lobby/messages/", {"body": "forged"})

    assert response.status_code == 403
    assert not Message.objects.exists()


async def test_a_socket_post_renders_bodies_inertly_for_everyone(connect, room, alice, bob):
    sender = await connect(user=alice)
    reader = await connect(user=bob)

    await sender.send_json_to(
        htmx_frame(body='<a href="javascript:alert(1)">x</a> https://ok.example')
    )

    [frame] = await receive_frames(reader, 1)
    assert_inert(frame)
    assert 'href="https://ok.example" rel="nofollow noopener noreferrer"' in frame
    page = await sync_to_async(Client().get)("/rooms/lobby/")
    assert_inert(page.text, page=True)
