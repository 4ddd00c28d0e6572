"""What a room socket sends and receives, as htmx 2 speaks it."""

import re


def htmx_frame(**values):
    """A frame as htmx 2's ws extension sends the message form."""
    headers = {
        "HX-Request": "true",
        "HX-Trigger": "message-form",
        "HX-Trigger-Name": None,
        "HX-Target": "message-form",
        "HX-Current-URL": "http://testserver/rooms/lobby/",
    }
    return {**values, "csrfmiddlewaretoken": "ignored-on-sockets", "HEADERS": headers}


PRESENCE = '<p id="presence"'


async def receive_frames(socket, count, seconds=2):
    """The next `count` frames, passing over who-is-here updates (test_presence covers them)."""
    frames = []
    while len(frames) < count:
        frame = await socket.receive_from(seconds)
        if not frame.startswith(PRESENCE):
            frames.append(frame)
    return frames


async def nothing_but_presence(socket, seconds=0.3):
    """Whether the socket is sent nothing but who-is-here updates for `seconds`."""
    while not await socket.receive_nothing(seconds):
        if not (await socket.receive_from()).startswith(PRESENCE):
            return False
    return True


MESSAGE = re.compile(r'<article id="message-(\d+)".*?<p class="body[^"]*">([^<]*)</p>', re.S)
APPEND = re.compile(r'<div hx-swap-oob="beforeend:#messages">(.*?)</div>\s*(?=<input|$)', re.S)
DELETE = re.compile(r'<div id="message-(\d+)" hx-swap-oob="delete"></div>')
CHANGE = re.compile(
    r'<div id="message-(\d+)" hx-swap-oob="innerHTML">.*?<p class="body[^"]*">([^<]*)</p>', re.S
)
REPLACE = re.compile(r'<div id="messages" hx-swap-oob="innerHTML">(.*?)</div>\s*(?=<input|$)', re.S)
LAST_SEQ = re.compile(r'id="last-seq" name="last_seq" value="(\d+)"')


class PageModel:
    """The #messages list as htmx would leave it after swapping in the frames it was sent."""

    def __init__(self, messages=(), last_seq=0):
        self.messages = list(messages)  # (pk, body) pairs, top to bottom
        self.last_seq = last_seq  # the #last-seq input the page sends when its socket opens

    def apply(self, frame):
        if seq := LAST_SEQ.search(frame):
            self.last_seq = int(seq[1])
        for content in REPLACE.findall(frame):
            self.messages = [(int(pk), body) for pk, body in MESSAGE.findall(content)]
        for content in APPEND.findall(frame):
            self.messages += [(int(pk), body) for pk, body in MESSAGE.findall(content)]
        for pk in DELETE.findall(frame):
            self.messages = [m for m in self.messages if m[0] != int(pk)]
        for pk, body in CHANGE.findall(frame):
            self.messages = [(m[0], body if m[0] == int(pk) else m[1]) for m in self.messages]

    @property
    def bodies(self):
        return [body for _, body in self.messages]


async def receive_until_quiet(socket, quiet=0.5):
    """Every frame the socket is sent until it has been quiet for `quiet` seconds."""
    frames = []
    while not await socket.receive_nothing(timeout=quiet):
        frames.append(await socket.receive_from())
    return [frame for frame in frames if not frame.startswith(PRESENCE)]
