"""Room sockets are capped per user and per client address, under concurrency too."""

import asyncio

import pytest

from rooms.consumers import CLOSE_TOO_MANY_SOCKETS, CLOSE_TRY_AGAIN_LATER
from rooms.models import Presence

pytestmark = pytest.mark.django_db(transaction=True)


async def refused_with(socket):
    """The close code a socket was refused with, or None if it stays open."""
    while not await socket.receive_nothing(timeout=0.5):
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            return output["code"]
    return None


async def test_sockets_opened_at_once_for_one_user_stay_within_the_cap(
    connect, room, alice, settings
):
    settings.MAX_SOCKETS_PER_USER = 20

    opening = (connect(user=alice, resume=False, handshake_seconds=30) for _ in range(40))
    sockets = await asyncio.gather(*opening)

    codes = [await refused_with(socket) for socket in sockets]
    assert set(codes) == {None, CLOSE_TOO_MANY_SOCKETS}
    assert codes.count(None) == 20, "the cap, no more and no fewer"
    assert await Presence.objects.filter(user=alice).acount() == codes.count(None)


async def test_guests_from_one_address_are_capped_and_others_still_get_in(
    connect, room, alice, settings
):
    settings.MAX_SOCKETS_PER_ADDRESS = 3
    for _ in range(2):
        await connect(address="203.0.113.7", resume=False)
    await connect(user=alice, address="203.0.113.7", resume=False)  # users count there too

    fourth = await connect(address="203.0.113.7", resume=False)

    assert "Too many pages are open from your network address" in await fourth.receive_from()
    assert (await fourth.receive_output())["code"] == CLOSE_TOO_MANY_SOCKETS
    elsewhere = await connect(address="198.51.100.2", resume=False)
    assert await refused_with(elsewhere) is None


async def test_handshakes_from_one_address_are_rate_limited_with_a_code_htmx_retries(
    connect, room, settings
):
    settings.CONNECT_RATE = (3, 60)
    for _ in range(3):
        socket = await connect(address="203.0.113.9", resume=False)
        await socket.disconnect()

    churning = await connect(address="203.0.113.9", resume=False)

    assert "Too many connections from your address" in await churning.receive_from()
    assert (await churning.receive_output())["code"] == CLOSE_TRY_AGAIN_LATER
