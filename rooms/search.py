"""Search: the messages of the rooms a user can read that hold the words asked for, newest
first, a page at a time. rooms/search_index.py finds them; rooms/snippets.py shows them."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from rooms.models import Message, Room
from rooms.search_index import matching_ids
from rooms.search_query import Query
from rooms.snippets import snippet

PAGE_SIZE = 20


@dataclass
class Hit:
    message: Message
    snippet: str
    link: str


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    older: int | None = None  # the `before` of the next page, when there is one
    problem: str | None = None  # why nothing can match


def message_link(message):
    """Where a result leads: the message's permalink, the room around it."""
    return f"{message.get_absolute_url()}#{message.dom_id}"


def search(user, query, before=None):
    """A page of the messages `user` may read that match `query`, older than message `before`."""
    if not query:
        return Results(query)
    rooms = Room.objects.visible_to(user)
    if query.room is not None:
        rooms = rooms.filter(slug__iexact=query.room)
        if not rooms.exists():
            return Results(query, problem=f"No room has the address “{query.room}”.")
    author = None
    if query.author is not None:
        author = get_user_model().objects.filter(username__iexact=query.author).first()
        if author is None:
            return Results(query, problem=f"No user is named “{query.author}”.")
    matches = matching_ids(query.words, rooms, author=author, before=before, limit=PAGE_SIZE + 1)
    page = matches.ids[:PAGE_SIZE]
    messages = Message.objects.select_related("author", "room").in_bulk(page)
    hits = [
        Hit(message, snippet(message.body, query.words), message_link(message))
        for message in (messages.get(pk) for pk in page)
        if message is not None  # deleted since
    ]
    older = page[-1] if len(matches.ids) > PAGE_SIZE else matches.window_end
    return Results(query, hits, older=older)
