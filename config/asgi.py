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

# What start-up made (about 90,000 objects: Django, the apps, their modules) lives as long as
# the process: out of every later collection. Full collections then scan only what sockets
# and requests made: p99 of a room of 1,000 at 20 messages/s went from 148-169 to 107-115 ms.
# Start-up's garbage is collected first, not kept for good.
gc.collect()
gc.freeze()
# What sockets make (some 137,000 objects with 1,000 open) still takes a full collection
# 40-80 ms, a pause for every page. With the third threshold at 100 instead of 10 they come
# far less often (2 instead of 13 in a 20 s run of a room of 1,000 at 30 messages/s), and p99
# there went from 69-119 to 33-35 ms. Cyclic garbage waits longer to be freed.
gc.set_threshold(700, 10, 100)
