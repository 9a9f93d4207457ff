"""The update check (services/updates/check.py, `update check`): a real HTTP server on loopback
answering as an organisation's version file would, or failing; nothing asked when unset."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.settings import set_setting
from services.updates.check import check, version_key


class VersionServer:
    """Serves ``body`` with ``status`` at any path; counts the requests."""

    def __init__(self) -> None:
        self.body = b"{}"
        self.status = 200
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/account-radar/latest.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, data: object, status: int = 200) -> None:
        self.body = data if isinstance(data, bytes) else json.dumps(data).encode()
        self.status = status


@pytest.fixture
def server() -> Iterator[VersionServer]:
    running = VersionServer()
    running.thread.start()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()
    running.thread.join(5)


def test_version_numbers_compare_as_numbers() -> None:
    assert version_key("1.10.0") > version_key("1.9.3")
    assert version_key("v2") == (2, 0, 0)
    assert version_key("1.2.0rc1") == (1, 2, 0)
    with pytest.raises(ValueError, match="not a version"):
        version_key("latest")


def test_newer_current_and_broken_answers(server: VersionServer) -> None:
    server.serve({"version": "0.2.0", "url": "https://intranet.example/ar", "notes": "Faster."})
    newer = check(server.url, running="0.1.0")
    assert newer.status == "newer"
    assert newer.latest == "0.2.0"
    assert "0.2.0 is available" in newer.message
    assert "https://intranet.example/ar" in newer.message
    server.serve({"version": "0.1.0"})
    assert check(server.url, running="0.1.0").status == "current"
    server.serve({"version": "0.0.9"})
    assert check(server.url, running="0.1.0").status == "current"
    server.serve({"version": "1.0.0", "url": "javascript:alert(1)"})
    assert check(server.url, running="0.1.0").url == ""  # only a web address is shown
    server.serve(b"<html>not json</html>")
    assert "did not send" in check(server.url, running="0.1.0").problem
    server.serve({"version": "2.0"}, status=404)
    assert "answered 404" in check(server.url, running="0.1.0").problem
    assert len(server.requests) == 6
    assert server.requests[0] == "/account-radar/latest.json"


def test_a_closed_port_and_no_address() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    failed = check(f"http://127.0.0.1:{port}/v.json", running="0.1.0", timeout_s=2)
    assert failed.status == "failed"
    assert "could not be reached" in failed.problem
    assert check("", running="0.1.0").status == "off"
    assert check("file:///etc/passwd", running="0.1.0").status == "failed"


def test_update_check_on_the_command_line(server: VersionServer, tmp_path: Path) -> None:
    db = str(tmp_path / "w.radar.sqlite")
    workspace = open_workspace(to_url(db), backup=False)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", db, "update", "check"], out=out, err=err) == 0
    assert "Update check is off" in out.getvalue()
    assert server.requests == []  # nothing asked while no address is set
    with Session(workspace.engine) as session, session.begin():
        set_setting(session, "updates.check_url", server.url)
    workspace.close()
    server.serve({"version": "99.0.0", "notes": "Big one."})
    out = io.StringIO()
    assert main(["--db", db, "update", "check"], out=out, err=io.StringIO()) == 1
    assert "99.0.0 is available" in out.getvalue()
    assert "Big one." in out.getvalue()
    server.serve(b"garbage")
    err = io.StringIO()
    assert main(["--db", db, "update"], out=io.StringIO(), err=err) == 2
    assert "Could not check for updates" in err.getvalue()
