"""daphne, refusing a request body too large or too slow before it has read it.

daphne (through Twisted) receives a request's whole body, then queues all of it for the
application, before the application sees a byte of it: the ASGI wrapper's limits
(config/request_body.py) would come too late. Each request here is refused with the same
answers as there, from Twisted's own hooks for a request's body.

    python -m config.daphne_server [daphne's options] config.asgi:application
"""

import daphne.server  # first: it installs the asyncio reactor Twisted must run on
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from django.conf import settings
from twisted.internet import reactor

from config import refusals


class BoundedWebRequest(WebRequest):
    """daphne's request, counting its body as Twisted hands it over."""

    body_bytes = 0
    refused = False
    body_deadline = None

    def gotLength(self, length):
        # Twisted calls this once the headers are in, before it reads or asks for the body.
        if length is not None and length > settings.MAX_REQUEST_BYTES:
            self.refuse(refusals.too_large())
            return
        super().gotLength(length)
        if length != 0:  # a request without a body (a GET, a socket's handshake) is all in
            self.body_deadline = reactor.callLater(
                settings.REQUEST_BODY_SECONDS, self.refuse, refusals.too_slow()
            )

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.body_bytes += len(data)
        if self.body_bytes > settings.MAX_REQUEST_BYTES:
            self.refuse(refusals.too_large())
            return
        super().handleContentChunk(data)

    def requestReceived(self, command, path, version):
        # The end of a refused body may have come in the same read as the part that passed.
        if not self.refused:
            self.stop_deadline()
            super().requestReceived(command, path, version)

    def connectionLost(self, reason):
        self.stop_deadline()
        super().connectionLost(reason)

    def refuse(self, refusal):
        self.refused = True
        self.stop_deadline()
        # Twisted would otherwise answer "100 Continue" after the refusal.
        self.requestHeaders.removeHeader(b"Expect")
        self.channel.transport.write(refusal.http_bytes())
        self.channel.loseConnection()

    def stop_deadline(self):
        if self.body_deadline is not None and self.body_deadline.active():
            self.body_deadline.cancel()


class BoundedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr):
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BoundedWebRequest
        return protocol


def main():
    # daphne's Server builds its HTTP factory from this module-level name.
    daphne.server.HTTPFactory = BoundedHTTPFactory
    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
