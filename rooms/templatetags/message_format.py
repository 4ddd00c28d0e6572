"""How a message's parts read on the page. Every page shows fifty messages, so these are
cheap where they can be: they run once per message per page."""

import re

import nh3
from django import template
from django.utils import timezone
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

from rooms.bidi import without_bidi_controls

register = template.Library()

# Text between the tags of a body's HTML; links are passed over whole.
TAGS_AND_LINKS = re.compile(r"(<a\b.*?</a>|<[^>]*>)", re.DOTALL)
# What urlize could turn into a link; a body with none of it is only escaped.
LINK_HINT = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)


@register.filter
def posted_at(moment, style):
    """`moment` in the site's time zone: "short" (24 Nov, 21:36) or "full" (24 Nov 2026, 21:36
    UTC). strftime, not the date filter: this English site needs no translated month names."""
    local = timezone.localtime(moment)
    if style == "full":
        return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    return f"{local.day} {local:%b, %H:%M}"


@register.filter(is_safe=True)
def linkify(body):
    """A message body as escaped text in which http(s) addresses are links.

    Django's urlize finds the addresses; ammonia (nh3) then keeps nothing but <a href> with
    an http or https address, and gives each link its rel. Bidi controls go first, here and
    not only when a message is saved, so bodies stored before that show as typed too.
    """
    body = without_bidi_controls(body)
    if not LINK_HINT.search(body):
        return escape(body)
    return mark_safe(
        nh3.clean(
            urlize(body, autoescape=True),
            tags={"a"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https"},
            link_rel="nofollow noopener noreferrer",
        )
    )


@register.filter(is_safe=True)
def mentions(html, users):
    """`html` (a body made safe by the filter before) with `@name` of each of `users` marked as
    a mention, in its text only: never inside a tag or a link."""
    if not users:
        return html
    names = "|".join(re.escape(escape(user.get_username())) for user in users)
    mention = re.compile(rf"(?<![\w@.+-])@({names})(?![\w@+-]|\.[\w@+-])")
    parts = TAGS_AND_LINKS.split(html)
    parts[::2] = [mention.sub(mention_html, text) for text in parts[::2]]
    return mark_safe("".join(parts))


def mention_html(found):
    return f'<strong class="mentioned-user font-semibold text-indigo-700">@{found[1]}</strong>'
