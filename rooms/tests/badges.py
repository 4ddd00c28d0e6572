"""What a page's rooms sidebar shows: each room link's badges, read from the HTML."""

import re

LINK = re.compile(r'<a id="room-link-([\w-]+)"[^>]*>(.*?)</a>', re.S)
UNREAD = re.compile(r'<span class="unread[^"]*"[^>]*>([^<]*)</span>')
MENTION = re.compile(r'<span class="mention[^"]*"[^>]*>@([^<]*)</span>')
TITLE = re.compile(r'<title id="page-title">([^<]*)</title>|innerHTML:#page-title">([^<]*)<')


def badges(html):
    """{slug: (unread badge, mention badge)} for every room link in `html` ("" when none)."""
    found = {}
    for slug, inner in LINK.findall(html):
        unread, mention = UNREAD.search(inner), MENTION.search(inner)
        found[slug] = (unread[1] if unread else "", mention[1] if mention else "")
    return found


def title(html):
    match = TITLE.search(html)
    return (match[1] or match[2]).strip() if match else None
