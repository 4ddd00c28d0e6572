"""The embedded channel layer keeps the stock layer's contract at constant cost per delivery."""

import asyncio

from rooms import layers
from rooms.layers import InProcessChannelLayer


async def test_every_member_of_a_group_gets_the_event():
    layer = InProcessChannelLayer()
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("room-1", channel)

    await layer.group_send("room-1", {"type": "room.message", "seq": 1})

    received = await asyncio.gather(*(layer.receive(channel) for channel in channels))
    assert received == [{"type": "room.message", "seq": 1}] * 3


async def test_a_channel_over_capacity_misses_events_and_the_others_do_not():
    layer = InProcessChannelLayer(capacity=2)
    slow, fast = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("room-1", slow)
    await layer.group_add("room-1", fast)
    fast_got = []

    async def read_fast():
        while True:
            fast_got.append((await layer.receive(fast))["seq"])

    reader = asyncio.create_task(read_fast())
    for seq in range(1, 5):
        await layer.group_send("room-1", {"type": "room.message", "seq": seq})
        await asyncio.sleep(0)
    reader.cancel()

    assert fast_got == [1, 2, 3, 4]
    assert [(await layer.receive(slow))["seq"] for _ in range(2)] == [1, 2]
    assert layer.channels[slow].empty(), "events 3 and 4 were dropped, as channels_redis does"


async def test_a_reader_that_stops_leaves_nothing_behind():
    layer = InProcessChannelLayer()
    channel = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)

    receiving.cancel()
    await asyncio.gather(receiving, return_exceptions=True)

    assert channel not in layer.channels


async def test_the_sweep_drops_queues_nobody_reads_and_spares_waiting_readers(monkeypatch):
    monkeypatch.setattr(layers, "SWEEP_SECONDS", 0)
    layer = InProcessChannelLayer()
    gone, waiting = await layer.new_channel(), await layer.new_channel()
    await layer.send(gone, {"type": "room.message", "seq": 1})
    await layer.receive(gone)  # its consumer then stopped without another receive
    receiving = asyncio.create_task(layer.receive(waiting))
    await asyncio.sleep(0)

    await layer.group_send("room-1", {"type": "room.presence"})  # sweeps

    assert gone not in layer.channels
    await layer.send(waiting, {"type": "room.message", "seq": 2})
    assert (await asyncio.wait_for(receiving, 1))["seq"] == 2
