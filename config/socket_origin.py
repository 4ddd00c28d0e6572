"""Websocket handshakes from this site only, by the rule Django holds form posts to.

The Origin must be exactly the scheme://host[:port] of the handshake's own Host (a host in
ALLOWED_HOSTS; https over TLS, or behind a proxy that SECURE_PROXY_SSL_HEADER trusts), or one
of CSRF_TRUSTED_ORIGINS. Anything else is refused before the socket is accepted.
"""

import io

from channels.security.websocket import WebsocketDenier
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.middleware.csrf import CsrfViewMiddleware


def handshake_request(scope):
    """The handshake as Django reads an HTTP request: headers, Host, scheme."""
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return ASGIRequest({**scope, "method": "GET", "scheme": scheme}, io.BytesIO())


def same_origin(scope):
    request = handshake_request(scope)
    try:
        request.get_host()
    except DisallowedHost:
        return False
    # Django's own origin rule (Django is pinned; test_socket_origin.py checks it is there).
    csrf = CsrfViewMiddleware(get_response=lambda request: None)
    return "HTTP_ORIGIN" in request.META and csrf._origin_verified(request)


class SameOriginValidator:
    """ASGI middleware: pass same-origin handshakes on, deny the others as channels does."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if same_origin(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
