"""One window per person: a second start hands what it was asked to open (an
``accountradar://`` link) to the window already running, and ends.

The running window listens on a local socket (QLocalServer: a Unix domain socket, a
named pipe on Windows) named after the person's login and config folder, so two people
on one computer, or two test runs, never meet. A start with a link first tries to connect:
when a window answers, the link goes to it and the start ends; otherwise this start
opens the window and listens itself. A socket left behind by a window that crashed is
removed before listening again.
"""

from __future__ import annotations

import hashlib
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from services.core.profile import config_dir, os_login

log = logging.getLogger(__name__)

CONNECT_MS = 1000
MAX_MESSAGE = 4096  # a link is short; more is not read
ACK = b"ok\n"


def server_name() -> str:
    """The local socket's name for this person and config folder."""
    key = f"{os_login()}\0{config_dir()}".encode()
    return "account-radar-" + hashlib.sha256(key).hexdigest()[:20]


def hand_over(text: str, *, timeout_ms: int = CONNECT_MS) -> bool:
    """Give ``text`` to the window already running; False when none answers."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(text.encode("utf-8")[: MAX_MESSAGE - 1] + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    answered = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()) == ACK
    socket.disconnectFromServer()
    return bool(answered)


class InstanceServer(QObject):
    """The running window's end: ``link_received`` with each text a second start hands over.

    Signals:
        link_received(text): a second start asked this window to open ``text``.
    """

    link_received = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)

    def listen(self) -> bool:
        """Start listening (removing a crashed window's socket first); False when another
        window listens already or the system refuses."""
        name = server_name()
        if self._server.listen(name):
            return True
        if hand_over("", timeout_ms=200):
            return False  # a live window holds the name
        QLocalServer.removeServer(name)
        if self._server.listen(name):
            return True
        log.warning("Could not listen for links: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            # The socket is the server's child: it goes with the server (deleting it from a
            # slot of its own signal crashed when the server went first).
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine() and socket.bytesAvailable() < MAX_MESSAGE:
            return
        text = bytes(socket.readLine(MAX_MESSAGE).data()).decode("utf-8", "replace").strip()
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        if text:
            self.link_received.emit(text)
