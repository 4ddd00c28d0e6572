"""An HTTP request's whole body, received on the event loop before the application runs.

Bounded in size (settings.MAX_REQUEST_BYTES: 413 from the Content-Length header without
reading, or as soon as an unannounced body passes it) and in time
(settings.REQUEST_BODY_SECONDS: 408). So a request still sending its body holds none of the
HTTP threads (config/http.py), whatever the server.
"""

import asyncio

from django.conf import settings

from config import refusals


class BodyTooLarge(Exception):
    pass


class BoundedRequestBody:
    """ASGI middleware: the application gets the body in one message, or never runs."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if declared_length(scope) > settings.MAX_REQUEST_BYTES:
            return await refusals.too_large().send(send)
        try:
            async with asyncio.timeout(settings.REQUEST_BODY_SECONDS):
                body = await read_body(receive, settings.MAX_REQUEST_BYTES)
        except BodyTooLarge:
            return await refusals.too_large().send(send)
        except TimeoutError:
            return await refusals.too_slow().send(send)
        if body is not None:  # None: the client left before the end of its body
            await self.app(scope, replay(body, receive), send)


def declared_length(scope):
    """The Content-Length header's value, or 0 without one (the body is counted as it comes)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return 0


async def read_body(receive, max_bytes):
    """The whole body, or None if the client disconnected first."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body, receive):
    """A `receive` that gives the body once, then passes on the server's (a disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive_after_body():
        return pending.pop() if pending else await receive()

    return receive_after_body
