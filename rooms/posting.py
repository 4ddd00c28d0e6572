"""The one path from "a message was posted" to "every client has its HTML"."""

from django.db import transaction

from rooms import broadcast
from rooms.models import Message, Room


def post_message(room, author, body):
    """Save a message at the room's next seq and broadcast it once it is committed."""
    with transaction.atomic():
        # The row lock makes concurrent posts to one room commit in seq order, so a
        # client that holds seq N and is sent N + 2 knows for sure it missed N + 1.
        locked = Room.objects.select_for_update().only("last_seq").get(pk=room.pk)
        locked.last_seq += 1
        locked.save(update_fields=["last_seq"])
        message = Message.objects.create(room=room, seq=locked.last_seq, author=author, body=body)
        transaction.on_commit(lambda: broadcast.message_created(message))
    return message
