"""The one path from "a message was posted" to "every client has its HTML"."""

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from rooms import broadcast, limits
from rooms.models import Message, Room


class NotAllowed(Exception):
    """The author may not post in (or even see) the room any more."""


def post_message(room, author, body):
    """Save a message at the room's next seq and broadcast it once it is committed.

    Checked on every post, whatever the caller checked before: the author's rate (raises
    limits.RateLimited) and their access to the room (raises NotAllowed).
    """
    limits.count(f"post:{author.pk}", settings.POST_RATE)
    with transaction.atomic():
        # The row lock makes concurrent posts to one room commit in seq order, so a
        # client that holds seq N and is sent N + 2 knows for sure it missed N + 1.
        locked = (
            Room.objects.visible_to(author)
            .select_for_update()
            .only("last_seq")
            .filter(pk=room.pk)
            .first()
        )
        if locked is None:
            raise NotAllowed
        # Above every seq in use too, so a counter rolled back (a restore, a hand edit) heals
        # here; asked after the lock is ours, so it sees every post committed before.
        highest = Message.objects.filter(room=room).aggregate(seq=Max("seq"))["seq"] or 0
        locked.last_seq = max(locked.last_seq, highest) + 1
        locked.save(update_fields=["last_seq"])
        message = Message.objects.create(room=room, seq=locked.last_seq, author=author, body=body)
        transaction.on_commit(lambda: broadcast.message_created(message))
    return message
