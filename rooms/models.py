from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from rooms.time_zones import DEFAULT as DEFAULT_ZONE
from rooms.time_zones import choices as zone_choices

MESSAGE_MAX_LENGTH = 4000
DIRECT_ROOMS_HAVE_TWO = (
    "A direct-message room stays private between its two members and never gains another."
)
# What a message can be boosted with: (emoji, its name for screen readers and titles).
REACTIONS = [
    ("👍", "thumbs up"),
    ("❤️", "heart"),
    ("😂", "laughing"),
    ("🎉", "party"),
    ("👀", "eyes"),
]


class RoomQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rooms `user` may read and post in: every public room, and private ones they
        are a member of. To everyone else a private room does not exist."""
        if not user.is_authenticated:
            return self.filter(is_private=False)
        # A subquery, not a join: a join on members would repeat each public room.
        member_of = Room.members.through.objects.filter(user_id=user.pk).values("room_id")
        return self.filter(models.Q(is_private=False) | models.Q(pk__in=member_of))

    def readers(self, user_ids):
        """Who among `user_ids` may read which of these rooms: visible_to's rule, for many
        rooms and users in two queries. Guests (None) read the public rooms."""
        public = set(self.filter(is_private=False).values_list("pk", flat=True))
        members = Room.members.through.objects.filter(
            room__in=self.filter(is_private=True), user_id__in=user_ids
        )
        return Readers(public, set(members.values_list("room_id", "user_id")))


def visible_to_sql(room):
    """visible_to's rule for one signed-in user (the query parameter) as a condition on `room`
    (the room table or its alias), for statements written in SQL (rooms/posting.py, unread.py)."""
    members = Room.members.through._meta.db_table
    return (
        f"(NOT {room}.is_private OR {room}.id IN "
        f"(SELECT room_id FROM {members} WHERE user_id = %s))"
    )


class Readers:
    def __init__(self, public_rooms, memberships):
        self.public_rooms = public_rooms
        self.memberships = memberships  # (room pk, user pk) pairs of private rooms

    def may_read(self, room_id, user_id):
        return room_id in self.public_rooms or (room_id, user_id) in self.memberships


class Room(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_private = models.BooleanField(
        "private", default=False, help_text="Only its members can find, read and post in it."
    )
    # Direct messages: a private room of exactly two members that never gains another
    # (rooms/direct.py; the rule itself is in rooms/signals.py).
    is_direct = models.BooleanField("direct messages", default=False, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="private_rooms"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The position of the room's newest message: posting takes the next one under a
    # row lock, so per room seq order is commit order and has no holes but deletions.
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.is_direct and not self.is_private:
            raise ValidationError(DIRECT_ROOMS_HAVE_TWO)
        # Only posting writes last_seq, naming it in update_fields under the room's row lock:
        # any other save holds a copy read earlier, and writing that back rolls the counter back.
        updates_a_stored_room = not (self._state.adding or kwargs.get("force_insert"))
        if updates_a_stored_room and kwargs.get("update_fields") is None:
            unwritten = self.get_deferred_fields() | {"last_seq"}
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname not in unwritten
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("rooms:room", args=[self.slug])


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The room position of the message's latest change (its posting, an edit, a reaction): a
    # page's catch-up sends every message changed after the page's position.
    changed_seq = models.PositiveBigIntegerField(editable=False)
    reaction_choices = REACTIONS

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            # Also the index behind "latest N of a room" and "after seq X in a room".
            models.UniqueConstraint(fields=["room", "seq"], name="message_room_seq_unique"),
        ]
        indexes = [models.Index(fields=["room", "changed_seq"], name="message_room_changed")]

    def __str__(self):
        return f"{self.author} in {self.room}: {self.body[:40]}"

    def save(self, *args, **kwargs):
        if self.changed_seq is None:
            self.changed_seq = self.seq  # last changed when it was posted
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("rooms:message", args=[self.room.slug, self.pk])

    @property
    def dom_id(self):
        return f"message-{self.pk}"

    def mentioned(self):
        """The users the message mentions (rooms/mentions.py), by name."""
        return sorted((mention.user for mention in self.named_mentions()), key=str)

    def mention_keys(self):
        """Whom the message mentions, as the viewer's stylesheet names users."""
        return " ".join(f"u{mention.user_id}" for mention in self.named_mentions())

    def named_mentions(self):
        # A body without "@" names nobody: no query for it, prefetched or not.
        return self.mentions.all() if "@" in self.body else []

    def reaction_groups(self):
        """A ReactionGroup per emoji reacted with, in REACTIONS order."""
        if self.changed_seq == self.seq:
            return []  # a message never changed has no reactions: no query for it
        users = {}
        for reaction in self.reactions.all():
            users.setdefault(reaction.emoji, []).append(reaction.user)
        return [
            ReactionGroup(emoji, name, users[emoji]) for emoji, name in REACTIONS if emoji in users
        ]


