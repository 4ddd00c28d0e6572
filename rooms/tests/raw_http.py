"""HTTP written by hand on a socket: the bodies no well-behaved client sends."""

import re
import select
import socket
import time

PIECE = b"x" * 65536


def open_post(server, *, length=None, chunked=False, path="/accounts/login/"):
    """A socket that has sent a POST's headers, announcing `length` bytes or chunks."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    )
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head.encode())
    return sock


def read_answer(sock, timeout=10):
    """The status and text of the server's answer, or (None, "") without one in time."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    status = re.match(rb"HTTP/1\.[01] (\d{3}) ", data)
    return (int(status[1]) if status else None), data.decode("latin1")


def send_body_until_answered(sock, total, *, chunked=False, within=60):
    """Send up to `total` body bytes while watching for an answer; the answer and bytes sent.

    Stops at the first sign of an answer (or a closed connection), so a server that refuses
    early is asked for no more than it has already read.
    """
    sent = 0
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        wanted = [sock] if sent < total else []
        readable, writable, _ = select.select([sock], wanted, [], 1)
        if readable:
            break
        if writable:
            piece = PIECE[: total - sent]
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break  # the server closed, or stopped reading
            sent += len(piece)
    else:
        raise AssertionError(f"no answer within {within} s after {sent:,} body bytes")
    return (*read_answer(sock), sent)
