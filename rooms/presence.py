"""Who is here: the signed-in users with a room page open, and how many guests.

Each server process records its open room sockets in the database, keeps them fresh with one
heartbeat for the whole process (which also renews the process's room-group memberships), and drops
rows any process stopped refreshing (it died without saying goodbye). Changes reach pages as
one rendered list per room, coalesced so a crowd arriving at once costs one announcement, not
one per arrival, and paced so announcements never take more than a share of the process:
each costs one delivery per person in the room, and a storm of arrivals in many rooms would
otherwise starve the messages themselves. Presence may lag in a storm; messages do not.
"""

import asyncio
import logging
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from rooms.events import room_event
from rooms.hub import hub
from rooms.loops import per_loop
from rooms.models import Presence
from rooms.publisher import publisher

logger = logging.getLogger(__name__)

ANNOUNCE_DELAY_SECONDS = 0.5
# A tenth of what one process delivers per second (about 20,000-28,000; BENCHMARKS.md).
ANNOUNCED_DELIVERIES_PER_SECOND = 2000


def alive():
    """Presence rows whose process is still refreshing them."""
    return Presence.objects.filter(
        seen_at__gte=timezone.now() - timedelta(seconds=settings.PRESENCE_EXPIRY_SECONDS)
    )


def here(room_id):
    """Context for rooms/_presence.html: who has the room open now."""
    sockets = alive().filter(room_id=room_id).values_list("user__username")
    per_name = dict(sockets.annotate(Count("pk")))  # guests' sockets under None
    guests = per_name.pop(None, 0)
    return {"names": sorted(per_name), "guests": guests}


class TooManySockets(Exception):
    """The socket's user, or its client address, has as many room sockets open as allowed."""


def admit(room_id, socket_name, user, address):
    """Record a socket as here, unless its user or its address has too many open already.

    Counted and recorded in one transaction, one at a time per user and address, so sockets
    opened at once cannot all count the same few and overshoot the caps.
    """
    user = user if user.is_authenticated else None
    with transaction.atomic():
        take_admission_locks([f"user:{user.pk}"] if user else [], f"address:{address}")
        counts = alive().aggregate(
            by_user=Count("pk", filter=Q(user=user) if user else Q(pk__in=[])),
            by_address=Count("pk", filter=Q(address=address)),
        )
        if counts["by_user"] >= settings.MAX_SOCKETS_PER_USER:
            raise TooManySockets("You have too many pages open: close some, then reload this one.")
        if address is not None and counts["by_address"] >= settings.MAX_SOCKETS_PER_ADDRESS:
            raise TooManySockets(
                "Too many pages are open from your network address: close some, then reload."
            )
        Presence.objects.create(
            socket_name=socket_name,
            room_id=room_id,
            user=user,
            address=address,
            seen_at=timezone.now(),
        )


def take_admission_locks(user_keys, address_key):
    # SQLite's IMMEDIATE transactions hold the database's write lock already.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for key in [*user_keys, address_key]:  # always in this order: no deadlock
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def render(room_id):
    """The room's presence fragment, and about how many pages it goes to."""
    people = here(room_id)
    audience = len(people["names"]) + people["guests"]
    return render_to_string("rooms/_presence.html", {"here": people}), audience


def refresh(socket_names):
    """Mark this process's sockets as alive; drop expired rows. Returns the rooms that changed."""
    now = timezone.now()
    Presence.objects.filter(socket_name__in=socket_names).update(seen_at=now)
    expired = Presence.objects.filter(
        seen_at__lt=now - timedelta(seconds=settings.PRESENCE_EXPIRY_SECONDS)
    )
    rooms = set(expired.values_list("room_id", flat=True))
    expired.delete()
    return rooms


class Registry:
    """This process's open room sockets."""

    def __init__(self):
        self.rooms = {}  # socket name -> room id
        self.changed = {}  # room ids to announce, in the order they changed (values unused)
        self.announcer = None
        self.heartbeat = None

    async def join(self, room_id, socket_name, user, address):
        """Record the socket as here; raise TooManySockets (and record nothing) if over a cap."""
        await database_sync_to_async(admit)(room_id, socket_name, user, address)
        self.rooms[socket_name] = room_id
        if self.heartbeat is None:
            self.heartbeat = asyncio.create_task(self.beat())
        self.announce(room_id)

    async def leave(self, socket_name):
        room_id = self.rooms.pop(socket_name, None)
        if room_id is None:
            return
        # Before any await: sockets leave concurrently, and only the last one stops the beat.
        if not self.rooms:
            self.heartbeat.cancel()
            self.heartbeat = None
        await Presence.objects.filter(socket_name=socket_name).adelete()
        self.announce(room_id)

    def announce(self, room_id):
        self.changed[room_id] = None
        if self.announcer is None:
            self.announcer = asyncio.create_task(self.announce_changes())

    async def announce_changes(self):
        """Announce changed rooms in turn, at most every ANNOUNCE_DELAY_SECONDS each."""
        try:
            while self.changed:
                await asyncio.sleep(ANNOUNCE_DELAY_SECONDS)
                batch, self.changed = self.changed, {}
                for room_id in batch:
                    audience = await self.announce_now(room_id)
                    await asyncio.sleep(audience / ANNOUNCED_DELIVERIES_PER_SECOND)
        finally:
            self.announcer = None

    async def announce_now(self, room_id):
        try:
            html, audience = await database_sync_to_async(render)(room_id)
            publisher().put(room_event("room.presence", room_id, html=html))
        except Exception:
            logger.exception("Presence announcement for room %s failed", room_id)
            return 0
        return audience

    async def beat(self):
        while True:
            await asyncio.sleep(settings.PRESENCE_HEARTBEAT_SECONDS)
            try:
                changed = await database_sync_to_async(refresh)(list(self.rooms))
            except Exception:
                logger.exception("Presence heartbeat failed")
                continue
            for room_id in changed:
                self.announce(room_id)
            try:
                await hub().renew_groups()
            except Exception:
                logger.exception("Renewing room groups failed")


registry = per_loop(Registry)
