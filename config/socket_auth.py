"""Who a room socket belongs to: channels' AuthMiddlewareStack, without its wrapper on sends.

channels' SessionMiddleware wraps the send of every connection it serves, to save a session an
HTTP response modified. A socket's sends are never HTTP responses, so it never saves there,
yet it read the session's state on each of them: without it a delivery to a room of 1,000
costs 26.6-29.3 µs of CPU instead of 32.2-32.7 (BENCHMARKS.md).
"""

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware


class SocketSessionMiddleware(SessionMiddleware):
    """scope["session"], as channels gives it, with the server's own send passed on."""

    async def __call__(self, scope, receive, send):
        session = InstanceSessionWrapper(scope, send)
        await session.resolve_session()
        return await self.inner(session.scope, receive, send)


def SocketAuthMiddlewareStack(inner):
    return CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(inner)))
