"""How a message reaches browsers: rendered once, sent as finished HTML to its room's group.

Every event names its room (rooms/hub.py hands it to the room's sockets); every consumer
forwards the HTML untouched; the page swaps it in out of band.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

from rooms.fragments import message_html

logger = logging.getLogger(__name__)


class BroadcastFailed(Exception):
    """The change is saved, but the channel layer did not take it: pages get it on catch-up."""

    def __init__(self, message, event):
        super().__init__(f"Broadcast of message {message.pk} failed")
        self.message = message
        self.event = event


def room_group(room_id):
    # Channels group names must be short ASCII: name groups by key, never by slug.
    return f"room-{room_id}"


def render_appended(messages):
    """The frame that adds messages to the end of #messages."""
    return render_to_string(
        "rooms/_messages_oob.html",
        {"messages_html": message_html(messages), "last_seq": messages[-1].seq},
    )


def room_event(kind, room_id, **content):
    """An event for a room's sockets: its type (the consumer's handler), and its room."""
    return {"type": kind, "room": room_id, **content}


async def send_to_room(event):
    await get_channel_layer().group_send(room_group(event["room"]), event)


def message_event(message):
    """The room event that carries a new message, rendered once for every recipient."""
    return room_event(
        "room.message",
        message.room_id,
        seq=message.seq,
        pk=message.pk,
        html=render_appended([message]),
    )


def message_created(message):
    """Send a new message to its room; raise BroadcastFailed if the layer is unreachable."""
    event = message_event(message)
    if not _send(event):
        raise BroadcastFailed(message, event)


def message_deleted(message):
    html = render_to_string("rooms/_message_removed.html", {"message": message})
    _send(room_event("room.removal", message.room_id, html=html))


def access_changed(room_id):
    """Ask the room's sockets to check that their users may still read it."""
    _send(room_event("room.access", room_id))


def _send(event):
    # The database is the source of truth: a failed broadcast is logged, and pages get
    # the change on their next catch-up.
    try:
        async_to_sync(send_to_room)(event)
    except Exception:
        logger.exception("Broadcast of %s to %s failed", event["type"], room_group(event["room"]))
        return False
    return True
