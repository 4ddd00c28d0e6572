"""The time zones a user may choose, and the ones in use, which every message's times are
rendered in at once (the page's CSS shows the viewer's: templates/rooms/viewer.css).

The list is tzdb's zone.tab (a zone or more per country, current names: Asia/Kolkata, never
the old alias Asia/Calcutta) under the continents and oceans, plus UTC.
"""

import zoneinfo
from contextlib import suppress
from datetime import UTC, datetime
from functools import cache
from hashlib import blake2b
from importlib import resources
from pathlib import Path
from threading import Lock
from time import monotonic

from django.db import transaction

DEFAULT = "UTC"
AREAS = {
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
# Another process's profile saves reach this one's set within it.
IN_USE_SECONDS = 60


@cache
def names():
    """Every zone offered, sorted: UTC first, then Area/City names."""
    available = zoneinfo.available_timezones()
    listed = zone_tab() or available
    areas = sorted(name for name in listed if name in available and name.split("/")[0] in AREAS)
    return (DEFAULT, *areas)


@cache
def offered():
    return frozenset(names())


def valid(name):
    """`name` if it is offered, else UTC (a value written past the form, a zone tzdb dropped)."""
    return name if name in offered() else DEFAULT


@cache
def zone(name):
    """ZoneInfo(name), kept: ZoneInfo's own cache holds eight, and reading a zone's file
    again costs a fifth of a millisecond."""
    return zoneinfo.ZoneInfo(name)


def zone_tab():
    """The zone names of tzdb's zone.tab, from the system's tzdb or the tzdata package."""
    places = [Path(directory) / "zone.tab" for directory in zoneinfo.TZPATH]
    with suppress(ModuleNotFoundError):
        places.append(resources.files("tzdata") / "zoneinfo" / "zone.tab")
    for place in places:
        if place.is_file():
            lines = place.read_text(encoding="utf-8").splitlines()
            return {line.split("\t")[2] for line in lines if line and not line.startswith("#")}
    return None


def choices():
    """The form's choices: UTC, then each area's cities with their offset now, readably."""
    now = datetime.now(UTC)
    groups = {}
    for name in names()[1:]:
        area, _, place = name.partition("/")
        label = f"{place.replace('_', ' ').replace('/', ' / ')} ({offset_label(now, name)})"
        groups.setdefault(area, []).append((name, label))
    return [(DEFAULT, "UTC"), *groups.items()]


def offset_label(moment, name):
    minutes = int(moment.astimezone(zone(name)).utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"


@cache
def css_class(name):
    """The class that marks a time as shown in zone `name`: tz-america-new-york."""
    return "tz-" + name.lower().replace("/", "-").replace("_", "-")


def local_times(moment, zones):
    """`moment` in each of `zones`, one per distinct way they show it (offset and
    abbreviation at that instant: DST makes it per instant, not per zone), UTC's first:
    a list of (the moment there, the zones that show it so)."""
    shown = {}
    for name in zones:
        local = moment.astimezone(zone(name))
        shown.setdefault((local.utcoffset(), local.tzname()), (local, []))[1].append(name)
    return sorted(shown.values(), key=lambda way: (DEFAULT not in way[1], way[0].utcoffset()))


class ZonesInUse:
    """The distinct zones users have chosen, and UTC, read at most every IN_USE_SECONDS per
    process; a profile saved in this process clears it at once."""

    def __init__(self):
        self.lock = Lock()
        self.zones = None
        self.read_at = 0.0

    def __call__(self):
        with self.lock:
            if self.zones is not None and monotonic() - self.read_at < IN_USE_SECONDS:
                return self.zones
        zones = Zones(self.read())
        with self.lock:
            self.zones, self.read_at = zones, monotonic()
        return zones

    @staticmethod
    def read():
        from rooms.models import Profile

        chosen = Profile.objects.values_list("time_zone", flat=True).distinct()
        return {DEFAULT} | (set(chosen) & offered())

    def forget(self):
        with self.lock:
            self.zones = None

    def forget_on_commit(self):
        # After the commit: a read before it would find the old set and keep it.
        transaction.on_commit(self.forget)


class Zones(tuple):
    """Zone names, sorted, with a short `key` for the caches of what is rendered in them."""

    def __new__(cls, zones):
        return super().__new__(cls, sorted(zones))

    def __init__(self, zones):
        self.key = blake2b("\n".join(self).encode(), digest_size=6).hexdigest()


zones_in_use = ZonesInUse()
