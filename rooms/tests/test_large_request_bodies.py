"""A request body over SOCICO_MAX_REQUEST_BYTES is refused before it is read, on both servers."""

from pathlib import Path
from urllib.request import urlopen

import pytest

from rooms.tests.raw_http import open_post, send_body_until_answered

MiB = 2**20


def resident_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
@pytest.mark.parametrize("chunked", [False, True], ids=["announced", "chunked"])
def test_a_large_body_is_refused_without_the_server_holding_it(start_server, kind, chunked):
    server = start_server(kind=kind)
    with urlopen(f"{server.url}/", timeout=10) as page:  # a first request, to warm it up
        page.read()
    before = resident_bytes(server.process.pid)

    with open_post(server, length=50 * MiB, chunked=chunked) as sock:
        status, text, sent = send_body_until_answered(sock, 50 * MiB, chunked=chunked)

    grown = resident_bytes(server.process.pid) - before
    status_line = text.partition("\r\n")[0]
    what = f"{kind} grew by {grown / MiB:.0f} MiB on {sent / MiB:.0f} MiB sent: {status_line!r}"
    assert status == 413, what
    assert "Request body too large" in text
    assert grown < 10 * MiB, what
