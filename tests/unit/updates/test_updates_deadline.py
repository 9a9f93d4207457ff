"""The update check's overall deadline and its redirect rules (services/updates/check.py), against
real servers on loopback: one that drips its answer a byte at a time (each read succeeds, so
a per-read time-out never fires), one that redirects, and a bare listener standing in for an
ftp server that must never be contacted."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import services.updates.check as updates
from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.settings import set_setting
from services.updates.check import check, redirect_problem

VERSION_FILE = json.dumps({"version": "9.0.0"}).encode()
DRIP_EVERY_S = 0.25
DRIP_BYTES = 24  # about 6 s in all: far past the deadline the tests set


class TestServer:
    """Answers by ``mode``: "drip" (the body a byte at a time), "drip_headers" (even the
    status line a byte at a time), "redirect" (302 to ``location``) or "ok"."""

    __test__ = False

    def __init__(self) -> None:
        self.mode = "ok"
        self.location = ""
        self.paths: list[str] = []
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.paths.append(self.path)
                with contextlib.suppress(OSError):  # the client hung up: the deadline
                    outer.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _drip(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        for byte in data:
            if self.stop.wait(DRIP_EVERY_S):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == "redirect":
            handler.send_response(302)
            handler.send_header("Location", self.location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = VERSION_FILE + b" " * DRIP_BYTES
        if self.mode == "drip_headers":
            head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(VERSION_FILE)}\r\n\r\n".encode()
            self._drip(handler, head + VERSION_FILE)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if self.mode == "drip":
            self._drip(handler, body)
        else:
            handler.wfile.write(body)


@pytest.fixture
def server() -> Iterator[TestServer]:
    running = TestServer()
    running.thread.start()
    yield running
    running.stop.set()
    running.httpd.shutdown()
    running.httpd.server_close()
    running.thread.join(5)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A bare TCP port on loopback: a redirect target that must never be connected to."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        sock.settimeout(0.2)
        yield sock


def _connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("mode", ["drip", "drip_headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(server: TestServer, mode: str) -> None:
    server.mode = mode
    started = time.monotonic()
    result = check(f"{server.base}/v.json", running="1.0.0", timeout_s=1.0, deadline_s=1.5)
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, f"still reading after {elapsed:.1f} s"
    assert result.status == "failed"
    assert "within 1.5 s" in result.problem
    assert "Try again later" in result.message


def test_a_prompt_server_still_answers_within_the_deadline(server: TestServer) -> None:
    result = check(f"{server.base}/v.json", running="1.0.0", timeout_s=1.0, deadline_s=1.5)
    assert result.status == "newer"
    assert result.latest == "9.0.0"


def test_the_command_line_stops_a_dripping_server(
    server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(updates, "DEADLINE_S", 1.5)
    db = str(tmp_path / "w.radar.sqlite")
    workspace = open_workspace(to_url(db), backup=False)
    with Session(workspace.engine) as session, session.begin():
        set_setting(session, "updates.check_url", f"{server.base}/v.json")
    workspace.close()
    server.mode = "drip"
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    assert main(["--db", db, "update", "check"], out=out, err=err) == 2
    assert time.monotonic() - started < 4.0
    assert "Could not check for updates" in err.getvalue()
    assert "within 1.5 s" in err.getvalue()
    assert "Traceback" not in err.getvalue() + out.getvalue()


@pytest.mark.parametrize("scheme", ["ftp", "file"])
def test_a_redirect_to_another_scheme_is_not_followed(
    server: TestServer, listener: socket.socket, scheme: str
) -> None:
    port = listener.getsockname()[1]
    target = f"ftp://127.0.0.1:{port}/latest.json" if scheme == "ftp" else "file:///etc/hostname"
    server.mode, server.location = "redirect", target
    result = check(f"{server.base}/v.json", running="1.0.0", timeout_s=1.0, deadline_s=3.0)
    assert result.status == "failed"
    assert f"redirected to {target}" in result.problem
    assert "not an https address" in result.problem
    assert not _connected(listener)  # the ftp address was never contacted


def test_a_redirect_off_this_computer_to_plain_http_is_refused(
    server: TestServer,
) -> None:
    server.mode, server.location = "redirect", "http://updates.example.invalid/v.json"
    result = check(f"{server.base}/v.json", running="1.0.0", timeout_s=1.0, deadline_s=3.0)
    assert result.status == "failed"
    assert "not an https address" in result.problem


def test_a_redirect_between_loopback_http_addresses_is_followed(server: TestServer) -> None:
    server.mode, server.location = "redirect", f"{server.base}/moved.json"
    answers = iter(["redirect", "ok"])

    original = server.answer

    def answer(handler: BaseHTTPRequestHandler) -> None:
        server.mode = next(answers)
        original(handler)

    server.answer = answer  # type: ignore[method-assign]
    result = check(f"{server.base}/v.json", running="1.0.0", timeout_s=1.0, deadline_s=3.0)
    assert result.status == "newer"
    assert server.paths == ["/v.json", "/moved.json"]


def test_redirect_rules() -> None:
    assert redirect_problem("https://a.example/v", "https://b.example/v") is None
    assert redirect_problem("http://a.example/v", "https://b.example/v") is None
    assert redirect_problem("http://127.0.0.1:1/v", "http://localhost:2/v") is None
    assert redirect_problem("http://[::1]:1/v", "http://127.0.0.2/v") is None
    assert redirect_problem("https://a.example/v", "http://a.example/v") is not None
    assert redirect_problem("https://127.0.0.1/v", "http://127.0.0.1/v") is not None
    assert redirect_problem("http://a.example/v", "http://a.example/w") is not None
    assert redirect_problem("http://127.0.0.1/v", "http://a.example/v") is not None
    assert redirect_problem("https://a.example/v", "ftp://a.example/v") is not None
    assert redirect_problem("https://a.example/v", "data:,{}") is not None
