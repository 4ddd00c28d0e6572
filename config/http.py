"""Django's ASGI handler, serving each HTTP request in one thread hop on a fixed set of threads.

Under ASGI, Django runs every MiddlewareMixin middleware (all of Django's own) in async mode,
hopping to a thread and back for each of its methods (Django ticket #37177): a dozen hops
per request with our middleware, which halved the requests/s of a trivial view. And each
request gets a thread of its own, started and joined by another, and so a database
connection of its own, opened and closed per request.

Here the middleware and the view run as a threaded WSGI server runs them: synchronously, in
one call, on one of HTTP_THREADS long-lived threads (the least busy), which keep their
database connections between requests (CONN_MAX_AGE). The request's other thread-sensitive
work (the request_started and request_finished signals, which check those connections) runs
on the same thread, through asgiref's ThreadSensitiveContext.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler


class ThreadPoolASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        self.threads = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{n}")
            for n in range(settings.HTTP_THREADS)
        ]
        self.requests_on = [0] * len(self.threads)  # requests in progress on each thread

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = min(range(len(self.threads)), key=self.requests_on.__getitem__)
        self.requests_on[thread] += 1
        try:
            async with ThreadSensitiveContext(executor=self.threads[thread]):
                await self.handle(scope, receive, send)
        finally:
            self.requests_on[thread] -= 1
