"""H0: the HTTP baseline. A bare asyncio server answering every keep-alive GET with the same
bytes as Socico's room page, to show what Python serves on this machine without a framework.

Run: python -m bench.baselines.static_http PORT PAGE_FILE
"""

import asyncio
import sys

import uvloop


async def main(port, page):
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(page)}\r\n\r\n".encode()
        + page
    )

    async def handle(reader, writer):
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(response)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    with open(sys.argv[2], "rb") as page_file:
        uvloop.run(main(int(sys.argv[1]), page_file.read()))
