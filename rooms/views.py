from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_cookie, vary_on_headers

from rooms import history, presence, time_zones
from rooms.forms import composer_forms, message_form
from rooms.fragments import message_html
from rooms.limits import RateLimited
from rooms.mentions import with_mentioned_users
from rooms.models import Mention, Room
from rooms.posting import NotAllowed, post_message
from rooms.read_positions import mark_read, read_position
from rooms.search import search
from rooms.search_query import SearchForm
from rooms.sidebar import sidebar_context

MENTIONS_SHOWN = 100


def visible_room(request, slug):
    """The room, if this visitor may see it; a 404 otherwise, private or not."""
    return get_object_or_404(Room.objects.visible_to(request.user), slug=slug)


@require_safe
def index(request):
    rooms = Room.objects.visible_to(request.user).filter(is_direct=False)
    context = {"rooms": rooms.annotate(message_count=Count("messages"))}
    return render(request, "rooms/index.html", context | sidebar_context(request.user))


@require_safe
def room(request, slug):
    return room_page(request, visible_room(request, slug))


def room_page(request, room, page=None, form=None, status=200, **context):
    """A live room page: the newest messages, or `page`; `room` read before either, so the
    position its #last-seq holds is no later than what the page shows.

    The room counts as read up to what the page shows, and a divider marks where the viewer
    had read to before."""
    page = page or history.page_before(room)
    page.read_seq = read_position(request.user, room.pk)
    shown_through = page.last_seq if page.has_newer else room.last_seq
    if page.read_seq is None or shown_through > page.read_seq:  # a reload writes nothing
        mark_read(request.user, room.pk, shown_through)
    context |= sidebar_context(request.user, current=room.pk)
    context |= {
        "room": room,
        "page": page,
        "composer": composer_forms(form),
        "here": presence.here(room.pk),
    }
    return render(request, "rooms/room.html", context, status=status)


@require_safe
@vary_on_headers("HX-Request")  # a fragment for htmx, a page otherwise: caches keep both
def older_messages(request, slug):
    room = visible_room(request, slug)
    if (after := whole_number(request.GET.get("after"))) is not None:
        page = history.page_after(room, after)
    else:
        page = history.page_before(room, whole_number(request.GET.get("before")))
    context = {"room": room, "page": page}
    template = "rooms/_history_page.html" if request.htmx else "rooms/history.html"
    return render(request, template, context)


def whole_number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def refused(request, target, form, error=None, status=422):
    """The composer again, with its text and the reason it was not posted by its field."""
    if error:
        form.add_error("body", error)
    if request.htmx:
        context = {"form": form, "room": target}
        return render(request, "rooms/_composer.html", context, status=status)
    return room_page(request, target, form=form, status=status)


@require_POST
def post(request, slug):
    target = visible_room(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(target.get_absolute_url())
    form = message_form(request.POST)
    if not form.is_valid():
        return refused(request, target, form)
    try:
        message = post_message(target, request.user, form.cleaned_data["body"])
    except RateLimited as limited:
        return refused(request, target, form, error=str(limited), status=429)
    except NotAllowed:
        raise Http404 from None
    if request.htmx:
        return HttpResponse(message_html([message]))
    # The message's permalink: found even when it is no longer among the newest.
    return HttpResponseRedirect(f"{message.get_absolute_url()}#{message.dom_id}", status=303)


@require_safe
@login_required
def mentions(request):
    """The messages that mention the user in rooms they can still see, newest first."""
    found = Mention.objects.filter(
        user=request.user, room__in=Room.objects.visible_to(request.user)
    )
    found = found.select_related("message__author", "message__room").prefetch_related(
        with_mentioned_users("message__mentions")
    )
    context = {"mentions": found.order_by("-message__created_at", "-pk")[:MENTIONS_SHOWN]}
    return render(request, "rooms/mentions.html", context | sidebar_context(request.user))


@require_safe
@vary_on_cookie
def viewer_css(request):
    """What differs per viewer in fragments rendered once for all: their reactions, their
    mentions, their local times. The strict CSP allows a stylesheet from us,
    not inline style. Its address names the zone, so a zone changed is not served stale."""
    zone = timezone.get_current_timezone_name()  # the session's (rooms/local_time.py)
    shown = zone != time_zones.DEFAULT  # UTC's times show without it
    context = {"zone": zone, "zone_class": shown and time_zones.css_class(zone)}
    response = render(request, "rooms/viewer.css", context, content_type="text/css")
    patch_cache_control(response, private=True, max_age=3600)
    return response


@require_safe
@vary_on_headers("HX-Request")  # the results for htmx, a page otherwise: caches keep both
def search_messages(request):
    form = SearchForm(request.GET)
    results = None
    if form.is_valid():
        results = search(request.user, form.cleaned_data["q"], form.cleaned_data["before"])
    # htmx restoring a page its history cache lacks sends HX-Request too, and wants the page.
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "rooms/_search_results.html" if fragment else "rooms/search.html"
    return render(request, template, {"form": form, "results": results})
