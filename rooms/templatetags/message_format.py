import nh3
from django import template
from django.utils.html import urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(is_safe=True)
def linkify(body):
    """A message body as escaped text in which http(s) addresses are links.

    Django's urlize finds the addresses; ammonia (nh3) then keeps nothing but <a href> with
    an http or https address, and gives each link its rel.
    """
    return mark_safe(
        nh3.clean(
            urlize(body, autoescape=True),
            tags={"a"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https"},
            link_rel="nofollow noopener noreferrer",
        )
    )
