"""How a change reaches browsers: rendered once, published as finished HTML to its room's group.

Every consumer forwards the HTML untouched; the page swaps it in out of band. Publishing never
waits for the channel layer (rooms/publisher.py).
"""

from django.template.loader import render_to_string

from rooms.events import room_event, user_event
from rooms.fragments import message_html
from rooms.publisher import publish


def render_appended(messages):
    """The frame that adds messages to the end of #messages. Screen readers read out a new
    message; a batch (a catch-up after a reconnect or a gap) goes into the log quietly."""
    context = {
        "messages_html": message_html(messages),
        "last_seq": messages[-1].seq,
        "quiet": len(messages) > 1,
    }
    return render_to_string("rooms/_messages_oob.html", context)


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
    publish(message_event(message))


def message_deleted(message):
    html = render_to_string("rooms/_message_removed.html", {"message": message})
    publish(room_event("room.removal", message.room_id, html=html))


def access_changed(room_id):
    """Ask the room's sockets to check that their users may still read it."""
    publish(room_event("room.access", room_id))


def logged_out(user_id):
    """Ask the user's sockets to check that their sessions are still signed in."""
    publish(user_event("user.logout", user_id))