@dataclass
class ReactionGroup:
    emoji: str
    name: str
    users: list

    @property
    def names(self):
        return ", ".join(user.get_username() for user in self.users)

    @property
    def viewer_keys(self):
        """Who reacted, as the viewer's stylesheet names users (rooms/views.py viewer_css)."""
        return " ".join(f"u{user.pk}" for user in self.users)


class Reaction(models.Model):
    """One user's boost of a message with one of REACTIONS."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_unique"),
        ]

    def __str__(self):
        return f"{self.user} {self.emoji} message {self.message_id}"


class Removal(models.Model):
    """A message's deletion, at its position in the room: pages that missed it learn of it."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="removals")
    seq = models.PositiveBigIntegerField()
    message_pk = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="removal_room_seq_unique"),
        ]

    def __str__(self):
        return f"message {self.message_pk} removed at {self.seq} in room {self.room_id}"


class Presence(models.Model):
    """A socket open on a room page. Rows left by a process that died expire."""

    socket_name = models.CharField(max_length=200, primary_key=True)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The client's address (from the proxy's X-Forwarded-For), which sockets are capped by.
    address = models.GenericIPAddressField(null=True, db_index=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.user or 'a guest'} in {self.room_id} via {self.socket_name}"


class UsernameSkeleton(models.Model):
    """A digest of one way a user's name may be read (rooms/usernames.py): a new name that
    reads the same is refused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="username_skeletons"
    )
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="username_skeleton_unique"),
        ]

    def __str__(self):
        return f"{self.user}: {self.digest[:12]}"


class Subscription(models.Model):
    """A user's place in a room: how far they have read it, and what they want to hear of it.

    A user with no row has read nothing posted before they joined (rooms/unread.py)."""

    EVERYTHING, MENTIONS, NOTHING = "all", "mentions", "none"
    LEVELS = [
        (EVERYTHING, "Everything"),
        (MENTIONS, "Mentions only"),
        (NOTHING, "Nothing"),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="subscriptions")
    # The room position the user was last shown: messages after it are unread.
    read_seq = models.PositiveBigIntegerField(default=0)
    level = models.CharField(max_length=8, choices=LEVELS, default=EVERYTHING)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "room"], name="subscription_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.room_id}: read to {self.read_seq}, {self.level}"


class Mention(models.Model):
    """`@username` in a message, of a user who may read its room; gone with the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    # The message's room and seq, copied so a user's unread mentions per room are one index range.
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="mention_unique"),
        ]
        indexes = [models.Index(fields=["user", "room", "seq"], name="mention_user_room_seq")]

    def __str__(self):
        return f"{self.user} in message {self.message_id}"


class Profile(models.Model):
    """What Socico keeps about a user beyond Django's User (their email address is there)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # When an email about what they missed is due (rooms/away_email.py); None: none pending.
    email_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Messages created up to then were in an email already.
    emailed_through = models.DateTimeField(null=True, blank=True)
    # Every time the user sees is shown in it (rooms/time_zones.py).
    time_zone = models.CharField(max_length=64, default=DEFAULT_ZONE, choices=zone_choices)

    def __str__(self):
        return f"{self.user}'s profile"
