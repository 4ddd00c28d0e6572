"""Each request in its user's time zone, for what is rendered per viewer (search results, the
mentions page, the viewer's stylesheet); fragments shared by all carry every zone in use.

The zone is kept in the session, which every request reads anyway: no query per request. A
login writes it there (rooms/signals.py) and so does the profile page when it changes; a
session older than time zones reads it once from the profile.
"""

from django.utils import timezone

from rooms import time_zones
from rooms.models import Profile

SESSION_KEY = "time_zone"


def local_time_middleware(get_response):
    def middleware(request):
        timezone.activate(time_zones.zone(zone_of(request)))
        try:
            return get_response(request)
        finally:
            # The thread serves other users next (config/http.py).
            timezone.deactivate()

    return middleware


def zone_of(request):
    """The visitor's zone: from the session, else the profile's, else UTC for guests."""
    zone = request.session.get(SESSION_KEY)
    if zone is not None:
        return time_zones.valid(zone)
    if not request.user.is_authenticated:
        return time_zones.DEFAULT
    zone = chosen_zone(request.user)
    remember(request, zone)
    return zone


def chosen_zone(user):
    chosen = Profile.objects.filter(user=user).values_list("time_zone", flat=True)
    return time_zones.valid(chosen.first())


def remember(request, zone):
    request.session[SESSION_KEY] = zone
