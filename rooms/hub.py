"""Each server process reads room and user events once and hands them to its sockets concerned.

The Channels way gives every socket its own channel in the room's group, so one message costs
a channel layer delivery per socket (per reader a queue, a task and a wake-up; on Redis, a
message each). Instead the process's hub joins a room's group once, for all its sockets in the
room, and puts each event on their outboxes in one loop. Each socket writes its own outbox
(RoomConsumer.take), so a slow reader delays only its own page.
"""

import asyncio
import logging

from channels.layers import get_channel_layer

from rooms.loops import per_loop

# How long the reader waits after the channel layer failed (Redis down) before it tries again.
RETRY_SECONDS = 1.0
# How long a handshake (or a leave) waits for a group change. A hung Redis must not hold sockets
# up: past it a group counts as joined, is joined again with the others (renew_groups), and the
# process's recheck (rooms/recheck.py) fills in what its sockets miss meanwhile.
MEMBERSHIP_TIMEOUT_SECONDS = 2.0
# Handed to every socket after an outage: each fetches what it missed from the database.
MISSED = {"type": "room.missed"}  # for no one room: handed to sockets, never sent

logger = logging.getLogger(__name__)


class Hub:
    def __init__(self):
        self.sockets = {}  # group name -> this process's sockets in the group
        self.joined = set()  # group names this hub's channel is in
        self.latest = {}  # room group name -> the latest position of a change handed out
        self.channel_name = None
        self.reader = None
        # Group adds and discards in the order sockets come and go: on Redis they could
        # otherwise overtake each other and leave a room with sockets out of its group.
        self.membership = asyncio.Lock()

    async def enter(self, group, socket):
        """Hand `socket` the group's events from now on (its group membership is confirmed)."""
        self.sockets.setdefault(group, set()).add(socket)
        await self.update_membership(group)

    async def exit(self, group, socket):
        sockets = self.sockets.get(group, set())
        sockets.discard(socket)
        if not sockets:
            self.sockets.pop(group, None)
        await self.update_membership(group)

    async def update_membership(self, group):
        if group in self.sockets and group in self.joined and self.reader_in_step():
            return  # a crowd joining a joined room waits for nothing
        layer = get_channel_layer()
        async with self.membership:
            if self.channel_name is None:
                self.channel_name = await layer.new_channel()
            if group in self.sockets and group not in self.joined:
                await self.bounded(layer.group_add(group, self.channel_name))
                self.joined.add(group)
            elif group not in self.sockets and group in self.joined:
                self.joined.discard(group)
                await self.bounded(layer.group_discard(group, self.channel_name))
            if self.joined and not self.reader_in_step():
                self.reader = asyncio.create_task(self.read())
            elif not self.joined and self.reader is not None:
                self.reader.cancel()
                self.reader = None

    async def bounded(self, membership_change):
        try:
            async with asyncio.timeout(MEMBERSHIP_TIMEOUT_SECONDS):
                await membership_change
        except TimeoutError:
            logger.warning("A room group change timed out: the channel layer is slow")

    def reader_in_step(self):
        """Whether a reader runs exactly when the process is in some room's group."""
        running = self.reader is not None and not self.reader.done()
        return running == bool(self.joined)

    async def read(self):
        layer = get_channel_layer()
        while True:
            try:
                event = await layer.receive(self.channel_name)
            except Exception:
                logger.exception("Reading room events failed")
                await self.recover()
                continue
            self.hand_out(event)

    def hand_out(self, event):
        """Put `event` on the outbox of each of this process's sockets in its group."""
        try:
            if (seq := event.get("seq")) is not None:
                self.latest[event["group"]] = max(seq, self.latest.get(event["group"], 0))
            for socket in self.sockets.get(event.get("group"), ()):
                socket.take(event)
        except Exception:
            # One bad event (from another version of Socico?) must not stop the reader.
            logger.exception("Event %r could not be handed out", event)

    async def recover(self):
        """Once the channel layer answers again, rejoin the rooms and catch every socket up.

        Broadcasts sent meanwhile are lost, and a restarted Redis has forgotten the groups.
        """
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                await self.renew_groups()
            except Exception:
                logger.warning("The channel layer is still unreachable")
            else:
                break
        logger.info("Room events are read again; %s sockets catch up", len(self.all_sockets()))
        for socket in self.all_sockets():
            socket.take(MISSED)

    def all_sockets(self):
        """This process's sockets, each once (a socket is in its room's and its user's group)."""
        return {socket for sockets in self.sockets.values() for socket in sockets}

    async def renew_groups(self):
        """Join this process's groups again.

        Channels forgets group members after a day (channels_redis group_expiry), and a Redis
        restart forgets them at once; pages stay open longer than either.
        """
        layer = get_channel_layer()
        async with self.membership:
            for group in self.joined:
                await layer.group_add(group, self.channel_name)


hub = per_loop(Hub)
