"""Every RECHECK_SECONDS each process checks its open sockets against the database.

So what no event told them still reaches them: a socket whose user may no longer read its room
(a membership removed by a script, a room made private by an update(), a lost announcement) or
whose session has ended is closed, and when a change committed before the previous check never
reached this process (its posting process died before broadcasting it), the room's pages that
lack it catch up. A change that did reach the process is on its way to its pages, however late.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from rooms.events import room_group
from rooms.hub import hub
from rooms.loops import per_loop
from rooms.models import Room

logger = logging.getLogger(__name__)


class Recheck:
    def __init__(self):
        self.task = None
        self.committed = {}  # room id -> its last_seq as the previous check read it

    def start(self):
        """Check every RECHECK_SECONDS while this process has sockets."""
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.run())

    async def run(self):
        while sockets := hub().all_sockets():
            await asyncio.sleep(settings.RECHECK_SECONDS)
            try:
                await self.check(sockets)
            except Exception:
                logger.exception("Rechecking open sockets failed")
        self.committed = {}

    async def check(self, sockets):
        sockets = [socket for socket in sockets if socket.room is not None]
        who = [(socket.room.pk, socket.user_id, socket.session_key) for socket in sockets]
        # Read before the wait: a link added meanwhile was not checked.
        listed = [socket.sidebar.rooms() if socket.sidebar else [] for socket in sockets]
        state = await database_sync_to_async(read_state)(who, {pk for pks in listed for pk in pks})
        positions, readers, live_sessions = state
        for socket, (room_id, user_id, session_key), links in zip(
            sockets, who, listed, strict=True
        ):
            socket.take(
                {
                    "type": "room.recheck",
                    "readable": room_id in positions and readers.may_read(room_id, user_id),
                    "signed_in": user_id is None or session_key in live_sessions,
                    "never_arrived_up_to": self.never_arrived_up_to(room_id),
                    # Sidebar links of rooms deleted, or lost without an event (a script).
                    "lost_rooms": [
                        pk for pk in links if pk != room_id and not readers.may_read(pk, user_id)
                    ],
                }
            )
        self.committed = positions

    def never_arrived_up_to(self, room_id):
        """The room's position a check ago, if this process has not seen a change reach it."""
        committed = self.committed.get(room_id, 0)
        return committed if hub().latest.get(room_group(room_id), 0) < committed else 0


def read_state(who, listed=()):
    """For (room, user, session key) triples: each room's last_seq, who may read it (and the
    rooms `listed` in sidebars), and which of the sessions are still signed in. Four queries,
    however many sockets."""
    room_ids = {room_id for room_id, _, _ in who}
    positions = dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "last_seq"))
    readers = Room.objects.filter(pk__in=room_ids | set(listed)).readers(
        {user_id for _, user_id, _ in who if user_id is not None}
    )
    sessions = Session.objects.filter(
        session_key__in={key for _, user_id, key in who if user_id is not None},
        expire_date__gt=timezone.now(),
    )
    return positions, readers, set(sessions.values_list("session_key", flat=True))


recheck = per_loop(Recheck)
