"""How a message's parts read on the page. Every page shows fifty messages, so these are
cheap where they can be: they run once per message per page."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from rooms.bidi import without_bidi_controls
from rooms.markdown import as_html

register = template.Library()


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
