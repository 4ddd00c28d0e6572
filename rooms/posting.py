"""The one path from "something changed in a room" to "every client has its HTML".

Every change (a message posted, edited, deleted, a reaction toggled) takes the room's next
position under the room's row lock, and is broadcast once committed: so per room, position
order is commit order, and a page that holds position N and is sent N + 2 knows it missed N + 1.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rooms import broadcast, limits
from rooms.away_email import expect_to_notify
from rooms.mentions import record_mentions
from rooms.models import REACTIONS, Message, Reaction, Removal, Room, visible_to_sql
from rooms.read_positions import mark_posted


class NotAllowed(Exception):
    """The user may not change anything in (or even see) the room any more, or the message
    is gone."""


class NotYours(Exception):
    """Only a message's author may change it (and staff delete it)."""


def post_message(room, author, body):
    """Save a message at the room's next position; broadcast it once committed.

    Checked on every change, whatever the caller checked before: the user's rate (raises
    limits.RateLimited) and their access to the room (raises NotAllowed).
    """
    limits.count(f"post:{author.pk}", settings.POST_RATE)
    with transaction.atomic():
        seq = take_position(room.pk, author)
        message = Message.objects.create(
            room=room, seq=seq, changed_seq=seq, author=author, body=body
        )
        record_mentions(message)
        mark_posted(room.pk, author.pk, seq)
        expect_to_notify(notified(room, message))
        transaction.on_commit(lambda: broadcast.message_created(message))
    return message


def may_edit(message, user):
    return message.author_id == user.pk


def may_delete(message, user):
    return message.author_id == user.pk or user.is_staff


def edit_message(message, editor, body):
    if not may_edit(message, editor):
        raise NotYours("You can only edit your own messages.")
    limits.count(f"post:{editor.pk}", settings.POST_RATE)
    with transaction.atomic():
        seq = take_position(message.room_id, editor)
        edited_at = timezone.now()
        if not Message.objects.filter(pk=message.pk).update(
            body=body, edited_at=edited_at, changed_seq=seq
        ):
            raise NotAllowed  # deleted meanwhile
        message.body, message.edited_at, message.changed_seq = body, edited_at, seq
        record_mentions(message)
        transaction.on_commit(lambda: broadcast.message_changed(message.pk, seq))
    return message


def delete_message(message, user):
    """Delete a message (its author, or staff); the deletion takes its position on the way
    (record_removal, called for every deletion of a message, the admin's too)."""
    if not may_delete(message, user):
        raise NotYours("You can only delete your own messages.")
    limits.count(f"post:{user.pk}", settings.POST_RATE)
    with transaction.atomic():
        if not Room.objects.visible_to(user).filter(pk=message.room_id).exists():
            raise NotAllowed
        if not Message.objects.filter(pk=message.pk).exists():
            raise NotAllowed  # deleted meanwhile
        message.delete()


def record_removal(message):
    """Give a message's deletion, in the transaction deleting it, its place in the room."""
    seq = take_position(message.room_id)
    Removal.objects.create(room_id=message.room_id, seq=seq, message_pk=message.pk)
    room_id, message_pk = message.room_id, message.pk
    message_seq = message.seq
    transaction.on_commit(lambda: broadcast.message_removed(room_id, message_pk, seq, message_seq))


def toggle_reaction(message, user, emoji):
    """Add the user's reaction with `emoji` to the message, or take it back."""
    if emoji not in dict(REACTIONS):
        raise ValueError(f"React with one of {' '.join(dict(REACTIONS))}.")
    limits.count(f"post:{user.pk}", settings.POST_RATE)
    with transaction.atomic():
        seq = take_position(message.room_id, user)
        if not Message.objects.filter(pk=message.pk).update(changed_seq=seq):
            raise NotAllowed  # deleted meanwhile
        taken_back, _ = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        if not taken_back:
            Reaction.objects.create(message=message, user=user, emoji=emoji)
        transaction.on_commit(lambda: broadcast.message_changed(message.pk, seq))


def notified(room, message):
    """Who may get an away email about the message: whom it mentions, and a direct
    message's other member."""
    users = set(message.mentioned_ids)
    if room.is_direct:
        users |= set(room.members.values_list("pk", flat=True))
    return users - {message.author_id}


# One statement locks the room's row (if the reader may read it), and moves its counter past
# every position in use too, so a counter rolled back (a restore, a hand edit) heals here.
TAKE_POSITION_SQL = """
UPDATE {room} SET last_seq = {greatest}(
  last_seq,
  COALESCE((SELECT MAX(changed_seq) FROM {message} WHERE room_id = %s), 0),
  COALESCE((SELECT MAX(seq) FROM {removal} WHERE room_id = %s), 0)
) + 1
WHERE id = %s {allowed}
RETURNING last_seq
"""


def take_position(room_id, reader=None):
    """Lock the room and take its next position. NotAllowed if it is gone, or if `reader` (a
    signed-in user) may not read it (Room.objects.visible_to's rule)."""
    sql = TAKE_POSITION_SQL.format(
        room=Room._meta.db_table,
        message=Message._meta.db_table,
        removal=Removal._meta.db_table,
        greatest="MAX" if connection.vendor == "sqlite" else "GREATEST",
        allowed=f"AND {visible_to_sql(Room._meta.db_table)}" if reader else "",
    )
    params = [room_id, room_id, room_id] + ([reader.pk] if reader else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        taken = cursor.fetchone()
    if taken is None:
        raise NotAllowed
    return taken[0]
