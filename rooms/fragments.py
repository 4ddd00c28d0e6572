"""Each message's HTML, rendered once per process and reused by every page, post and broadcast.

A posted message never changes (the admin may only delete it), so its rooms/_message.html is
cached. The cache is each process's own memory: nothing to keep consistent between processes,
and no round trip. An author renamed since keeps the old name in fragments cached earlier, for
up to the cache's TIMEOUT, as in the frames pages were already sent.
"""

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


def key(message):
    # The creation time too: a restored or flushed database hands out primary keys again.
    return f"message-{message.pk}-{message.created_at.timestamp()}"


def message_html(messages):
    """rooms/_message.html of each message, in order."""
    cache = caches["fragments"]
    keys = [key(message) for message in messages]
    found = cache.get_many(keys)
    rendered = {
        key: render_to_string("rooms/_message.html", {"message": message})
        for key, message in zip(keys, messages, strict=True)
        if key not in found
    }
    cache.set_many(rendered)
    return [mark_safe(found.get(key) or rendered[key]) for key in keys]
