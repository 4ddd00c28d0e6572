from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from rooms import broadcast, local_time, posting
from rooms.models import DIRECT_ROOMS_HAVE_TWO, Message, Profile, Room
from rooms.time_zones import zones_in_use
from rooms.usernames import remember_skeletons


@receiver(post_delete, sender=Message)
def give_the_deletion_its_place(sender, instance, origin, **kwargs):
    # Every deletion (the author's, staff's, the admin's, a deleted user's messages) takes its
    # room's next position, so pages that missed it learn of it; not when the room goes too.
    if not isinstance(origin, Room) and getattr(origin, "model", None) is not Room:
        posting.record_removal(instance)


@receiver(post_save, sender=Room)
def recheck_access_after_a_room_edit(sender, instance, created, update_fields, **kwargs):
    # Every post saves last_seq alone; any other edit may have made the room private.
    if not created and update_fields != frozenset({"last_seq"}):
        public = not instance.is_private
        transaction.on_commit(partial(broadcast.access_changed, instance.pk, public))


@receiver(m2m_changed, sender=Room.members.through)
def recheck_access_after_members_leave(sender, instance, action, reverse, pk_set, **kwargs):
    # Before a clear, while it still says which rooms it empties.
    if action == "post_remove":
        room_ids = pk_set if reverse else {instance.pk}
    elif action == "pre_clear":
        room_ids = (
            set(instance.private_rooms.values_list("pk", flat=True)) if reverse else {instance.pk}
        )
    else:
        return
    for room_id in room_ids:
        transaction.on_commit(partial(broadcast.access_changed, room_id))


@receiver(post_save, sender=Room)
def show_a_public_room_to_everyone(sender, instance, update_fields, **kwargs):
    # Created public or made public: open pages that lack it add it (the others ignore this).
    if not instance.is_private and update_fields != frozenset({"last_seq"}):
        transaction.on_commit(partial(broadcast.room_shown, instance.pk))


@receiver(m2m_changed, sender=Room.members.through)
def show_a_private_room_to_its_new_members(sender, instance, action, reverse, pk_set, **kwargs):
    # A direct message's first opening adds both members: the other one's pages learn of it.
    if action != "post_add" or not pk_set:
        return
    pairs = (
        [(room_id, instance.pk) for room_id in pk_set]
        if reverse
        else [(instance.pk, user_id) for user_id in pk_set]
    )
    for room_id, user_id in pairs:
        transaction.on_commit(partial(broadcast.room_shown, room_id, [user_id]))


@receiver(m2m_changed, sender=Room.members.through)
def direct_rooms_never_gain_members(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "pre_add":
        return
    if reverse:  # user.private_rooms.add(room, ...)
        rooms, joining = Room.objects.filter(pk__in=pk_set, is_direct=True), {instance.pk}
    else:
        rooms, joining = ([instance] if instance.is_direct else []), pk_set
    for room in rooms:
        if len(set(room.members.values_list("pk", flat=True)) | joining) > 2:
            raise ValidationError(DIRECT_ROOMS_HAVE_TWO)


@receiver(user_logged_in)
def keep_the_time_zone_in_the_session(sender, request, user, **kwargs):
    # Saved with the session the login writes anyway: no query per request after it.
    if request is not None and hasattr(request, "session"):
        local_time.remember(request, local_time.chosen_zone(user))


@receiver(user_logged_out)
def end_the_sockets_of_a_logout(sender, request, user, **kwargs):
    if user is not None:
        transaction.on_commit(partial(broadcast.logged_out, user.pk))


@receiver(post_save, sender=get_user_model())
def remember_the_username_skeletons(sender, instance, update_fields, **kwargs):
    # A login saves last_login alone; anything else may have renamed the user.
    if update_fields is None or "username" in update_fields:
        remember_skeletons(instance)


@receiver(post_save, sender=Profile)
def render_times_in_a_newly_chosen_zone(sender, instance, update_fields, **kwargs):
    # In this process at once; others within time_zones.IN_USE_SECONDS.
    if update_fields is None or "time_zone" in update_fields:
        zones_in_use.forget_on_commit()
