"""Pages of a room's messages, oldest first within a page, by per-room seq."""

from dataclasses import dataclass
from functools import cached_property

from rooms.fragments import message_html

PAGE_SIZE = 50


@dataclass
class Page:
    messages: list  # rows of (pk, seq, created_at), oldest first
    has_older: bool

    @property
    def first_seq(self):
        return self.messages[0].seq if self.messages else None

    @cached_property
    def html(self):
        """The messages' HTML, each rendered at most once per process (rooms/fragments.py)."""
        return message_html(self.messages)

    @property
    def last_seq(self):
        return self.messages[-1].seq if self.messages else 0


def page_before(room, seq=None):
    """The PAGE_SIZE messages before seq (or the newest ones), oldest first."""
    newest_first = room.messages.order_by("-seq")
    if seq is not None:
        newest_first = newest_first.filter(seq__lt=seq)
    # What names each message's cached fragment; whole messages are loaded for misses only.
    rows = list(newest_first.values_list("pk", "seq", "created_at", named=True)[: PAGE_SIZE + 1])
    return Page(messages=rows[:PAGE_SIZE][::-1], has_older=len(rows) > PAGE_SIZE)


def messages_after(room, seq, *, limit=PAGE_SIZE):
    """Up to limit messages after seq, oldest first."""
    return list(room.messages.select_related("author").filter(seq__gt=seq).order_by("seq")[:limit])
