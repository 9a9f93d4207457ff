"""A small threaded SMTP server on loopback for tests, standard library only: EHLO,
STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT; it records what it saw."""

from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any

USER, PASSWORD = "maya@fern.example", "pa55-w0rd-never-logged"


@dataclass
class Received:
    """What the test server saw."""

    ehlo: list[str] = field(default_factory=list)
    tls: bool = False
    auth: list[tuple[str, str]] = field(default_factory=list)
    mail_from: list[str] = field(default_factory=list)
    rcpt_to: list[str] = field(default_factory=list)
    data: list[bytes] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    server: SMTPServer

    def setup(self) -> None:
        if self.server.implicit_tls is not None:
            self.request = self.server.implicit_tls.wrap_socket(self.request, server_side=True)
            self.server.received.tls = True
        super().setup()

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        srv, got = self.server, self.server.received
        if srv.silent:
            srv.stop_event.wait(5)
            return
        self.reply("220 test.local ESMTP ready")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            got.commands.append(verb)
            if verb in ("EHLO", "HELO"):
                got.ehlo.append(line)
                extensions = ["AUTH PLAIN", "8BITMIME", "SMTPUTF8"]
                if srv.starttls is not None and not got.tls:
                    extensions.append("STARTTLS")
                self.reply("250-test.local")
                for ext in extensions[:-1]:
                    self.reply(f"250-{ext}")
                self.reply(f"250 {extensions[-1]}")
            elif verb == "STARTTLS" and srv.starttls is not None:
                self.reply("220 go ahead")
                self.request = srv.starttls.wrap_socket(self.request, server_side=True)
                self.rfile = self.request.makefile("rb")
                self.wfile = self.request.makefile("wb")
                got.tls = True
            elif verb == "AUTH":
                _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
                got.auth.append((user, password))
                if (user, password) == (USER, PASSWORD):
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                got.mail_from.append(line)
                self.reply("250 OK")
            elif verb == "RCPT":
                if any(bad in line for bad in srv.refuse):
                    self.reply("550 5.1.1 No such user here")
                else:
                    got.rcpt_to.append(line)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk)
                got.data.append(b"".join(lines))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 Command not implemented")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(
        self,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        refuse: tuple[str, ...] = (),
        silent: bool = False,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.refuse = refuse
        self.silent = silent
        self.received = Received()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def __enter__(self) -> SMTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop_event.set()
        self.shutdown()
        self.server_close()
        self.thread.join()
