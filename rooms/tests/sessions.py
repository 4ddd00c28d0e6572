from asgiref.sync import sync_to_async
from django.test import Client


@sync_to_async
def session_cookie(user):
    """The Cookie header value of a signed-in session for `user`."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"
