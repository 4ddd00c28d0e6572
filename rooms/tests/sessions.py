"""Signed-in sessions for tests: a test client, or the cookie a socket presents."""

from asgiref.sync import sync_to_async
from django.test import Client


def client_for(user):
    """A test client signed in as `user` (None: a guest)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@sync_to_async
def session_cookie(user):
    """The Cookie header value of a signed-in session for `user`."""
    return f"sessionid={client_for(user).cookies['sessionid'].value}"
