"""The room socket: parse a frame, ask the form, call the posting path, answer this socket.

Delivery is whole and in order per socket (rooms/delivery.py decides what to send). The page
sends the seq of the last message it holds whenever its socket opens (the #resume form); until
then live broadcasts (handed over by the process's hub, rooms/hub.py) are not forwarded, as the
consumer cannot tell which ones the page already shows: its replay from the database includes
them. A gap that outlasts GAP_GRACE_SECONDS (a broadcast the channel layer dropped) is filled
from the database; a page too far behind gets the latest page instead.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from importlib import import_module

from asgiref.sync import sync_to_async
from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.template.loader import render_to_string

from rooms import broadcast, history, limits, presence
from rooms.delivery import PageSequence, too_far_behind
from rooms.events import room_group
from rooms.forms import MessageForm, message_form
from rooms.hub import MISSED, hub
from rooms.models import MESSAGE_MAX_LENGTH, Room
from rooms.posting import NotAllowed, post_message
from rooms.read_positions import live_reads
from rooms.recheck import recheck
from rooms.sidebar_events import SidebarEvents

# htmx reconnects only after 1006 and 1011-1013: the 4xxx codes end a page's socket for good.
CLOSE_NO_SUCH_ROOM = 4404  # unknown, or private and not yours: the same to the client
NO_SUCH_ROOM = "This room does not exist (any more)."
CLOSE_LOGGED_OUT = 4401
LOGGED_OUT = "You have logged out: reload the page."
CLOSE_TOO_MANY_SOCKETS = 4429
CLOSE_TRY_AGAIN_LATER = 1013  # htmx retries it, with backoff
TOO_MANY_CONNECTIONS = "Too many connections from your address: reconnecting shortly."
CLOSE_POLICY_VIOLATION = 1008
TOO_MANY_FRAMES = "Too many frames: this connection was closed. Reload the page."
# Any valid body, JSON-escaped at its worst (\uXXXX), plus htmx's headers: larger frames
# are refused before they are parsed.
MAX_FRAME_CHARS = 6 * MESSAGE_MAX_LENGTH + 4096
MAX_SEQ = 2**63 - 1  # what every database stores in a big integer
# A catch-up is one frame, so that a page applies all of it or none; a replay larger than this
# (a few hundred long messages) is answered with the latest page instead.
MAX_REPLAY_BYTES = 1_048_576
# How long a live broadcast waits for an earlier one that another process is still sending.
GAP_GRACE_SECONDS = 0.25
# Room events waiting for a socket that is slower than its room. A socket further behind
# gets the messages from the database instead, after its access is checked again (queued
# presence and removals are not replayed).
OUTBOX_LIMIT = 100

logger = logging.getLogger(__name__)


def client_address(scope):
    """The client's address, as the server took it from the proxy's X-Forwarded-For."""
    client = scope.get("client")
    return client[0] if client else None


def without_lone_surrogates(text):
    """`text` with each half of a broken UTF-16 pair (a JSON "\\ud800") made U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class RoomConsumer(SidebarEvents, AsyncWebsocketConsumer):
    # Room events come from the process's hub: a socket has no channel of its own.
    channel_layer_alias = None
    room = None
    user_id = None
    session_key = None
    # The pending check on held broadcasts (see room_change).
    gap_timer = None
    # The task writing the outbox to the socket, from the handshake until the socket leaves:
    # one for the socket's life, not one per burst (BENCHMARKS.md).
    writer = None
    # What the writer awaits while the outbox is empty; take() resolves it.
    wakeup = None
    # Whether the outbox may be written: from the handshake until the socket closes or leaves.
    writable = False
    # Set once the server closes the socket: nothing is sent after the close.
    closing = False
    event_groups = ()

    async def connect(self):
        self.socket_name = uuid.uuid4().hex
        self.frame_times = deque(maxlen=settings.FRAME_RATE[0])
        self.sequence = PageSequence()
        self.outbox = deque()
        # Messages reach the page in turn: from the outbox, a resume, and the gap timer.
        self.delivering = asyncio.Lock()
        user = self.scope["user"]
        if user.is_authenticated:
            self.user_id, self.session_key = user.pk, self.scope["session"].session_key
        address = client_address(self.scope)
        slug = self.scope["url_route"]["kwargs"]["slug"]
        room = await Room.objects.visible_to(user).filter(slug=slug).afirst()
        if room is None:
            return await self.refuse(CLOSE_NO_SUCH_ROOM, NO_SUCH_ROOM)
        if address is not None:
            try:
                await count_connection(address)
            except limits.RateLimited:
                return await self.refuse(CLOSE_TRY_AGAIN_LATER, TOO_MANY_CONNECTIONS)
        try:
            await presence.registry().join(room.pk, self.socket_name, user, address)
        except presence.TooManySockets as refusal:
            return await self.refuse(CLOSE_TOO_MANY_SOCKETS, str(refusal))
        self.room = room
        self.event_groups = []
        await self.enter(room_group(room.pk))
        if self.user_id is not None:
            await self.follow_sidebar(user, room)
        # Accepted once in the groups: every change made after the handshake reaches it.
        await self.accept()
        self.writable = True
        self.writer = asyncio.create_task(self.write_outbox())
        recheck().start()

    async def __call__(self, scope, receive, send):
        # However the consumer ends (its socket's disconnect, or a handler's exception), it
        # leaves the room: a ghost would stay "here" and count against its user's sockets.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.leave_room()

    async def send(self, text_data=None, bytes_data=None, close=False):
        # uvicorn raises ClientDisconnected (an OSError) once the page has closed its socket,
        # and a RuntimeError on a send after our close. As under daphne, the frames the page
        # sent before closing are still handled, then its disconnect.
        if not self.closing:
            with contextlib.suppress(OSError):
                await super().send(text_data, bytes_data, close)

    async def close(self, code=None, reason=None):
        if self.closing:
            return
        self.closing = True
        self.writable = False
        self.outbox.clear()
        with contextlib.suppress(OSError):
            await super().close(code, reason)

    async def leave_room(self):
        self.writable = False
        for task in (self.gap_timer, self.writer):
            if task is not None:
                task.cancel()
        if self.room is not None:
            groups = list(self.event_groups)
            self.room = None
            try:
                await presence.registry().leave(self.socket_name)
            finally:
                for group in groups:
                    await hub().exit(group, self)

    async def enter(self, group):
        if group not in self.event_groups:
            self.event_groups.append(group)  # before the wait: a leave meanwhile exits it too
            await hub().enter(group, self)

    async def exit(self, group):
        if group in self.event_groups:
            self.event_groups.remove(group)
            await hub().exit(group, self)

    def take(self, event):
        """Queue an event from the hub; this socket's writer sends it."""
        if len(self.outbox) >= OUTBOX_LIMIT:
            logger.warning("%s fell behind its room: catching up", self.socket_name)
            self.outbox.clear()
            event = MISSED
        self.outbox.append(event)
        self.wake_writer()

    def wake_writer(self):
        if self.wakeup is not None and not self.wakeup.done():
            self.wakeup.set_result(None)

    async def write_outbox(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                while not (self.writable and self.outbox):
                    self.wakeup = loop.create_future()
                    await self.wakeup
                async with self.delivering:
                    while self.writable and self.outbox:
                        event = self.outbox.popleft()
                        if handler := self.handler_for(event):
                            await handler(event)
        except Exception:
            # The page reconnects after 1011 and resumes: nothing it lacks is lost.
            logger.exception("%s failed on a room event; closing it", self.socket_name)
            await self.close(code=1011)

    def handler_for(self, event):
        handler = getattr(self, get_handler_name(event), None)
        if handler is None:
            # From a newer version of Socico, during a rolling deploy.
            logger.warning("Room event of unknown type %s ignored", event["type"])
        return handler

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return  # sent before the page saw the close
        if self.flooding():
            return await self.end(CLOSE_POLICY_VIOLATION, TOO_MANY_FRAMES)
        if text_data is None:
            return await self.send_composer(error="Frames must be JSON text, not binary.")
        if len(text_data) > MAX_FRAME_CHARS:
            return await self.send_composer(
                error=f"That message is too large: the limit is {MESSAGE_MAX_LENGTH:,} characters."
            )
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):
            return await self.send_composer(error="That frame was not valid JSON.")
        if not isinstance(frame, dict):
            return await self.send_composer(error="Frames must be JSON objects.")
        if "last_seq" in frame:
            return await self.resume(frame["last_seq"])
        await self.post(frame)

    def flooding(self):
        """Whether this frame is one too many for its window (settings.FRAME_RATE)."""
        now = time.monotonic()
        flooding = (
            len(self.frame_times) == self.frame_times.maxlen
            and now - self.frame_times[0] < settings.FRAME_RATE[1]
        )
        self.frame_times.append(now)
        return flooding

    async def post(self, frame):
        body = frame.get("body", "")
        if not isinstance(body, str):
            return await self.send_composer(error="The message body must be text.")
        if (repaired := without_lone_surrogates(body)) != body:
            return await self.send_composer(
                form=message_form({**frame, "body": repaired}),
                error="That message had a broken character (shown as �): fix it and send again.",
            )
        form = message_form(frame)
        user = await self.session_user()
        if not user.is_authenticated:
            return await self.send_composer(form=form, login_needed=True)
        if not form.is_valid():
            return await self.send_composer(form=form)
        try:
            await database_sync_to_async(post_message)(self.room, user, form.cleaned_data["body"])
        except limits.RateLimited as limited:
            return await self.send_composer(form=form, error=str(limited))
        except NotAllowed:
            return await self.end(CLOSE_NO_SUCH_ROOM, NO_SUCH_ROOM)
        # htmx does not reset a form it sent over a socket: swap a fresh one in.
        await self.send_composer(form=form.blank())

    async def resume(self, value):
        try:
            page_seq = int(value)
        except (TypeError, ValueError, OverflowError):
            page_seq = -1
        if not 0 <= page_seq <= MAX_SEQ:
            return await self.send_composer(error="That resume frame had no valid last_seq.")
        async with self.delivering:
            await self.catch_up(after=max(page_seq, self.sequence.last_seq or 0))
        if self.sidebar is not None and (whole := self.sidebar.whole()):
            await self.send(text_data=whole)

    async def room_change(self, event):
        if event["room"] != self.room.pk:
            return await self.other_room_change(event)
        for frame in self.sequence.offer(event["seq"], event["html"]):
            await self.send(text_data=frame)
        self.watch_gap()
        self.note_shown()

    def note_shown(self):
        """The page was shown its room up to its position: the room is read that far."""
        if self.user_id is not None and self.sequence.last_seq is not None:
            live_reads().note(self.room.pk, self.user_id, self.sequence.last_seq)

    def watch_gap(self):
        if not self.sequence.has_gap:
            if self.gap_timer is not None:
                self.gap_timer.cancel()
                self.gap_timer = None
        elif self.gap_timer is None:
            self.gap_timer = asyncio.create_task(self.expire_gap())

    async def expire_gap(self):
        await asyncio.sleep(GAP_GRACE_SECONDS)
        async with self.delivering:
            self.gap_timer = None
            if not self.sequence.has_gap:
                return
            # The channel layer delivers at most once: these are what it dropped here.
            logger.warning(
                "Gap in room %s on %s: seq %s to %s never arrived, filling from the database",
                self.room.pk,
                self.socket_name,
                *self.sequence.gap(),
            )
            await self.catch_up(after=self.sequence.last_seq)

    async def room_access(self, event):
        """Membership or privacy changed: a socket that may no longer read the room ends."""
        if event["room"] == self.room.pk:
            await self.readable_position()
        elif self.sidebar is not None and not event.get("public"):
            # Asked only of a room that may have become private: not a herd per edit.
            visible = Room.objects.visible_to(self.scope["user"]).filter(pk=event["room"])
            if not await visible.aexists():
                await self.lose_room(event["room"])

    async def room_missed(self, event):
        # A page that has not said where it is yet gets everything when it does.
        if self.sequence.last_seq is not None:
            await self.catch_up(after=self.sequence.last_seq)
        else:
            await self.readable_position()  # what was missed may have been a change of access
        if self.sidebar is not None and self.room is not None:
            await self.reload_sidebar()  # other rooms' events were dropped too

    async def room_recheck(self, event):
        """The process's periodic check (rooms/recheck.py) found what no event said."""
        if not event["readable"]:
            return await self.end(CLOSE_NO_SUCH_ROOM, NO_SUCH_ROOM)
        if not event["signed_in"]:
            return await self.end(CLOSE_LOGGED_OUT, LOGGED_OUT)
        for room_id in event.get("lost_rooms", ()):
            await self.lose_room(room_id)
        last_seq = self.sequence.last_seq
        if last_seq is not None and last_seq < event["never_arrived_up_to"]:
            logger.warning(
                "%s lacked room %s's changes %s to %s, which never reached this process: "
                "catching up",
                self.socket_name,
                self.room.pk,
                last_seq + 1,
                event["never_arrived_up_to"],
            )
            await self.catch_up(after=last_seq)

    async def user_logout(self, event):
        """The user logged out somewhere: a socket of that session ends."""
        if (await self.session_user()).pk != self.user_id:
            await self.end(CLOSE_LOGGED_OUT, LOGGED_OUT)

    async def readable_position(self):
        """The room's last_seq if the socket's user may still read it; else the socket ends."""
        visible = Room.objects.visible_to(await self.session_user()).filter(pk=self.room.pk)
        position = await visible.values_list("last_seq", flat=True).afirst()
        if position is None:
            await self.end(CLOSE_NO_SUCH_ROOM, NO_SUCH_ROOM)
        return position

    async def room_presence(self, event):
        if event["room"] == self.room.pk:
            await self.send(text_data=event["html"])

    async def catch_up(self, *, after):
        """Send what the page lacks after position `after` (once its access is checked again):
        every change, each message once as it is now, then what was held behind them; or, too
        far behind, the latest page."""
        room_seq = await self.readable_position()
        if room_seq is None:
            return
        html = None
        if not too_far_behind(after, room_seq):
            html, position = await self.render_changes(after, room_seq)
        if html is not None and len(html.encode()) > MAX_REPLAY_BYTES:
            html = None  # too large for one frame: the latest page, as for a page far behind
        if html is None:
            html, position = await self.render_latest(after, room_seq)
        if html:
            await self.send(text_data=html)
        for frame in self.sequence.advance(position):
            await self.send(text_data=frame)
        self.watch_gap()
        self.note_shown()

    @database_sync_to_async
    def render_changes(self, after, room_seq):
        changes = history.changes_after(self.room, after)
        # Every change up to room_seq is in the database: those not found left nothing to show.
        position = max(changes.position, room_seq)
        if not (changes.appended or changes.changed or changes.removed):
            return "", position
        return broadcast.render_changes(changes, position), position

    @database_sync_to_async
    def render_latest(self, after, room_seq):
        """The room's latest page in place of #messages, with a link to where the page was.

        The room's position is read before the page, so the page shows at least as much."""
        page = history.page_before(self.room)
        context = {
            "room": self.room,
            "page": page,
            "position": room_seq,
            "missed": room_seq - after,
            "resume_after": after,
        }
        return render_to_string("rooms/_latest_page_oob.html", context), room_seq

    async def session_user(self):
        """Who the socket's session belongs to now: a logout in another tab ends it here too."""
        session_store = import_module(settings.SESSION_ENGINE).SessionStore
        return await get_user({"session": session_store(self.scope["session"].session_key)})

    async def refuse(self, code, text):
        # Accept before refusing: a handshake refused outright looks like 1006 to the
        # browser, and htmx would retry it forever.
        await self.accept()
        await self.end(code, text)

    async def end(self, code, text):
        await self.send_status(text)
        await self.close(code=code, reason=text)

    async def send_composer(self, form=None, **context):
        context = {"form": form or MessageForm(), "room": self.room, **context}
        await self.send(text_data=render_to_string("rooms/_composer.html", context))

    async def send_status(self, text):
        await self.send(text_data=render_to_string("rooms/_status.html", {"text": text}))


@sync_to_async(thread_sensitive=False)
def count_connection(address):
    # Off the sockets' database thread: a cache that hangs holds up no other socket.
    limits.count(f"connect:{address}", settings.CONNECT_RATE)
