"""Pages of a room's messages (oldest first within a page, by per-room seq), and the changes a
page missed."""

from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string

from rooms.fragments import message_html, shown

PAGE_SIZE = 50
# What names each message's cached fragment; whole messages are loaded for misses only.
NARROW = ("pk", "seq", "created_at", "changed_seq")


@dataclass
class Page:
    messages: list  # narrow rows (NARROW), oldest first
    has_older: bool
    has_newer: bool = False
    current: int | None = None  # a permalink's message, marked on its page
    read_seq: int | None = None  # where the viewer had read to: a divider follows it

    @property
    def first_seq(self):
        return self.messages[0].seq if self.messages else None

    @property
    def last_seq(self):
        return self.messages[-1].seq if self.messages else 0

    @cached_property
    def html(self):
        """The messages' HTML, each rendered at most once per process (rooms/fragments.py)."""
        new = self.first_unread()
        if new is None:
            return message_html(self.messages, current=self.current)
        read, unread = self.messages[:new], self.messages[new:]
        divider = render_to_string("rooms/_new_messages.html")
        return message_html(read, self.current) + divider + message_html(unread, self.current)

    def first_unread(self):
        """Where the messages the viewer had not read begin on this page, if they do."""
        if self.read_seq is None:
            return None
        return next((i for i, row in enumerate(self.messages) if row.seq > self.read_seq), None)


def narrow(messages):
    return messages.values_list(*NARROW, named=True)


def page_before(room, seq=None):
    """The PAGE_SIZE messages before seq (or the newest ones), oldest first."""
    newest_first = room.messages.order_by("-seq")
    if seq is not None:
        newest_first = newest_first.filter(seq__lt=seq)
    rows = list(narrow(newest_first)[: PAGE_SIZE + 1])
    return Page(messages=rows[:PAGE_SIZE][::-1], has_older=len(rows) > PAGE_SIZE)


def page_after(room, seq):
    """The PAGE_SIZE messages after seq, oldest first."""
    rows = list(narrow(room.messages.filter(seq__gt=seq).order_by("seq"))[: PAGE_SIZE + 1])
    return Page(messages=rows[:PAGE_SIZE], has_older=True, has_newer=len(rows) > PAGE_SIZE)


def page_around(room, seq, current):
    """Half a page of messages on each side of seq, and the message at seq (`current`)."""
    half = PAGE_SIZE // 2
    older = list(narrow(room.messages.filter(seq__lt=seq).order_by("-seq"))[: half + 1])
    rest = list(narrow(room.messages.filter(seq__gte=seq).order_by("seq"))[: half + 2])
    return Page(
        messages=older[:half][::-1] + rest[: half + 1],
        has_older=len(older) > half,
        has_newer=len(rest) > half + 1,
        current=current,
    )


@dataclass
class Changes:
    """What changed in a room after a page's position: the messages it lacks (appended, by
    seq), those it shows that changed (replaced) and those deleted (removed)."""

    appended: list
    changed: list
    removed: list
    position: int  # the last change's position


def changes_after(room, seq):
    """Every change after position seq, each message once as it is now."""
    messages = list(shown(room.messages.filter(changed_seq__gt=seq).order_by("seq")))
    removals = list(room.removals.filter(seq__gt=seq).values_list("seq", "message_pk"))
    return Changes(
        appended=[message for message in messages if message.seq > seq],
        changed=[message for message in messages if message.seq <= seq],
        removed=[message_pk for _, message_pk in removals],
        position=max(
            [seq, *(m.changed_seq for m in messages), *(position for position, _ in removals)]
        ),
    )
