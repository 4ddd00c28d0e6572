"""What a user has not read: per room they can see, the messages after their read position (not
their own) and those that mention them, for every room in one query.

A room's count is an index range on (room, seq) cut at UNREAD_CAP rows, so a room far behind
costs no more than a busy one, and a room read to its last position is not counted at all. A
user with no Subscription row for a room has read what was posted before they joined.
"""

from dataclasses import dataclass

from django.db import connection

from rooms.models import Mention, Message, Room, Subscription

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


SIDEBAR_SQL = """
SELECT r.id, r.slug, r.name, r.is_private, r.is_direct, r.last_seq, s.read_seq, s.level,
  CASE WHEN r.last_seq > COALESCE(s.read_seq, 0) THEN (SELECT COUNT(*) FROM (
     SELECT 1 FROM {message} m
     WHERE m.room_id = r.id AND m.author_id <> %s
       AND m.seq > COALESCE(s.read_seq, 0)
       AND (s.read_seq IS NOT NULL OR m.created_at > %s)
     LIMIT {cap}) AS unread_rows) ELSE 0 END,
  CASE WHEN r.last_seq > COALESCE(s.read_seq, 0) THEN (SELECT COUNT(*) FROM (
     SELECT 1 FROM {mention} n
     WHERE n.user_id = %s AND n.room_id = r.id AND n.seq > COALESCE(s.read_seq, 0)
     LIMIT {cap}) AS mention_rows) ELSE 0 END
FROM {room} r LEFT JOIN {subscription} s ON s.room_id = r.id AND s.user_id = %s
WHERE r.id IN ({visible})
ORDER BY r.is_direct, r.name, r.id
"""


def room_links(user, rooms=None):
    """A RoomLink for every room `user` can see (or of `rooms`, a queryset), in sidebar order.

    Two queries, however many rooms: the counts, and direct messages' other members.
    """
    visible = (rooms if rooms is not None else Room.objects.all()) & Room.objects.visible_to(user)
    if not user.is_authenticated:
        fields = ("pk", "slug", "name", "is_private", "is_direct", "last_seq")
        return [
            RoomLink(*row, read_seq=None, level=Subscription.EVERYTHING, unread=0, mentions=0)
            for row in visible.values_list(*fields)
        ]
    visible_sql, visible_params = visible.values("pk").query.sql_with_params()
    sql = SIDEBAR_SQL.format(
        message=Message._meta.db_table,
        mention=Mention._meta.db_table,
        room=Room._meta.db_table,
        subscription=Subscription._meta.db_table,
        cap=UNREAD_CAP,
        visible=visible_sql,
    )
    params = [user.pk, user.date_joined, user.pk, user.pk, *visible_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    links = [
        RoomLink(*row[:7], level=row[7] or Subscription.EVERYTHING, unread=row[8], mentions=row[9])
        for row in rows
    ]
    label_direct_messages(links, user)
    return links


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
    links = room_links(user, Room.objects.filter(pk=room_id))
    return links[0] if links else None
