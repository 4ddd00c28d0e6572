"""How a change reaches browsers: rendered once, published as finished HTML to its room's group.

Every change is a `room.change` event at its room position; every consumer forwards the HTML
untouched, in position order; the page swaps it in out of band. Publishing never waits for the
channel layer (rooms/publisher.py).
"""

from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string

from rooms.events import room_event, signed_in_event, user_event
from rooms.fragments import message_html, shown
from rooms.mentions import with_mentioned_users
from rooms.models import Message
from rooms.publisher import publish


def render_appended(messages, position):
    """The frame that adds messages to the end of #messages; the page is then at `position`."""
    context = {
        "appended_html": message_html(messages),
        "quiet": len(messages) > 1,
        "position": position,
    }
    return render_to_string("rooms/_changes_oob.html", context)


def render_changes(changes, position):
    """The frame that applies `changes` (history.Changes) to a page that was at position."""
    context = {
        "removed": changes.removed,
        "changed": changes.changed,
        "appended_html": message_html(changes.appended),
        "quiet": len(changes.appended) > 1,
        "position": position,
    }
    return render_to_string("rooms/_changes_oob.html", context)


def change_event(room_id, seq, html, **sidebar):
    """`sidebar`: what other rooms' pages count it by (rooms/sidebar.py), for no query there."""
    return room_event("room.change", room_id, seq=seq, html=html, **sidebar)


def message_event(message):
    """The event that carries a new message, rendered once for every recipient."""
    if "@" in message.body:  # else it names nobody (Message.named_mentions)
        prefetch_related_objects([message], with_mentioned_users())
    html = render_appended([message], message.seq)
    return change_event(
        message.room_id,
        message.seq,
        html,
        posted_by=message.author_id,
        mentioned=[mention.user_id for mention in message.named_mentions()],
    )


def message_created(message):
    publish(message_event(message))


def message_changed(message_pk, seq):
    """Publish the message as it is now (an edit, a reaction) as the change at `seq`."""
    # None if deleted since: its removal comes after.
    for message in shown(Message.objects.filter(pk=message_pk)):
        html = render_to_string("rooms/_changes_oob.html", {"changed": [message], "position": seq})
        publish(change_event(message.room_id, seq, html))


def message_removed(room_id, message_pk, seq, message_seq):
    html = render_to_string("rooms/_changes_oob.html", {"removed": [message_pk], "position": seq})
    publish(change_event(room_id, seq, html, removed_seq=message_seq))


def access_changed(room_id, public=False):
    """Ask the room's sockets to check that their users may still read it (`public`: it is
    public now, so every signed-in sidebar keeps it without asking)."""
    publish(room_event("room.access", room_id, public=public))


def logged_out(user_id):
    """Ask the user's sockets to check that their sessions are still signed in."""
    publish(user_event("user.logout", user_id))


def room_shown(room_id, user_ids=None):
    """Tell the pages of `user_ids` (of everyone signed in, when None) that they may now see
    the room: each adds its sidebar link and counts its messages."""
    if user_ids is None:
        return publish(signed_in_event("room.shown", room=room_id))
    for user_id in user_ids:
        publish(user_event("room.shown", user_id, room=room_id))
