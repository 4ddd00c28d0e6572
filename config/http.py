"""Django's ASGI handler, serving each HTTP request in one thread hop on a fixed set of threads.

Under ASGI, Django runs every MiddlewareMixin middleware (all of Django's own) in async mode,
hopping to a thread and back for each of its methods (Django ticket #37177): a dozen hops
per request with our middleware, which halved the requests/s of a trivial view. And each
request gets a thread of its own, started and joined by another, and so a database
connection of its own, opened and closed per request.

Here the middleware and the view run as a threaded WSGI server runs them: synchronously, in
one call, on one of HTTP_THREADS long-lived threads, which keep their database connections
between requests (CONN_MAX_AGE). A request has its thread to itself, from the end of its
body (received before, by config/request_body.py) to its response, so one that blocks (a
post waiting for the database's write lock) holds up no other; when all are taken, requests
wait for one. The request's other thread-sensitive work (the request_started and
request_finished signals, which check those connections) runs on the same thread, through
asgiref's ThreadSensitiveContext.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler


class ThreadPoolASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        if settings.HTTP_THREADS < 1:
            raise ImproperlyConfigured("SOCICO_HTTP_THREADS must be at least 1.")
        # Last in, first out: the thread that just finished, its caches warm, goes next.
        self.idle_threads = asyncio.LifoQueue()
        for number in range(settings.HTTP_THREADS):
            thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{number}")
            self.idle_threads.put_nowait(thread)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)  # Django refuses it
        thread = await self.idle_threads.get()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self.idle_threads.put_nowait(thread)
