"""The rooms sidebar: every room a user can see with what they have not read, on each page load
from the database (rooms/unread.py), and live on an open page from its room events.

A page keeps its own SidebarState: a new message in one of its user's rooms costs it a
dictionary update and, when a badge changes, a link rendered at most once per (room, counts)
per process. No database query on the way: the message's event says who wrote it and whom it
mentions, and the page knows how far its user had read.
"""

from functools import lru_cache
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from rooms.unread import UNREAD_CAP, room_links, unread_text


def sidebar_context(user, current=None):
    """Context for rooms/_sidebar.html and the page title's total."""
    links = room_links(user)
    return {
        "room_links": links_html([link for link in links if not link.is_direct], current),
        "direct_links": links_html([link for link in links if link.is_direct], current),
        "unread_total": sum(link.total for link in links if link.pk != current),
    }


def links_html(links, current):
    """The sidebar's list items, each link rendered once per (room, counts) per process: a
    template include per room cost a page of 200 rooms most of its time."""
    return mark_safe("".join(item_html(link, link.pk == current) for link in links))


def item_html(link, current, badge=None, mentions=None):
    """A room's list item (by default with the counts the database gave it)."""
    badge = link.badge if badge is None else badge
    mentions = link.mention_badge if mentions is None else mentions
    return link_html(link.slug, link.label, link.is_direct, badge, mentions, current, item=True)


@lru_cache(maxsize=10_000)
def link_html(slug, label, is_direct, badge, mention_badge, current, oob=False, item=False):
    """One room's link as the sidebar shows it (`oob`: to swap in over a page's socket;
    `item`: in its list item)."""
    context = {"slug": slug, "label": label, "is_direct": is_direct, "badge": badge}
    context |= {"mentions": mention_badge, "current": current, "oob": oob}
    html = render_to_string("rooms/_room_link.html", context)
    return f'<li id="room-item-{escape(slug)}">{html}</li>' if item else html


@lru_cache(maxsize=10_000)
def title_html(total, title):
    prefix = f"({unread_text(total)}) " if total else ""
    return render_to_string("rooms/_title_oob.html", {"title": prefix + title})


class Shown(NamedTuple):
    badge: str
    mentions: int
    contribution: int


class SidebarState:
    """One open page's sidebar: its user's unread messages and mentions per room.

    A change in one room costs the page O(1): the title's total is kept, not summed again."""

    def __init__(self, links, user_id, current, title):
        self.links = {link.pk: link for link in links}
        self.user_id = user_id
        self.current = current  # the page's own room: read while open, no badge
        self.title = title
        self.live = {link.pk: {} for link in links}  # room -> {seq: mentions the user}
        self.total = sum(self.shown(room_id).contribution for room_id in self.links)

    def rooms(self):
        return list(self.links)

    def message_posted(self, room_id, seq, author_id, mentioned):
        """A new message: the frame to send if it changed a badge, else None."""
        link = self.links.get(room_id)
        if link is None or room_id == self.current or author_id == self.user_id:
            return None
        if seq <= max(link.position, link.read_seq or 0):
            return None  # counted from the database already, or read
        before = self.shown(room_id)
        self.live[room_id][seq] = self.user_id in mentioned
        return self.changed(room_id, before)

    def message_removed(self, room_id, seq):
        if seq not in self.live.get(room_id, {}):
            return None
        before = self.shown(room_id)
        del self.live[room_id][seq]
        return self.changed(room_id, before)

    def read(self, room_id, read_seq):
        """The user read the room up to read_seq (on any page)."""
        link = self.links.get(room_id)
        if link is None or room_id == self.current:
            return None
        before = self.shown(room_id)
        link.read_seq = max(read_seq, link.read_seq or 0)
        if read_seq >= link.position:
            link.unread = link.mentions = 0
        self.live[room_id] = {seq: m for seq, m in self.live[room_id].items() if seq > read_seq}
        return self.changed(room_id, before)

    def changed(self, room_id, before):
        """The room's counts moved from `before` (what shown() said): keep the total, and
        return the frame to send if what the page shows moved."""
        after = self.shown(room_id)
        if after == before:
            return None
        self.total += after.contribution - before.contribution
        return self.frame(room_id)

    def counts(self, room_id):
        link, live = self.links[room_id], self.live[room_id]
        unread = min(link.unread + len(live), UNREAD_CAP)
        return unread, link.mentions + sum(live.values())

    def shown(self, room_id):
        """The link's badge text and mention count, as rendered, and what the room adds to
        the title's total."""
        link = self.links[room_id]
        unread, mentions = self.counts(room_id)
        badge = unread_text(unread) if link.shows_count else ""
        contribution = 0 if room_id == self.current else unread if link.shows_count else mentions
        return Shown(badge, mentions, contribution)

    def frame(self, room_id):
        """The room's link and the page title, as this page should now show them."""
        return self.link(room_id) + title_html(self.total, self.title)

    def link(self, room_id, oob=True):
        link = self.links[room_id]
        badge, mentions, _ = self.shown(room_id)
        current = room_id == self.current
        return link_html(
            link.slug, link.label, link.is_direct, badge, unread_text(mentions), current, oob=oob
        )

    def item(self, room_id):
        badge, mentions, _ = self.shown(room_id)
        return item_html(self.links[room_id], room_id == self.current, badge, unread_text(mentions))

    def add(self, link):
        """A room the user can now see: the frame that appends its link, None if it is listed."""
        if link.pk in self.links:
            return None
        self.links[link.pk] = link
        self.live[link.pk] = {}
        self.total += self.shown(link.pk).contribution
        target = "direct-links" if link.is_direct else "room-links"
        frame = f'<ul hx-swap-oob="beforeend:#{target}">{self.item(link.pk)}</ul>'
        heading = self.direct_heading() if link.is_direct else ""
        return frame + heading + title_html(self.total, self.title)

    def remove(self, room_id):
        """A room the user may no longer see: the frame that removes its link, if listed."""
        if room_id not in self.links:
            return None
        self.total -= self.shown(room_id).contribution
        link = self.links.pop(room_id)
        del self.live[room_id]
        frame = f'<li id="room-item-{escape(link.slug)}" hx-swap-oob="delete"></li>'
        heading = self.direct_heading() if link.is_direct else ""
        return frame + heading + title_html(self.total, self.title)

    def direct_heading(self):
        """The direct messages' heading: shown while there are any."""
        shown = any(link.is_direct for link in self.links.values())
        return render_to_string("rooms/_direct_heading.html", {"shown": shown, "oob": True})

    def whole(self, always=False):
        """Both lists and the title, for a page whose socket opens: its sidebar was rendered
        before the state was read, so it may lack what was unread then, or a room made
        visible since (live changes after are sent as they come). `always`: even when nothing
        is unread, for a page whose events were dropped (it may show badges read since)."""
        unread = any(link.total for pk, link in self.links.items() if pk != self.current)
        if not (unread or always):
            return None
        lists = {"room-links": "", "direct-links": ""}
        for room_id, link in self.links.items():
            lists["direct-links" if link.is_direct else "room-links"] += self.item(room_id)
        frames = [
            f'<ul id="{name}" hx-swap-oob="innerHTML">{html}</ul>' for name, html in lists.items()
        ]
        return "".join(frames) + self.direct_heading() + title_html(self.total, self.title)


def load_state(user, current, title):
    """The SidebarState of a page of `current` (a room pk) for `user`."""
    return SidebarState(room_links(user), user.pk, current, title)
