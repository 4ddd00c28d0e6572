"""A signed-in room socket's sidebar: the badges and links of the user's other rooms, kept
from those rooms' events and the user's own (rooms/sidebar.py holds the state and its HTML).
"""

from channels.db import database_sync_to_async

from rooms.events import SIGNED_IN_GROUP, room_group, user_group
from rooms.models import Room
from rooms.sidebar import load_state
from rooms.unread import room_link


class SidebarEvents:
    """Mixed into RoomConsumer: uses its enter(), exit(), send(), room and scope."""

    # The page's sidebar state, from follow_sidebar() on; None for a guest.
    sidebar = None

    async def follow_sidebar(self, user, room):
        # The user's own stream and everyone's (rooms shown to them), then every room they can
        # see for the badges: a room shown in between is in one or the other.
        await self.enter(user_group(user.pk))
        await self.enter(SIGNED_IN_GROUP)
        watched = Room.objects.visible_to(user).exclude(pk=room.pk).values_list("pk", flat=True)
        for pk in [pk async for pk in watched]:
            await self.enter(room_group(pk))
        # Read after entering the groups: a message in between is in one or the other.
        title = f"# {room.name} · Socico"
        self.sidebar = await database_sync_to_async(load_state)(user, room.pk, title)

    async def reload_sidebar(self):
        """Read the sidebar again, whole, and send it: its rooms' events were lost."""
        user, title = self.scope["user"], self.sidebar.title
        self.sidebar = await database_sync_to_async(load_state)(user, self.room.pk, title)
        await self.send(text_data=self.sidebar.whole(always=True))

    async def other_room_change(self, event):
        """A change in another of the user's rooms: its sidebar link, if a badge moved."""
        if "posted_by" in event:
            frame = self.sidebar.message_posted(
                event["room"], event["seq"], event["posted_by"], event["mentioned"]
            )
        elif "removed_seq" in event:
            frame = self.sidebar.message_removed(event["room"], event["removed_seq"])
        else:
            return  # an edit or a reaction: no badge counts it
        if frame:
            await self.send(text_data=frame)

    async def user_read(self, event):
        """The user read a room somewhere (this page, another tab): its badge follows."""
        if frame := self.sidebar.read(event["room"], event["read_seq"]):
            await self.send(text_data=frame)

    async def room_shown(self, event):
        """A room the user may now see (new, made public, or joined): its sidebar link."""
        room_id = event["room"]
        if self.sidebar is None or room_id in self.sidebar.links:
            return
        await self.enter(room_group(room_id))
        # Counted once in its group: a message in between is in the count or comes after.
        link = await database_sync_to_async(room_link)(self.scope["user"], room_id)
        if link is None:
            return await self.exit(room_group(room_id))
        if frame := self.sidebar.add(link):
            await self.send(text_data=frame)

    async def lose_room(self, room_id):
        """The user may no longer see another room: its link goes, its events stop."""
        await self.exit(room_group(room_id))
        if self.sidebar is not None and (frame := self.sidebar.remove(room_id)):
            await self.send(text_data=frame)
