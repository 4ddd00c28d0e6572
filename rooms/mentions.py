"""`@username` in a message: the users it names who may read its room, found when the message
is posted or edited and stored as Mention rows, so every page and count reads them back. Only in
prose: `@name` in code or in a link's text mentions no one (rooms/markdown.py)."""

import re

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from rooms.markdown import prose
from rooms.models import Mention, Room

# A username's characters (Django's default validator), not ending a sentence's full stop.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w@+-])")


def mentioned_user_ids(room_id, body):
    """The pks of the users `body` mentions who may read the room."""
    if "@" not in body:
        return []  # no Markdown to parse
    names = {name for run in prose(body) for name in MENTION.findall(run)}
    if not names:
        return []
    named = get_user_model().objects.filter(username__in=names)
    user_ids = list(named.values_list("pk", flat=True))
    readers = Room.objects.filter(pk=room_id).readers(user_ids)
    return [user_id for user_id in user_ids if readers.may_read(room_id, user_id)]


def record_mentions(message):
    """Store whom the message mentions now (in its posting's or edit's transaction)."""
    if message.changed_seq != message.seq:  # an edit: what it mentioned before goes
        Mention.objects.filter(message=message).delete()
    message.mentioned_ids = mentioned_user_ids(message.room_id, message.body)
    Mention.objects.bulk_create(
        Mention(message=message, user_id=user_id, room_id=message.room_id, seq=message.seq)
        for user_id in message.mentioned_ids
    )


def with_mentioned_users(path="mentions"):
    """The prefetch that renders a message's mentions without a query per message."""
    return Prefetch(path, Mention.objects.select_related("user"))
