"""Events for open sockets, each naming the Channels group that carries it to its processes."""


def room_group(room_id):
    # Channels group names must be short ASCII: name groups by key, never by slug.
    return f"room-{room_id}"


def user_group(user_id):
    return f"user-{user_id}"


def room_event(kind, room_id, **content):
    """An event for a room's sockets: its type (the consumer's handler), its room and group."""
    return {"type": kind, "group": room_group(room_id), "room": room_id, **content}


def user_event(kind, user_id, **content):
    """An event for every socket of one user, whatever room it is open on."""
    return {"type": kind, "group": user_group(user_id), **content}


# Every signed-in socket, whatever its room and user: for what concerns them all (a new public
# room), one group rather than one event per user.
SIGNED_IN_GROUP = "signed-in"


def signed_in_event(kind, **content):
    return {"type": kind, "group": SIGNED_IN_GROUP, **content}
