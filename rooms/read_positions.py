"""How far each user has read each room, owned by the server and moved only forward.

A room counts as read up to what the user was shown: a page load (its last message), a post,
or a live page that was sent a message. Every move is told to the user's open pages, so a room
read in one tab clears its badge in the others.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.db import transaction

from rooms.events import user_event
from rooms.loops import per_loop
from rooms.models import Subscription
from rooms.publisher import publish

# Live pages' reads are written together, at most this often: never a query per recipient.
LIVE_READS_SECONDS = 1.0

logger = logging.getLogger(__name__)


def mark_read(user, room_id, seq):
    """`user` has been shown `room_id` up to position `seq`."""
    if user.is_authenticated:
        mark_many_read(room_id, {user.pk: seq})


def mark_many_read(room_id, seqs):
    """Move each user's read position in the room forward to their seq (user pk -> seq)."""
    with transaction.atomic():
        for seq in set(seqs.values()):
            users = [user_id for user_id, user_seq in seqs.items() if user_seq == seq]
            Subscription.objects.filter(
                room_id=room_id, user_id__in=users, read_seq__lt=seq
            ).update(read_seq=seq)
            Subscription.objects.bulk_create(
                [Subscription(user_id=user_id, room_id=room_id, read_seq=seq) for user_id in users],
                ignore_conflicts=True,  # the rows that exist were moved above
            )
        for user_id, seq in seqs.items():
            tell_pages(user_id, room_id, seq)


def mark_posted(room_id, author_id, seq):
    """The author of the room's newest position (taken under the room's lock, so nobody has
    read further) has read the room to there: one upsert."""
    Subscription.objects.bulk_create(
        [Subscription(user_id=author_id, room_id=room_id, read_seq=seq)],
        update_conflicts=True,
        unique_fields=["user", "room"],
        update_fields=["read_seq"],
    )
    tell_pages(author_id, room_id, seq)


def tell_pages(user_id, room_id, seq):
    """Once committed, tell the user's open pages how far they read the room."""
    event = user_event("user.read", user_id, room=room_id, read_seq=seq)
    transaction.on_commit(lambda: publish(event))


def read_position(user, room_id):
    """The user's read position in the room; None if they never read it."""
    if not user.is_authenticated:
        return None
    rows = Subscription.objects.filter(user=user, room_id=room_id)
    return rows.values_list("read_seq", flat=True).first()


class LiveReads:
    """What this process's live pages were sent, written to the database once a second."""

    def __init__(self):
        self.pending = {}  # room id -> {user id: seq}
        self.writer = None

    def note(self, room_id, user_id, seq):
        seqs = self.pending.setdefault(room_id, {})
        seqs[user_id] = max(seq, seqs.get(user_id, 0))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self.write_soon())

    async def write_soon(self):
        # Until nothing waits: what pages are sent while a batch is written goes in the next.
        while self.pending:
            await asyncio.sleep(LIVE_READS_SECONDS)
            pending, self.pending = self.pending, {}
            for room_id, seqs in pending.items():
                try:
                    await database_sync_to_async(mark_many_read)(room_id, seqs)
                except Exception:
                    logger.exception("Saving what pages read in room %s failed", room_id)


live_reads = per_loop(LiveReads)
