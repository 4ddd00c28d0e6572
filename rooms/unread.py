"""What a user has not read: per room they can see, the messages after their read position (not
their own) and those that mention them, for all their rooms in a constant number of queries.

A room's count reads at most its UNREAD_CAP newest messages, so a room far behind costs no more
than a busy one; a room read to its last position, or unchanged since this process counted it,
is not counted at all. A user with no Subscription row for a room has read what was posted
before they joined.
"""

from dataclasses import dataclass
from threading import Lock

from cachetools import LRUCache
from django.db import connection

from rooms.models import Mention, Message, Room, Subscription, visible_to_sql

# Counted up to here per room; the badge then reads "99+".
UNREAD_CAP = 100


@dataclass
class RoomLink:
    """A room as the sidebar lists it, with what its user has not read there."""

    pk: int
    slug: str
    name: str
    is_private: bool
    is_direct: bool
    position: int  # the room's last_seq when counted: later messages are not in the counts
    read_seq: int | None  # None: no Subscription row yet
    level: str
    unread: int
    mentions: int
    label: str = ""  # a direct message's other user; the room's name otherwise
    created_at: object = None  # the room's

    @property
    def shows_count(self):
        """Muted rooms (mentions only, nothing) show no count badge; mentions still count."""
        return self.level == Subscription.EVERYTHING

    @property
    def badge(self):
        """The number on the room's count badge: this many and more than UNREAD_CAP-1."""
        return unread_text(self.unread) if self.shows_count else ""

    @property
    def mention_badge(self):
        return unread_text(self.mentions)

    @property
    def total(self):
        """What the room adds to the page title's total."""
        return self.unread if self.shows_count else self.mentions


def unread_text(count):
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count) if count else ""


# Every room the user can see, with how far they read it.
POSITIONS_SQL = """
SELECT r.id, r.slug, r.name, r.is_private, r.is_direct, r.last_seq, s.read_seq, s.level,
  r.created_at
FROM {room} r LEFT JOIN {subscription} s ON s.room_id = r.id AND s.user_id = %s
WHERE {visible} {among}
ORDER BY r.is_direct, r.name, r.id
"""

# The counts of some rooms, at their positions now. Each count reads the newest messages after
# the read position and stops at UNREAD_CAP: a room far behind costs no more than a busy one.
COUNTS_SQL = """
SELECT r.id, r.last_seq, s.read_seq,
  (SELECT COUNT(*) FROM (
     SELECT m.author_id, m.created_at FROM {message} m
     WHERE m.room_id = r.id AND m.seq > COALESCE(s.read_seq, 0) AND m.seq <= r.last_seq
     ORDER BY m.seq DESC LIMIT {cap}) AS newest
   WHERE newest.author_id <> %s AND (s.read_seq IS NOT NULL OR newest.created_at > %s)),
  (SELECT COUNT(*) FROM (
     SELECT 1 FROM {mention} n
     WHERE n.user_id = %s AND n.room_id = r.id AND n.seq > COALESCE(s.read_seq, 0)
       AND n.seq <= r.last_seq
     LIMIT {cap}) AS mention_rows)
FROM {room} r LEFT JOIN {subscription} s ON s.room_id = r.id AND s.user_id = %s
WHERE r.id IN ({rooms})
"""

# (user, room, room position, read position) -> (unread, mentions). Every change in a room takes
# a position, so counts taken at the same two positions are the same counts. Users and rooms are
# named by creation time too: a restored or flushed database hands out primary keys again.
counted = LRUCache(maxsize=100_000)
counted_lock = Lock()


def room_links(user, room_ids=None):
    """A RoomLink for every room `user` can see (or of those in `room_ids`), in sidebar order.

    At most three queries, however many rooms: the positions, the counts of the rooms that moved
    since this process last counted them, and direct messages' other members.
    """
    if not user.is_authenticated:
        fields = ("pk", "slug", "name", "is_private", "is_direct", "last_seq")
        rooms = Room.objects.visible_to(user)
        if room_ids is not None:
            rooms = rooms.filter(pk__in=room_ids)
        return [
            RoomLink(*row, read_seq=None, level=Subscription.EVERYTHING, unread=0, mentions=0)
            for row in rooms.values_list(*fields)
        ]
    among = "" if room_ids is None else f"AND r.id IN ({', '.join(['%s'] * len(room_ids))})"
    params = [user.pk, user.pk, *(room_ids or [])]
    rows = fetch(POSITIONS_SQL, params, visible=visible_to_sql("r"), among=among)
    links = [
        RoomLink(
            *row[:7],
            level=row[7] or Subscription.EVERYTHING,
            unread=0,
            mentions=0,
            created_at=row[8],
        )
        for row in rows
    ]
    count_unread(links, user)
    label_direct_messages(links, user)
    return links


def count_unread(links, user):
    """Fill in each link's counts: from this process's cache where its room has not moved."""
    reader = (user.pk, user.date_joined)  # read once: request.user is a lazy proxy
    uncounted = {}
    with counted_lock:
        for link in links:
            if link.position > (link.read_seq or 0):
                counts = counted.get(counted_key(reader, link))
                if counts is None:
                    uncounted[link.pk] = link
                else:
                    link.unread, link.mentions = counts
    if not uncounted:
        return
    params = [user.pk, user.date_joined, user.pk, user.pk, *uncounted]
    rows = fetch(COUNTS_SQL, params, rooms=", ".join(["%s"] * len(uncounted)))
    with counted_lock:
        for room_id, position, read_seq, unread, mentions in rows:
            link = uncounted[room_id]
            link.position, link.read_seq = position, read_seq
            link.unread, link.mentions = counted[counted_key(reader, link)] = unread, mentions


def counted_key(reader, link):
    return (*reader, link.pk, link.created_at, link.position, link.read_seq)


def fetch(sql, params, **parts):
    tables = {
        "message": Message._meta.db_table,
        "mention": Mention._meta.db_table,
        "room": Room._meta.db_table,
        "subscription": Subscription._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.format(cap=UNREAD_CAP, **tables, **parts), params)
        return cursor.fetchall()


def label_direct_messages(links, user):
    """Name each direct-message room after the other of its two members."""
    direct = {link.pk: link for link in links if link.is_direct}
    for link in links:
        link.label = link.name
    if not direct:
        return
    others = Room.members.through.objects.filter(room_id__in=direct).exclude(user_id=user.pk)
    for room_id, username in others.values_list("room_id", "user__username"):
        direct[room_id].label = username


def room_link(user, room_id):
    """The RoomLink of one room for `user`; None if they cannot see it."""
    links = room_links(user, [room_id])
    return links[0] if links else None
