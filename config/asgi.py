import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.http import ThreadPoolASGIHandler  # noqa: E402
from config.request_body import BoundedRequestBody  # noqa: E402
from config.socket_auth import SocketAuthMiddlewareStack  # noqa: E402
from config.socket_origin import SameOriginValidator  # noqa: E402
from rooms.away_email import sweeping  # noqa: E402
from rooms.routing import websocket_urlpatterns  # noqa: E402

application = sweeping(
    ProtocolTypeRouter(
        {
            "http": BoundedRequestBody(ThreadPoolASGIHandler()),
            "websocket": SameOriginValidator(
                SocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)

# What start-up made (Django, the apps, their modules) lives as long as the process: out of every
# later collection, so full collections scan only what sockets and requests made. Start-up's
# garbage is collected first, not kept for good. Figures: BENCHMARKS.md, "gc.freeze()".
gc.collect()
gc.freeze()
# A full collection of what 1,000 open sockets hold pauses every page: with the third threshold
# at 100 instead of 10 they come far less often; cyclic garbage waits longer to be freed.
gc.set_threshold(700, 10, 100)
