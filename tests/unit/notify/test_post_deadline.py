"""One deadline for a whole post (services/notify/client.py), against a real server on
loopback that drips: the answer's body a byte at a time, or its header lines one at a time.
Each read succeeds, so a per-read time-out never fires: only the overall deadline ends it."""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from services.notify.client import PostFailed, post_json

TIMEOUT_S = 1.0
MARGIN_S = 3.0


@contextmanager
def dripping_server(what: str) -> Iterator[str]:
    """A server that reads the post, then sends its answer a piece every 0.5 s, forever."""
    stop = threading.Event()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            size = 0
            while (line := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                if line.lower().startswith(b"content-length:"):
                    size = int(line.split(b":", 1)[1])
            self.rfile.read(size)
            head = b"HTTP/1.1 200 OK\r\n"
            if what == "body":
                head += b"Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
            self.wfile.write(head)
            n = 0
            while not stop.wait(0.5):
                piece = b"x" if what == "body" else f"X-Drip-{n}: {n}\r\n".encode()
                n += 1
                try:
                    self.wfile.write(piece)
                    self.wfile.flush()
                except OSError:
                    return

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/secret"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize("what", ["body", "headers"])
def test_a_dripping_webhook_is_given_up_at_the_deadline(what: str) -> None:
    outcome: list[tuple[float, str | None]] = []

    def post(url: str) -> None:
        started = time.monotonic()
        try:
            post_json(url, b'{"text": "hello"}', TIMEOUT_S)
        except PostFailed as exc:
            outcome.append((time.monotonic() - started, str(exc)))
        else:
            outcome.append((time.monotonic() - started, None))

    with dripping_server(what) as url:
        poster = threading.Thread(target=post, args=(url,), daemon=True)
        poster.start()
        poster.join(TIMEOUT_S + 15)  # a regression fails here rather than hang the suite
        assert not poster.is_alive(), "the post was still running long after its deadline"
    elapsed, message = outcome[0]
    assert message == ("127.0.0.1 did not answer within 1 seconds. It is tried again next round.")
    assert "secret" not in message
    assert elapsed < TIMEOUT_S + MARGIN_S
