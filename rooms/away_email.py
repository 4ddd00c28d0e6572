"""One email to a user who was mentioned or sent a direct message and had no page open to see it.

Posting such a message makes an email due SOCICO_NOTIFY_AFTER later (unless one is due
already: one email per window, whatever the number of messages). Each process sweeps for due
emails; a process claims one with a compare-and-set UPDATE that exactly one process wins, on
SQLite and PostgreSQL alike, so with several processes each email is sent once. The claim is a
lease: an email whose process died before sending it is sent by another later. At its time, a
user with a page open is asked again later; otherwise what they have still not read is sent.
"""

import asyncio
import logging
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.mail import send_mail
from django.db import close_old_connections
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from rooms import time_zones
from rooms.loops import per_loop
from rooms.models import Message, Profile, Room, Subscription
from rooms.presence import alive

# Listed in one email at most; the rest wait in the sidebar.
MESSAGES_LISTED = 50
# Users emailed per sweep of one process; the next sweep takes the rest.
USERS_PER_SWEEP = 100
# How long past the notice delay a claimed email waits for its process before another takes it.
CLAIM_LEASE_SECONDS = 300

logger = logging.getLogger(__name__)


def expect_to_notify(user_ids):
    """Make an email due for each of these users, unless one is due already (in the posting's
    transaction: a message rolled back makes none)."""
    if not user_ids:
        return
    Profile.objects.bulk_create([Profile(user_id=pk) for pk in user_ids], ignore_conflicts=True)
    due = timezone.now() + timedelta(seconds=settings.NOTIFY_AFTER_SECONDS)
    # Past any due time is a claim's lease, whose email may have been read out already.
    pending = Q(email_due_at=None) | Q(email_due_at__gt=due)
    Profile.objects.filter(pending, user_id__in=user_ids).update(email_due_at=due)


def send_due_emails():
    """Send every email due now that this process wins; the number sent."""
    now = timezone.now()
    due = Profile.objects.filter(email_due_at__lte=now).select_related("user")
    return sum(notify(profile, now) for profile in due[:USERS_PER_SWEEP] if claim(profile, now))


def claim(profile, now=None):
    """Take the email for this process: exactly one UPDATE finds the due time it read.

    The claim is a lease: if this process dies before the email is sent, a sweep takes it again
    once the lease runs out. It outlasts the notice delay, so expect_to_notify tells it apart."""
    lease = (now or timezone.now()) + timedelta(
        seconds=settings.NOTIFY_AFTER_SECONDS + CLAIM_LEASE_SECONDS
    )
    claimed = Profile.objects.filter(pk=profile.pk, email_due_at=profile.email_due_at)
    if claimed.update(email_due_at=lease) != 1:
        return False
    profile.email_due_at = lease
    return True


def release(profile, email_due_at=None, **done):
    """End the claim (unless a message since made the next email due)."""
    claimed = Profile.objects.filter(pk=profile.pk, email_due_at=profile.email_due_at)
    if not claimed.update(email_due_at=email_due_at, **done) and done:
        Profile.objects.filter(pk=profile.pk).update(**done)


def notify(profile, now):
    user = profile.user
    missed = list(missed_messages(user, since=profile.emailed_through)[:MESSAGES_LISTED])
    if not missed:
        release(profile)  # read meanwhile, or muted
        return 0
    if alive().filter(user=user).exists():
        # A page is open: its sidebar shows them. Asked again after another delay.
        release(profile, now + timedelta(seconds=settings.NOTIFY_AFTER_SECONDS))
        return 0
    if user.email:
        context = {"user": user, "missed": missed, "site": settings.SITE_URL}
        with timezone.override(time_zones.zone(time_zones.valid(profile.time_zone))):
            text = render_to_string("rooms/away_email.txt", context)
        send_mail(
            subject=f"You missed {len(missed)} message{'s' if len(missed) > 1 else ''} on Socico",
            message=text,
            from_email=None,
            recipient_list=[user.email],
        )
    # Only once sent: a process dying before this leaves the lease to run out and the email
    # to be sent by another.
    release(profile, emailed_through=missed[-1].created_at)
    return 1 if user.email else 0


def missed_messages(user, since=None):
    """The messages mentioning `user` or sent to them directly that they have not read, in
    rooms they can see and have not silenced, oldest first."""
    place = Subscription.objects.filter(user=user, room=OuterRef("room"))
    messages = (
        Message.objects.filter(room__in=Room.objects.visible_to(user))
        .exclude(author=user)
        .filter(Q(mentions__user=user) | Q(room__is_direct=True))
        .annotate(
            read_seq=Subquery(place.values("read_seq")),
            # A room never set is heard of in full.
            level=Coalesce(Subquery(place.values("level")), Value(Subscription.EVERYTHING)),
        )
        .exclude(level=Subscription.NOTHING)
        .filter(Q(read_seq=None, created_at__gt=user.date_joined) | Q(seq__gt=F("read_seq")))
    )
    if since is not None:
        messages = messages.filter(created_at__gt=since)
    return messages.select_related("author", "room").order_by("created_at", "pk").distinct()


class Sweeper:
    """This process's periodic look for due emails, from its first request on."""

    def __init__(self):
        self.task = None

    def start(self):
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.run())

    async def run(self):
        while True:
            await asyncio.sleep(settings.NOTIFY_SWEEP_SECONDS)
            try:
                await sweep()
            except Exception:
                logger.exception("Sending the away emails failed")


# Off the sockets' database thread: a slow mail server holds up no page.
@sync_to_async(thread_sensitive=False)
def sweep():
    close_old_connections()
    try:
        return send_due_emails()
    finally:
        close_old_connections()


sweeper = per_loop(Sweeper)


def sweeping(application):
    """`application`, with this process's sweep started by its first connection: the embedded
    default needs no other server nor a cron job."""

    async def app(scope, receive, send):
        if scope["type"] != "lifespan":
            sweeper().start()
        return await application(scope, receive, send)

    return app
