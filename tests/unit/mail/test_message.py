"""The email: building it, the mailto: link, the .eml draft, and sending through a real
SMTP server on loopback (a small threaded one written here with the standard library:
EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT), including every failure a user meets:
no STARTTLS, an untrusted certificate, a wrong password, a refused recipient, nothing
listening, a server that never answers."""

from __future__ import annotations

import email
import email.policy
import logging
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from services.mail.message import MailError, build_email, mailto_url, save_eml, send_smtp
from tests.support.smtp_server import PASSWORD, USER, SMTPServer

SUBJECT = "Un café? 20% & more — for you"
BODY = "Hi Zoë,\n\nLine two & a half?\n#1 = 100%\n\nBest regards,\nMaya"


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not on PATH: the TLS handshake tests need a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-days", "2", "-keyout", str(key), "-out", str(cert),
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Cert(cert, key)


@pytest.fixture
def message() -> EmailMessage:
    return build_email(SUBJECT, BODY, "Zoë Smith <zoe@example.com>", USER)


def parsed(data: bytes) -> EmailMessage:
    result = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(result, EmailMessage)
    return result


# --------------------------------------------------------------------------- building


def test_build_email(message: EmailMessage) -> None:
    again = parsed(message.as_bytes())
    assert again["To"] == "Zoë Smith <zoe@example.com>"
    assert again["From"] == USER
    assert again["Subject"] == SUBJECT
    assert again["Message-ID"].endswith("@fern.example>")
    assert again.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert again.get_content_type() == "text/plain"
    for bad in ("not an address", "a@b.example\r\nBcc: x@y.example", ""):
        with pytest.raises(MailError, match="not an email address"):
            build_email("Hi", "Body", bad, USER)


def test_mailto_url_is_percent_encoded_and_round_trips() -> None:
    url = mailto_url("zoe+shop@example.com", SUBJECT, BODY)
    assert url.startswith("mailto:zoe%2Bshop@example.com?subject=")
    assert " " not in url
    assert "\n" not in url
    assert "#" not in url
    assert "%0D%0A" in url  # RFC 6068: line breaks as CRLF
    parts = urlsplit(url)
    assert unquote(parts.path) == "zoe+shop@example.com"
    query = parse_qs(parts.query)
    assert query["subject"] == [SUBJECT]
    assert query["body"] == [BODY.replace("\n", "\r\n")]


def test_save_eml_writes_an_unsent_draft(message: EmailMessage, tmp_path: Path) -> None:
    path = save_eml(message, tmp_path / "drafts" / "ada.eml")
    again = parsed(path.read_bytes())
    assert again["X-Unsent"] == "1"
    assert again["Subject"] == SUBJECT
    assert again.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert b"\r\n" in path.read_bytes()  # the wire format mail programs expect
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(MailError, match="Could not save the email"):
        save_eml(message, blocked / "ada.eml")
    assert [p.name for p in (tmp_path / "drafts").iterdir()] == ["ada.eml"]  # no temp file


# --------------------------------------------------------------------------- sending


def test_send_without_encryption_logs_in_and_delivers(
    message: EmailMessage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with SMTPServer() as server:
        send_smtp("127.0.0.1", server.port, "none", USER, PASSWORD, message, timeout=5)
    got = server.received
    assert got.auth == [(USER, PASSWORD)]
    assert not got.tls
    assert got.mail_from
    assert USER in got.mail_from[0]
    assert [r.lower() for r in got.rcpt_to] == ["rcpt to:<zoe@example.com>"]
    delivered = parsed(got.data[0])
    assert delivered["Subject"] == SUBJECT
    assert delivered.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert PASSWORD not in caplog.text


def test_no_password_in_clear_across_a_network(message: EmailMessage) -> None:
    # Refused before any connection: the host does not even exist.
    with pytest.raises(MailError, match="password in clear"):
        send_smtp("mail.example.invalid", 25, "none", USER, PASSWORD, message, timeout=5)


def test_starttls_refused_when_the_server_does_not_offer_it(message: EmailMessage) -> None:
    with SMTPServer() as server, pytest.raises(MailError, match="does not offer STARTTLS") as err:
        send_smtp("127.0.0.1", server.port, "starttls", USER, PASSWORD, message, timeout=5)
    assert server.received.auth == []
    assert server.received.data == []
    assert PASSWORD not in str(err.value)


def test_starttls_with_a_real_handshake(message: EmailMessage, cert: Cert) -> None:
    with SMTPServer(starttls=cert.server_context()) as server:
        send_smtp("127.0.0.1", server.port, "starttls", USER, PASSWORD, message, timeout=5,
                  ssl_context=cert.client_context())  # fmt: skip
    got = server.received
    assert got.tls
    assert got.auth == [(USER, PASSWORD)]
    assert len(got.data) == 1
    # The login came after the upgrade: EHLO, STARTTLS, EHLO again, then AUTH.
    assert got.commands[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"]


def test_an_untrusted_certificate_is_refused(message: EmailMessage, cert: Cert) -> None:
    with (
        SMTPServer(starttls=cert.server_context()) as server,
        pytest.raises(MailError, match="does not trust"),
    ):
        send_smtp("127.0.0.1", server.port, "starttls", USER, PASSWORD, message, timeout=5)
    assert server.received.auth == []
    assert server.received.data == []


def test_ssl_from_the_start(message: EmailMessage, cert: Cert) -> None:
    with SMTPServer(implicit_tls=cert.server_context()) as server:
        send_smtp("127.0.0.1", server.port, "ssl", USER, PASSWORD, message, timeout=5,
                  ssl_context=cert.client_context())  # fmt: skip
    assert server.received.tls
    assert len(server.received.data) == 1


def test_wrong_password(message: EmailMessage) -> None:
    with SMTPServer() as server, pytest.raises(MailError, match="user name or password") as err:
        send_smtp("127.0.0.1", server.port, "none", USER, "wrong-one", message, timeout=5)
    assert "wrong-one" not in str(err.value)
    assert server.received.data == []


def test_a_refused_recipient(message: EmailMessage) -> None:
    with (
        SMTPServer(refuse=("zoe@",)) as server,
        pytest.raises(MailError, match="refused the recipient zoe@example.com"),
    ):
        send_smtp("127.0.0.1", server.port, "none", USER, PASSWORD, message, timeout=5)
    assert server.received.data == []


def test_nothing_listening(message: EmailMessage) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MailError, match="Nothing answers at 127.0.0.1"):
        send_smtp("127.0.0.1", port, "none", USER, PASSWORD, message, timeout=5)


def test_a_server_that_never_answers(message: EmailMessage) -> None:
    with SMTPServer(silent=True) as server, pytest.raises(MailError, match="did not answer"):
        send_smtp("127.0.0.1", server.port, "starttls", USER, PASSWORD, message, timeout=0.5)


def test_settings_problems_are_plain() -> None:
    message = build_email("Hi", "Body", "zoe@example.com", None)
    with pytest.raises(MailError, match="No SMTP server is set"):
        send_smtp(" ", 587, "starttls", None, None, message)
    with pytest.raises(MailError, match="Unknown SMTP security"):
        send_smtp("127.0.0.1", 587, "tls1.0", None, None, message)


@pytest.fixture(autouse=True)
def _no_threads_left() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, left
