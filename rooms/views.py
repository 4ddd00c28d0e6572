from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from rooms import history, presence
from rooms.broadcast import BroadcastFailed
from rooms.forms import MessageForm
from rooms.models import Room
from rooms.posting import post_message


def index(request):
    rooms = Room.objects.annotate(message_count=Count("messages"))
    return render(request, "rooms/index.html", {"rooms": rooms})


def room(request, slug, form=None, status=200):
    room = get_object_or_404(Room, slug=slug)
    context = {
        "room": room,
        "page": history.page_before(room),
        "form": form or MessageForm(),
        "here": presence.here(room.pk),
    }
    return render(request, "rooms/room.html", context, status=status)


def older_messages(request, slug):
    room = get_object_or_404(Room, slug=slug)
    try:
        before = int(request.GET["before"])
    except (KeyError, ValueError):
        before = None
    context = {"room": room, "page": history.page_before(room, before)}
    template = "rooms/_history_page.html" if request.htmx else "rooms/history.html"
    return render(request, template, context)


@require_POST
def post(request, slug):
    target = get_object_or_404(Room, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(target.get_absolute_url())
    form = MessageForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"form": form, "room": target}
            return render(request, "rooms/_composer.html", context, status=422)
        return room(request, slug, form=form, status=422)
    try:
        message = post_message(target, request.user, form.cleaned_data["body"])
    except BroadcastFailed as failure:
        # Saved; the page this answers shows it, open sockets catch up.
        message = failure.message
    if request.htmx:
        return render(request, "rooms/_message.html", {"message": message})
    return HttpResponseRedirect(f"{target.get_absolute_url()}#{message.dom_id}", status=303)
