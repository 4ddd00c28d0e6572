"""What a screen reader reads out: the message list is a polite log; a new message is announced,
while history (on load, "Load older", a catch-up, the latest page) goes in without being read
out; and every control has a name."""

from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from rooms.delivery import REPLAY_LIMIT
from rooms.posting import post_message
from rooms.tests.frames import htmx_frame, receive_frames
from rooms.tests.test_far_behind import seed

pytestmark = pytest.mark.django_db(transaction=True)

post = sync_to_async(post_message)


class LiveRegions(HTMLParser):
    """Each message's live status, as browsers compute it: the aria-live of its nearest
    ancestor that sets one (`inside`, for a frame swapped into #messages, above them all)."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self, html, inside=None):
        super().__init__()
        self.stack = [inside]
        self.messages = {}  # the article's id: its live status
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        status = attrs.get("aria-live", "polite" if attrs.get("role") == "log" else None)
        if tag == "article":
            self.messages[attrs["id"]] = next((s for s in reversed(self.stack) if s), None)
        if tag not in self.VOID:
            self.stack.append(status)

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.stack.pop()


def statuses(html, inside=None):
    return set(LiveRegions(html, inside).messages.values())


def test_the_message_list_is_a_polite_log_and_its_history_is_not_read_out(client, room, alice):
    for n in range(3):
        post_message(room, alice, f"earlier {n}")

    page = client.get("/rooms/lobby/").text

    assert '<div id="messages" role="log" aria-live="polite" aria-label="Messages"' in page
    assert statuses(page) == {"off"}


async def test_a_new_message_is_read_out(connect, room, alice, bob):
    reader = await connect(user=bob)

    await (await connect(user=alice)).send_json_to(htmx_frame(body="news"))

    [frame] = await receive_frames(reader, 1)
    assert "news" in frame
    assert statuses(frame, inside="polite") == {"polite"}


@pytest.mark.parametrize(
    ("page_seq", "status"),
    [(2, "off"), (4, "polite")],
    ids=["a-batch-is-not-read-out", "one-missed-message-is-read-out-as-it-would-have-been"],
)
async def test_a_catch_up(connect, room, alice, page_seq, status):
    await seed(room, alice, 5)
    socket = await connect(user=alice, resume=False)

    await socket.send_json_to({"last_seq": page_seq})

    [frame] = await receive_frames(socket, 1)
    assert len(LiveRegions(frame).messages) == 5 - page_seq
    assert statuses(frame, inside="polite") == {status}


def test_loading_older_messages_is_not_read_out(client, room, alice, unlimited_posting):
    for n in range(60):
        post_message(room, alice, f"message {n}")

    older = client.get("/rooms/lobby/history/?before=20", headers={"HX-Request": "true"}).text

    assert len(LiveRegions(older).messages) == 19
    assert statuses(older, inside="polite") == {"off"}


async def test_a_far_behind_page_hears_the_notice_not_the_latest_page(connect, room, alice):
    await seed(room, alice, REPLAY_LIMIT + 10)
    socket = await connect(user=alice, resume=False)

    await socket.send_json_to({"last_seq": 1})

    [frame] = await receive_frames(socket, 1)
    assert '<p id="far-behind" role="status"' in frame
    assert statuses(frame, inside="polite") == {"off"}


class Controls(HTMLParser):
    """The page's controls (fields, buttons, links, disclosure summaries) and their names."""

    NAMED_BY_TEXT = {"button", "a", "summary"}

    def __init__(self, html):
        super().__init__()
        self.labelled_ids = set()
        self.fields = []  # the attributes of each visible input, select and textarea
        self.by_text = []  # [tag, text] of each control named by its content
        self.open = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and "for" in attrs:
            self.labelled_ids.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.fields.append(attrs)
        if tag in self.NAMED_BY_TEXT:
            self.by_text.append([tag, attrs.get("aria-label", "")])
            self.open.append(self.by_text[-1])

    def handle_data(self, data):
        for control in self.open:
            control[1] += data

    def handle_endtag(self, tag):
        if tag in self.NAMED_BY_TEXT and self.open:
            self.open.pop()

    def unnamed(self):
        fields = [
            f
            for f in self.fields
            if not f.get("aria-label") and f.get("id") not in self.labelled_ids
        ]
        return fields + [control for control in self.by_text if not control[1].strip()]


@pytest.mark.parametrize("path", ["/rooms/lobby/", "/accounts/login/", "/accounts/signup/"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_control_has_a_name(room, alice, path, signed_in):
    client = Client()
    if signed_in:
        client.force_login(alice)
    post_message(room, alice, "a [link](https://example.com) to name")

    assert Controls(client.get(path).text).unnamed() == []
