"""The answers to a request whose body is refused before it has been read.

The ASGI wrapper (config/request_body.py) sends them as ASGI messages, the daphne launcher
(config/daphne_server.py) as raw HTTP; both close the connection after them, since the rest
of the body may still be on its way.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: bytes
    text: str

    @property
    def body(self):
        return self.text.encode()

    def headers(self):
        return [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(self.body)).encode()),
            (b"connection", b"close"),
        ]

    async def send(self, send):
        """Answer through an ASGI server's `send`."""
        await send(
            {"type": "http.response.start", "status": self.status, "headers": self.headers()}
        )
        await send({"type": "http.response.body", "body": self.body})

    def http_bytes(self):
        """The whole HTTP/1.1 response, for a server's transport."""
        head = [b"HTTP/1.1 %d %s" % (self.status, self.reason)]
        head += [name + b": " + value for name, value in self.headers()]
        return b"\r\n".join(head) + b"\r\n\r\n" + self.body


def too_large():
    return Refusal(
        413,
        b"Content Too Large",
        f"Request body too large: this server takes at most {settings.MAX_REQUEST_BYTES:,}"
        " bytes.\n",
    )


def too_slow():
    return Refusal(
        408,
        b"Request Timeout",
        "Request body too slow: it did not all arrive within"
        f" {settings.REQUEST_BODY_SECONDS:g} s.\n",
    )
