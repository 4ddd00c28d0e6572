"""Django's ASGI handler, running each HTTP request's middleware and view in one thread hop.

Under ASGI, Django runs every MiddlewareMixin middleware (all of Django's own) in async mode,
hopping to a thread and back for each of its methods (Django ticket #37177): a dozen hops
per request with our middleware, which halved the requests/s of a trivial view. Here the
middleware and the view run as a threaded WSGI server runs them: synchronously, in one call,
on one of a fixed pool of threads, each keeping its database connection between requests
(CONN_MAX_AGE). Django checks connections at request boundaries in the thread that sends
request_started/request_finished, which is not the one that used them: the pool thread
checks its own, before and after each request.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections


class ThreadPoolASGIHandler(ASGIHandler):
    def __init__(self):
        self.threads = ThreadPoolExecutor(settings.HTTP_THREADS, thread_name_prefix="http")
        super().__init__()

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        respond = self._middleware_chain

        def respond_in_pool_thread(request):
            close_old_connections()
            try:
                return respond(request)
            finally:
                close_old_connections()

        self._middleware_chain = sync_to_async(
            respond_in_pool_thread, thread_sensitive=False, executor=self.threads
        )
