"""How a message's parts read on the page. Every page shows fifty messages, so these are
cheap where they can be: they run once per message per page."""

import re

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from rooms.bidi import without_bidi_controls
from rooms.markdown import NOT_PROSE_ELEMENTS, as_html
from rooms.mentions import MENTION

register = template.Library()

# Text between the tags of a body's HTML; what is not prose (links, code) is passed over whole.
NOT_PROSE_OR_TAG = re.compile(
    "(" + "".join(rf"<{name}\b.*?</{name}>|" for name in NOT_PROSE_ELEMENTS) + r"<[^>]*>)",
    re.DOTALL,
)


@register.filter
def posted_at(moment, style):
    """`moment` in the site's time zone: "short" (24 Nov, 21:36) or "full" (24 Nov 2026, 21:36
    UTC). strftime, not the date filter: this English site needs no translated month names."""
    local = timezone.localtime(moment)
    if style == "full":
        return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    return f"{local.day} {local:%b, %H:%M}"


@register.filter(is_safe=True)
def markdown(body):
    """A message body as safe HTML from its Markdown (rooms/markdown.py).

    Bidi controls go first, here and not only when a message is saved, so bodies stored before
    that show as typed too.
    """
    return mark_safe(as_html(without_bidi_controls(body)))


@register.filter(is_safe=True)
def mentions(html, users):
    """`html` (a body made safe by the filter before) with `@name` of each of `users` marked as
    a mention, in its prose only: never inside a tag, a link or code, as rooms/mentions.py
    finds them."""
    if not users:
        return html
    names = {escape(user.get_username()) for user in users}

    def mark(found):
        # The whole name MENTION finds, as when stored: "@bob..x" names "bob..x", not bob.
        if found[1] not in names:
            return found[0]
        return f'<strong class="mentioned-user font-semibold text-indigo-700">@{found[1]}</strong>'

    parts = NOT_PROSE_OR_TAG.split(html)
    parts[::2] = [MENTION.sub(mark, text) for text in parts[::2]]
    return mark_safe("".join(parts))
