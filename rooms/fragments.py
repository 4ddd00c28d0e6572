"""Each message's HTML, rendered once per process and version and reused by every page, post
and broadcast.

A fragment is cached under the message's version (changed_seq: an edit or a reaction makes a new
one), in each process's own memory: nothing to keep consistent between processes, and no round
trip. An author renamed (or a room's slug changed) since keeps the old name in fragments cached
earlier, for up to FRAGMENT_SECONDS, as in the frames pages were already sent.

A cachetools TTLCache, not Django's local-memory cache: that one validates each key for
memcached and pickles each value, which cost a room page of fifty messages a tenth of its
time.
"""

from datetime import UTC
from threading import Lock

from cachetools import TTLCache
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from rooms.mentions import with_mentioned_users
from rooms.models import Message, Reaction
from rooms.time_zones import zones_in_use

# About 1 KB each; read and filled by HTTP threads and the sockets' thread alike.
FRAGMENT_SECONDS = 3600
rendered_messages = TTLCache(maxsize=20_000, ttl=FRAGMENT_SECONDS)
rendered_messages_lock = Lock()


def cache_key(message, zones):
    # The creation time too: a restored or flushed database hands out primary keys again. The
    # zones in use too: a fragment cached before a zone was chosen lacks its times.
    stamp = message.created_at.timestamp()
    return f"message-{message.pk}-{stamp}-{message.changed_seq}-{zones.key}"


def message_html(messages, current=None):
    """rooms/_message.html of each message, in order, as one string; the one whose pk is
    `current` (a permalink's) marked with aria-current for this page.

    `messages` are Message rows, or rows of only (pk, seq, created_at, changed_seq) for a page:
    the rest of a message is loaded only when its fragment is not cached. One deleted since
    its row was read is left out.
    """
    zones = zones_in_use()
    keys = [cache_key(message, zones) for message in messages]
    with rendered_messages_lock:
        cached = {key: rendered_messages.get(key) for key in keys}
    html = {key: fragment for key, fragment in cached.items() if fragment is not None}
    missing = [message for key, message in zip(keys, messages, strict=True) if key not in html]
    # In UTC whoever asks: nothing in a fragment may depend on the viewer's zone.
    with timezone.override(UTC):
        rendered = {
            cache_key(message, zones): render_to_string(
                "rooms/_message.html", {"message": message, "time_zones": zones}
            )
            for message in whole(missing)
        }
    with rendered_messages_lock:
        rendered_messages.update(rendered)
    html |= rendered
    for key, message in zip(keys, messages, strict=True):
        if message.pk == current and key in html:
            html[key] = html[key].replace("<article ", '<article aria-current="true" ', 1)
    # One string: a template loop over fifty fragments cost the room page a tenth of its time.
    return mark_safe("".join(html[key] for key in keys if key in html))


def whole(messages):
    """The messages as Message rows with what their fragments show, loading narrow rows."""
    narrow = [message.pk for message in messages if not isinstance(message, Message)]
    loaded = shown(Message.objects).in_bulk(narrow) if narrow else {}
    for message in messages:
        if not isinstance(message, Message):
            message = loaded.get(message.pk)  # None: deleted since
        if message is not None:
            yield message


def shown(messages):
    """The `messages` queryset with what their fragments show: author, room, reactions, and
    who reacted, and whom they mention."""
    return messages.select_related("author", "room").prefetch_related(
        Prefetch("reactions", Reaction.objects.select_related("user")),
        with_mentioned_users(),
    )
