"""The email itself: build it, hand it to the user's mail program, or send it by SMTP.

- ``build_email``: a plain-text EmailMessage (UTF-8, Date set, and a Message-ID of the
  app's own shape, services/mail/ids.py, so that replies are traced back to it).
- ``mailto_url``: a mailto: link (RFC 6068), percent-encoded, CRLF line breaks.
- ``save_eml``: an .eml file marked ``X-Unsent: 1``, which mail programs (Outlook, Apple
  Mail, Thunderbird) open as a draft to send.
- ``send_smtp``: send through the user's SMTP server (STARTTLS, SSL or plain), with each
  failure as a MailError in plain words. The password is never logged or put in a
  message.

The user confirms the recipient before any of these is called (the window and the
command line ask); nothing here decides to send.
"""

from __future__ import annotations

import email.policy
import email.utils
import ipaddress
import logging
import smtplib
import socket
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from models.errors import UserFacingError
from services.core.output_files import OutputPathError, OutputWriteError, write_bytes_file
from services.mail.ids import outreach_message_id

log = logging.getLogger(__name__)

SECURITY = ("starttls", "ssl", "none")


class MailError(UserFacingError):
    """The email could not be built, saved or sent; the message says why and what to do."""


def _address(value: str, what: str) -> str:
    text = (value or "").strip()
    _, parsed = email.utils.parseaddr(text)
    if not parsed or "@" not in parsed or any(c in text for c in "\r\n"):
        raise MailError(f"'{text}' is not an email address; check the {what}.")
    return text


def build_email(subject: str, body: str, recipient: str, sender: str | None) -> EmailMessage:
    """A plain-text email ready to save or send (``sender`` may be None for a draft)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["To"] = _address(recipient, "recipient")
    if sender:
        message["From"] = _address(sender, "sender (From address)")
    message["Subject"] = " ".join((subject or "").split())
    message["Date"] = email.utils.formatdate(localtime=True)
    domain = sender.rsplit("@", 1)[-1].strip("> ") if sender and "@" in sender else None
    # An id of the app's own shape: a reply naming it is traced to its outreach row.
    message["Message-ID"] = outreach_message_id(recipient, subject, body, domain)
    message.set_content(body.replace("\r\n", "\n"), subtype="plain", charset="utf-8")
    return message


def mailto_url(recipient: str, subject: str, body: str) -> str:
    """A mailto: link that opens the user's mail program with the email filled in."""
    to = quote(_address(recipient, "recipient"), safe="@")
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"mailto:{to}?subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"


def save_eml(message: EmailMessage, path: str | Path, *, force: bool = False) -> Path:
    """Write the email as an .eml draft (``X-Unsent: 1``) through the guarded writer (no
    half file on failure; an existing file replaced only with ``force``, a database never);
    returns the file's path."""
    target = Path(path).expanduser()
    if "X-Unsent" not in message:
        message["X-Unsent"] = "1"
    data = message.as_bytes(policy=email.policy.SMTP)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MailError(
            f"Could not save the email to {target}: {exc.strerror or exc}. Choose another folder."
        ) from exc
    try:
        return write_bytes_file(target, data, force=force, what="the email")
    except (OutputPathError, OutputWriteError) as exc:
        raise MailError(f"Could not save the email: {exc}") from exc


def _loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def send_smtp(  # noqa: C901, PLR0915
    host: str,
    port: int,
    security: str,
    user: str | None,
    password: str | None,
    message: EmailMessage,
    *,
    timeout: float = 20,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send through an SMTP server; MailError in plain words when it cannot.

    ``security``: "starttls" (upgrade a plain connection; refused when the server does
    not offer it), "ssl" (TLS from the start, usually port 465) or "none". ``user`` and
    ``password`` log in when a user is given. ``ssl_context``: certificate checks (the
    system's trusted certificates by default).
    """
    if security not in SECURITY:
        raise MailError(f"Unknown SMTP security '{security}'; choose {', '.join(SECURITY)}.")
    if not host.strip():
        raise MailError("No SMTP server is set; enter one in Settings > Sending email.")
    where = f"{host}:{port}"
    if security == "none" and user and not _loopback(host):
        # A password is never sent in clear across a network; a relay on this computer
        # (127.0.0.1) is the one exception.
        raise MailError(
            f"Logging in to {where} without encryption would send the password in clear. "
            "Choose STARTTLS (usually port 587) or SSL (usually port 465) in Settings > "
            "Sending email."
        )
    context = ssl_context or ssl.create_default_context()
    server: smtplib.SMTP | None = None
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        server.ehlo()
        if security == "starttls":
            if not server.has_extn("starttls"):
                raise MailError(
                    f"The mail server {where} does not offer STARTTLS, so the password and "
                    "the email would travel unencrypted. Use the SSL setting (often port "
                    "465), or ask your mail provider for the right port."
                )
            server.starttls(context=context)
            server.ehlo()
        if user:
            server.login(user, password or "")
        refused = server.send_message(message)
        if refused:
            raise MailError(_refused_text(refused))
        log.info("Sent an email through %s (%s)", where, security)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"The mail server {where} refused the user name or password; check them in "
            "Settings > Sending email."
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(
            f"The mail server {where} does not accept a login on this connection; check "
            "the security setting and the port."
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(_refused_text(exc.recipients)) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(
            f"The mail server refused the sender {exc.sender!r}: {_reply(exc.smtp_error)}. "
            "Check the From address in Settings > Sending email."
        ) from exc
    except smtplib.SMTPDataError as exc:
        raise MailError(f"The mail server refused the email: {_reply(exc.smtp_error)}.") from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"The mail server {where} presented a certificate this computer does not trust "
            f"({exc.verify_message}); the email was not sent."
        ) from exc
    except (ssl.SSLError, smtplib.SMTPResponseException) as exc:
        raise MailError(
            f"The secure connection to {where} failed ({exc}); check the security setting "
            "and the port."
        ) from exc
    except ConnectionRefusedError as exc:
        raise MailError(
            f"Nothing answers at {where} (connection refused); check the SMTP server and "
            "port in Settings > Sending email."
        ) from exc
    except socket.gaierror as exc:
        raise MailError(
            f"The mail server '{host}' was not found; check its name, and that this "
            "computer is online."
        ) from exc
    except TimeoutError as exc:
        raise MailError(_timeout_text(where, timeout)) from exc
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read time-out
            raise MailError(_timeout_text(where, timeout)) from exc
        raise MailError(
            f"The mail server {where} closed the connection; check the security setting "
            "and the port."
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"Could not send the email through {where}: {exc}.") from exc
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()


def _timeout_text(where: str, timeout: float) -> str:
    return (
        f"The mail server {where} did not answer within {timeout:g} seconds; check the port, "
        "or try again later."
    )


def _reply(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return " ".join(text.split())


def _refused_text(refused: dict[str, tuple[int, bytes]]) -> str:
    who = ", ".join(refused)
    first = next(iter(refused.values()), (0, b""))
    return f"The mail server refused the recipient {who}: {_reply(first[1])}. Nothing was sent."
