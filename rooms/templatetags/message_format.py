"""How a message's parts read on the page. Every page shows fifty messages, so these are
cheap where they can be: they run once per message per page."""

import re

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from rooms import time_zones
from rooms.bidi import without_bidi_controls
from rooms.markdown import NOT_PROSE_ELEMENTS, as_html
from rooms.mentions import MENTION
from rooms.time_zones import css_class, zones_in_use

register = template.Library()

# Text between the tags of a body's HTML; what is not prose (links, code) is passed over whole.
NOT_PROSE_OR_TAG = re.compile(
    "(" + "".join(rf"<{name}\b.*?</{name}>|" for name in NOT_PROSE_ELEMENTS) + r"<[^>]*>)",
    re.DOTALL,
)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def posted_at(moment, style):
    """`moment` in the current time zone (the viewer's, rooms/local_time.py): "short" (24 Nov,
    21:36) or "full" (24 Nov 2026, 21:36 UTC)."""
    return as_text(timezone.localtime(moment), style)


def as_text(local, style):
    # Neither the date filter nor strftime: this English site needs no translated month
    # names, and strftime cost ten times as much, which a time in twenty zones felt.
    day = f"{local.day} {MONTHS[local.month - 1]}"
    if style == "full":
        return f"{day} {local.year}, {local.hour:02}:{local.minute:02} {local.tzname()}"
    return f"{day}, {local.hour:02}:{local.minute:02}"


@register.simple_tag(takes_context=True)
def local_times(context, moment, text=None, title=""):
    """`moment` as each zone in use shows it, for a fragment rendered once for every viewer: a
    span per distinct rendering, UTC's first, classed with the zones that show it so, the
    full time its title (after `title`), the short time its text (or `text`).

    The fragment cache passes the zones its key was made with (rooms/fragments.py); other
    renderings read them here. Spans made here, not in a template loop: a time in twenty
    zones took three times as long that way."""
    if moment is None:
        return ""  # a message not saved yet
    zones = context.get("time_zones") or zones_in_use()
    return mark_safe(
        "".join(
            f'<span class="{" ".join(map(css_class, shown_in))}" '
            f'title="{escape(title + as_text(local, "full"))}">'
            f"{escape(text or as_text(local, 'short'))}</span>"
            for local, shown_in in time_zones.local_times(moment, zones)
        )
    )


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
