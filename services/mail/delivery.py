"""Getting a finished email out of the composer, on top of ``mail``: the SMTP settings of
the workspace, sending with the password stored for them, the mailto link (when short
enough to carry the text), and the .eml files (a draft for the mail app, or where the
user chose).

The user has confirmed the recipient before any of these is called.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from services.core.credentials import resolve_secret, smtp_key_name
from services.core.output_files import unused_path
from services.mail.message import MailError, build_email, mailto_url, save_eml, send_smtp
from services.settings.views import MailSettings

# mailto carries the text into any mail program; longer links go as an .eml draft, which
# mail programs open as a new message. The limit is on the link as handed over,
# percent-encoded (an accented letter takes 6 characters, most other scripts 9): about
# 2,000 characters is what browsers, Windows' URL handlers and Outlook all take.
MAILTO_LIMIT = 2000


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    from_address: str

    @property
    def sender(self) -> str | None:
        """The From address: the one set, else a user name that is an address."""
        if self.from_address.strip():
            return self.from_address.strip()
        return self.user.strip() if "@" in self.user else None

    @property
    def configured(self) -> bool:
        return bool(self.host.strip()) and self.sender is not None


def smtp_settings(session: Session) -> SmtpSettings:
    """The workspace's SMTP settings (Settings ▸ Sending email)."""
    mail = MailSettings.read(session)
    return SmtpSettings(
        host=mail.host,
        port=mail.port,
        security=mail.security,
        user=mail.user,
        from_address=mail.from_address,
    )


def send_email(
    smtp: SmtpSettings,
    subject: str,
    body: str,
    recipient: str,
    sender: str | None,
    *,
    html: str | None = None,
    timeout: float = 20,
) -> None:
    """Send through the SMTP server with the password stored for its user (MailError,
    saying where to enter it, when none is); ``html``, when given, goes as the
    alternative to the plain text; ``timeout``: seconds to wait for the server."""
    password = None
    if smtp.user:
        password, _source = resolve_secret(smtp_key_name(smtp.host, smtp.user))
        if password is None:
            raise MailError(
                f"No password is stored for {smtp.user} on {smtp.host}. Enter it in "
                "Settings ▸ Sending email."
            )
    message = build_email(subject, body, recipient, sender)
    if html is not None:
        message.add_alternative(html, subtype="html")
    send_smtp(smtp.host, smtp.port, smtp.security, smtp.user or None, password, message,
              timeout=timeout)  # fmt: skip


def mail_app_url(recipient: str, subject: str, body: str) -> str | None:
    """The mailto: link of the email, or None when the link (percent-encoded) would be
    longer than MAILTO_LIMIT characters."""
    url = mailto_url(recipient, subject, body)
    return url if len(url) <= MAILTO_LIMIT else None


def save_draft(
    subject: str, body: str, recipient: str, sender: str | None, folder: Path, customer_id: int
) -> Path:
    """The email as an .eml draft in ``folder`` (named by customer and time), for the mail
    app to open as a new message."""
    message = build_email(subject, body, recipient, sender)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # A second draft for the same customer within the second takes "name (2).eml".
    return save_eml(message, unused_path(folder / f"draft-{customer_id}-{stamp}.eml"))


def save_email(subject: str, body: str, recipient: str, sender: str | None, path: str) -> Path:
    """The email as an .eml file where the user chose."""
    # The save dialog asked before replacing a file.
    return save_eml(build_email(subject, body, recipient, sender), path, force=True)


def eml_file_name(customer: str) -> str:
    """The file name suggested for a customer's email ("email-to-olivia-martin.eml")."""
    name = customer.replace(" ", "-").lower() or "customer"
    return f"email-to-{name}.eml"
