"""A search result's text: the part of a body around its first match, escaped, with every word
the query matched in <mark>.

Marked here rather than by FTS5's snippet() or PostgreSQL's ts_headline(): both return the
stored text raw around their markers, and PostgreSQL's index reads a body whose punctuation
is spaces, so ts_headline could not mark a word inside an address without showing it so.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from rooms.bidi import without_bidi_controls
from rooms.search_query import WORD

SNIPPET_LENGTH = 240  # characters of a long body shown
LEAD = 60  # of them, at most this many before the first match


def snippet(body, words):
    """The body, or a window of it, as HTML: escaped, and each word starting with one of
    `words` (case ignored) in <mark>."""
    body = " ".join(without_bidi_controls(body).split())
    prefixes = tuple(word.lower() for word in words)
    hits = [hit for hit in WORD.finditer(body) if prefixes and hit[0].lower().startswith(prefixes)]
    start, end = window(body, hits[0] if hits else None)
    html, position = [], start
    for hit in hits:
        if hit.start() >= start and hit.end() <= end:
            html += [escape(body[position : hit.start()]), f"<mark>{escape(hit[0])}</mark>"]
            position = hit.end()
    html.append(escape(body[position:end]))
    return mark_safe("".join(["…" if start else "", *html, "…" if end < len(body) else ""]))


def window(body, first_hit):
    """Where the shown part of `body` starts and ends: at word boundaries, from a little
    before the first hit to at most SNIPPET_LENGTH characters on."""
    start = 0
    if first_hit is not None and first_hit.start() > LEAD:
        lead_start = first_hit.start() - LEAD
        space = body.find(" ", lead_start, first_hit.start())
        start = space + 1 if space != -1 else lead_start
    end = start + SNIPPET_LENGTH
    if end >= len(body):
        return start, len(body)
    space = body.rfind(" ", first_hit.end() if first_hit else start, end)
    return start, space if space != -1 else end
