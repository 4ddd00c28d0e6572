"""Direct messages: a private room of exactly two users, made when one first opens it, that
never gains a member (rooms/signals.py refuses a third), so every path's privacy rule,
Room.objects.visible_to, keeps everyone else out."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from rooms.models import Room


def direct_room(user, other):
    """The direct-message room of the two users, made if they have none yet."""
    first, second = sorted([user, other], key=lambda person: person.pk)
    slug = f"dm-{first.pk}-{second.pk}"  # by key: a rename changes no room
    room = Room.objects.filter(slug=slug, is_direct=True).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            room = Room.objects.create(
                name=f"{first.get_username()} and {second.get_username()}",
                slug=slug,
                is_private=True,
                is_direct=True,
            )
            room.members.add(first, second)
    except IntegrityError:  # both opened it at once: the other made it
        room = Room.objects.get(slug=slug, is_direct=True)
    return room


@require_safe
@login_required
def open_direct_room(request, username):
    other = get_object_or_404(get_user_model(), username=username)
    if other.pk == request.user.pk:
        context = {
            "reason": "You cannot send direct messages to yourself.",
            "back": reverse("rooms:index"),
            "back_text": "Back to the rooms",
        }
        return render(request, "rooms/refused.html", context, status=400)
    room = direct_room(request.user, other)
    return HttpResponseRedirect(room.get_absolute_url(), status=303)
