from django.conf import settings
from django.db import models
from django.urls import reverse

MESSAGE_MAX_LENGTH = 4000


class RoomQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rooms `user` may read and post in: every public room, and private ones they
        are a member of. To everyone else a private room does not exist."""
        if not user.is_authenticated:
            return self.filter(is_private=False)
        # A subquery, not a join: a join on members would repeat each public room.
        return self.filter(
            models.Q(is_private=False) | models.Q(pk__in=user.private_rooms.values("pk"))
        )


class Room(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_private = models.BooleanField(
        "private", default=False, help_text="Only its members can find, read and post in it."
    )
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

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            # Also the index behind "latest N of a room" and "after seq X in a room".
            models.UniqueConstraint(fields=["room", "seq"], name="message_room_seq_unique"),
        ]

    def __str__(self):
        return f"{self.author} in {self.room}: {self.body[:40]}"

    @property
    def dom_id(self):
        return f"message-{self.pk}"


class Presence(models.Model):
    """A socket open on a room page. Rows left by a process that died expire."""

    socket_name = models.CharField(max_length=200, primary_key=True)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
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
