from django.apps import AppConfig
from django.core.signals import request_finished
from django.db import connections


def close_request_connections(**kwargs):
    """Close the database connections of a finished HTTP request.

    Under ASGI every request runs in a thread of its own, so a connection kept after it
    (CONN_MAX_AGE, which the sockets' shared thread needs) would linger until the garbage
    collector found it: open files piling up under load.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # a test's transaction, never a real request's
            connection.close()


class RoomsConfig(AppConfig):
    name = "rooms"

    def ready(self):
        from rooms import signals  # noqa: F401

        request_finished.connect(close_request_connections)
