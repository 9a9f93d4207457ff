"""The webhook's address: checked, and kept only in the system keyring.

An incoming webhook's address is all it takes to post to the channel, so it is a secret
(services/core/credentials.py: the keyring, or this session only when there is none;
never a file). The known hosts are Slack's (``hooks.slack.com``), Teams' incoming
webhooks (``*.webhook.office.com``) and Teams workflows (Power Automate:
``*.logic.azure.com``, ``*.powerautomate.com``, ``*.powerplatform.com``,
``flow.microsoft.com``). Any other https address is taken (a self-hosted chat, a proxy)
and its host is shown so the person can see where posts go; plain http only to this
computer (loopback), never across a network.
"""

from __future__ import annotations

import hashlib
import ipaddress
import urllib.parse

from services.core.credentials import (
    CredentialsError,
    delete_secret,
    resolve_secret,
    set_secret,
    set_session_secret,
)

SECRET_NAME = "notify:webhook"
SLACK_HOSTS = ("hooks.slack.com",)
TEAMS_SUFFIXES = (
    ".webhook.office.com",
    ".logic.azure.com",
    ".powerautomate.com",
    ".powerplatform.com",
)
TEAMS_HOSTS = ("flow.microsoft.com", "api.powerautomate.com", "api.powerplatform.com")
LOOPBACK_NAMES = ("localhost",)
MAX_LENGTH = 2048
NO_KEYRING = (
    "The webhook's address was not kept: it is kept only in the system keyring, never in a "
    "file, and no keyring is available on this computer. Start one (GNOME Keyring or "
    "KWallet, say) and paste the address again; the window can keep it for its session only."
)


def _host(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a webhook's address, in plain words; None when fine."""
    text = url.strip()
    if not text:
        return "Paste the webhook's address (it starts with https://)."
    if len(text) > MAX_LENGTH or any(c.isspace() or ord(c) < 32 for c in text):
        return "That is not a web address: paste the webhook's address as the service gave it."
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "That is not a web address: paste the webhook's address as the service gave it."
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return "The address must start with https:// and name a server."
    if parts.username or parts.password:
        return "The address must not carry a user name or password."
    if parts.scheme == "http" and not _loopback(host):
        return (
            f"Posts to {host} would cross the network unencrypted: use the https:// address "
            "(plain http is only for a server on this computer)."
        )
    return None


def service_of_host(url: str) -> str | None:
    """ "slack" or "teams" when the address is one of that service's known hosts, else None."""
    host = _host(url)
    if host in SLACK_HOSTS:
        return "slack"
    if host in TEAMS_HOSTS or host.endswith(TEAMS_SUFFIXES):
        return "teams"
    return None


def where_words(url: str, service: str) -> str:
    """Where posts to ``url`` go, in a sentence: the known service, or the host in full."""
    host = _host(url)
    known = service_of_host(url)
    label = "Slack" if service == "slack" else "Microsoft Teams"
    if known == service:
        return f"Posts go to {label} ({host})."
    if known is not None:
        other = "Slack" if known == "slack" else "Microsoft Teams"
        return f"This is a {other} address, but {label} is chosen: posts to {host} may be refused."
    return f"Posts go to {host}, which is not {label}'s own server: check it is yours."


def url_hash(url: str) -> str:
    """A short hash standing for the webhook in what is kept (never the address itself)."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


def stored_webhook() -> str | None:
    """The webhook's address kept in the keyring (or for this session), or None."""
    value, _source = resolve_secret(SECRET_NAME)
    return value.strip() if value else None


def store_webhook(url: str, *, session_only: bool = False) -> None:
    """Keep the webhook's address in the keyring (checked first); CredentialsError when
    there is no keyring (nothing is written to a file), ValueError for a bad address."""
    problem = webhook_problem(url)
    if problem is not None:
        raise ValueError(problem)
    if session_only:
        set_session_secret(SECRET_NAME, url.strip())
        return
    try:
        set_secret(SECRET_NAME, url.strip())
    except CredentialsError:
        raise CredentialsError(NO_KEYRING) from None


def forget_webhook() -> None:
    """Forget the webhook's address (keyring and session)."""
    delete_secret(SECRET_NAME)
