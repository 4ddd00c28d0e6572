"""One message: its permalink, its actions menu, and what its author (or anyone, for
reactions) may change.

Each change answers a form post with a 303 (to the permalink, or the room after a deletion) and
an htmx request with nothing to swap but an edit form: every page, the changer's too, gets the
change from its room's broadcast (rooms/posting.py).
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from rooms import history, posting
from rooms.forms import EditForm
from rooms.fragments import message_html
from rooms.limits import RateLimited
from rooms.models import Message
from rooms.views import room_page, visible_room


def visible_message(request, slug, pk):
    """The message, if this visitor may see its room; a 404 otherwise."""
    room = visible_room(request, slug)
    return get_object_or_404(Message.objects.select_related("room", "author"), room=room, pk=pk)


@require_safe
@vary_on_headers("HX-Request")  # htmx asks for the message alone (an edit cancelled)
def message(request, slug, pk):
    shown = visible_message(request, slug, pk)
    if request.htmx:
        return render(request, "rooms/_message_body.html", {"message": shown})
    page = history.page_around(shown.room, shown.seq, current=shown.pk)
    return room_page(request, shown.room, page=page, permalink=shown)


@require_safe
@vary_on_headers("HX-Request")  # htmx asks for the menu alone, into the message's "···"
def actions(request, slug, pk):
    """What this visitor may do to the message: asked when its menu opens, so the fragment
    every page is sent carries none of it."""
    acting = visible_message(request, slug, pk)
    context = {
        "message": acting,
        "may_edit": posting.may_edit(acting, request.user),
        "may_delete": posting.may_delete(acting, request.user),
    }
    if request.htmx:
        return render(request, "rooms/_message_menu.html", context)
    context["message_html"] = message_html([acting])
    return render(request, "rooms/message_actions.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def edit(request, slug, pk):
    editing = visible_message(request, slug, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not posting.may_edit(editing, request.user):
        return refused(request, "You can only edit your own messages.", 403)
    form = EditForm(request.POST or None, instance=editing, prefix="edit")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            body = form.cleaned_data["body"]
            changed = attempt(request, posting.edit_message, editing, request.user, body)
            if isinstance(changed, HttpResponse):
                return changed
            if request.htmx:
                return render(request, "rooms/_message_body.html", {"message": changed})
            return HttpResponseRedirect(editing.get_absolute_url(), status=303)
        status = 422
    template = "rooms/_edit_form.html" if request.htmx else "rooms/edit.html"
    context = {"room": editing.room, "message": editing, "form": form}
    return render(request, template, context, status=status)


@require_POST
def delete(request, slug, pk):
    deleting = visible_message(request, slug, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(deleting.get_absolute_url())
    failed = attempt(request, posting.delete_message, deleting, request.user)
    return failed or done(request, deleting.room.get_absolute_url())


@require_POST
def react(request, slug, pk):
    reacting = visible_message(request, slug, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reacting.get_absolute_url())
    emoji = request.POST.get("emoji", "")
    failed = attempt(request, posting.toggle_reaction, reacting, request.user, emoji)
    return failed or done(request, reacting.get_absolute_url())


def attempt(request, change, *args):
    """Make the change; a response saying why not if it was refused."""
    try:
        return change(*args)
    except posting.NotAllowed:
        raise Http404 from None
    except posting.NotYours as refusal:
        return refused(request, str(refusal), 403)
    except RateLimited as limited:
        return refused(request, str(limited), 429)
    except ValueError as invalid:
        return refused(request, str(invalid), 400)


def done(request, location):
    if request.htmx:
        return HttpResponse(status=204)  # the room's broadcast shows the change
    return HttpResponseRedirect(location, status=303)


def refused(request, reason, status):
    """Why a change was refused: a page, or for htmx the page's status line."""
    if request.htmx:
        response = render(request, "rooms/_status.html", {"text": reason}, status=status)
        return reswap(retarget(response, "#connection-status"), "outerHTML")
    back = request.resolver_match.kwargs
    context = {"reason": reason, "back": reverse("rooms:message", args=[back["slug"], back["pk"]])}
    return render(request, "rooms/refused.html", context, status=status)
