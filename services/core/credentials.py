"""Secrets (API keys, SMTP and database passwords): only through here, on top of the
system keyring.

With no usable keyring (a headless Linux without a Secret Service, say) the app says so in
plain words and offers the environment variable or a key held for this session only.
Nothing here logs, prints or reprs a secret; names are safe to log, values never.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Literal

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.errors

from models.errors import UserFacingError

log = logging.getLogger(__name__)

SERVICE = "Account Radar"

SecretSource = Literal["keyring", "session", "environment", "none"]

_session: dict[str, str] = {}
_lock = threading.Lock()
# A backend that looked usable but failed when used (no D-Bus session, say), and why.
_broken: tuple[keyring.backend.KeyringBackend, str] | None = None


class CredentialsError(UserFacingError):
    """A secret could not be stored; the message says why and what to do instead."""


def llm_key_name(provider_id: str) -> str:
    """The secret's name for a language-model provider's API key ("llm:openai")."""
    return f"llm:{provider_id}"


def smtp_key_name(host: str, user: str) -> str:
    """The secret's name for an SMTP password ("smtp:<host>:<user>", host in lower case)."""
    return f"smtp:{host.strip().lower()}:{user.strip()}"


def postgres_key_name(user: str, host: str, port: int, database: str) -> str:
    """The secret's name for a shared workspace's database password
    ("postgres:<user>@<host>:<port>/<database>", host in lower case)."""
    return f"postgres:{user.strip()}@{host.strip().lower()}:{port}/{database.strip()}"


# -- is there a keyring? ------------------------------------------------------------------------


def _backend() -> keyring.backend.KeyringBackend | None:
    try:
        return keyring.get_keyring()
    except Exception:  # keyring's own start-up may fail in odd environments
        log.warning("The system keyring could not be loaded", exc_info=True)
        return None


def _backend_problem(backend: keyring.backend.KeyringBackend | None) -> str | None:
    """Why this backend cannot keep secrets (short, for inside a sentence), or None."""
    if backend is None:
        return "the keyring library could not start"
    if _broken is not None and _broken[0] is backend:
        return _broken[1]
    if isinstance(backend, keyring.backends.fail.Keyring):
        return _no_backend_reason()
    if isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends:
        return _no_backend_reason()
    try:
        priority = float(backend.priority)
    except Exception:  # a backend signals "not usable here" by raising from priority
        return _no_backend_reason()
    if priority <= 0:
        return _no_backend_reason()
    return None


def _no_backend_reason() -> str:
    if sys.platform.startswith("linux"):
        return "no Secret Service, such as GNOME Keyring or KWallet, is running"
    return "no keyring backend was found"


def keyring_available() -> bool:
    """True when a system keyring can store secrets."""
    return _backend_problem(_backend()) is None


def keyring_problem() -> str | None:
    """Why secrets cannot be kept in the system keyring, in plain words; None when they can."""
    problem = _backend_problem(_backend())
    if problem is None:
        return None
    return (
        f"No system keyring is available on this computer ({problem}). Set the "
        "OPENAI_API_KEY environment variable, or enter the key for this session only."
    )


def _mark_broken(backend: keyring.backend.KeyringBackend, exc: BaseException) -> None:
    global _broken
    # The exception's text can be long and technical; its type names the failure.
    _broken = (backend, f"the keyring failed: {type(exc).__name__}")
    log.warning("The system keyring failed (%s); secrets stay in this session", type(exc).__name__)


# -- the keyring --------------------------------------------------------------------------------


def get_secret(name: str) -> str | None:
    """The secret stored in the keyring under ``name``, or None (also when there is no keyring)."""
    backend = _backend()
    if backend is None or _backend_problem(backend) is not None:
        return None
    try:
        return backend.get_password(SERVICE, name)
    except keyring.errors.KeyringLocked:
        log.info("The keyring stayed locked; %s not read", name)
        return None
    except (keyring.errors.NoKeyringError, keyring.errors.InitError) as exc:
        _mark_broken(backend, exc)
        return None
    except keyring.errors.KeyringError as exc:
        log.warning("Could not read %s from the keyring (%s)", name, type(exc).__name__)
        return None


def set_secret(name: str, value: str) -> None:
    """Store a secret in the keyring; CredentialsError when there is no usable keyring."""
    if not value:
        delete_secret(name)
        return
    backend = _backend()
    problem = keyring_problem()
    if backend is None or problem is not None:
        raise CredentialsError(problem or "No system keyring is available on this computer.")
    try:
        backend.set_password(SERVICE, name, value)
    except (keyring.errors.NoKeyringError, keyring.errors.InitError) as exc:
        _mark_broken(backend, exc)
        raise CredentialsError(keyring_problem() or "The keyring failed.") from None
    except keyring.errors.KeyringError as exc:
        # from None: the backend's exception could quote what it was given.
        raise CredentialsError(
            f"The system keyring did not store the secret ({type(exc).__name__}). Unlock the "
            "keyring and try again, or enter the key for this session only."
        ) from None
    log.info("Stored %s in the system keyring", name)


def delete_secret(name: str) -> None:
    """Forget a secret: from the keyring (if there is one) and from this session."""
    with _lock:
        _session.pop(name, None)
    backend = _backend()
    if backend is None or _backend_problem(backend) is not None:
        return
    try:
        backend.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass  # nothing was stored under that name
    except (keyring.errors.NoKeyringError, keyring.errors.InitError) as exc:
        _mark_broken(backend, exc)
    except keyring.errors.KeyringError as exc:
        raise CredentialsError(
            f"The system keyring did not delete the secret ({type(exc).__name__}). Unlock the "
            "keyring and try again."
        ) from None
    else:
        log.info("Deleted %s from the system keyring", name)


# -- this session only --------------------------------------------------------------------------


def set_session_secret(name: str, value: str) -> None:
    """Hold a secret in memory until the app quits (when there is no keyring, or by choice)."""
    with _lock:
        if value:
            _session[name] = value
        else:
            _session.pop(name, None)


def get_session_secret(name: str) -> str | None:
    """The secret held for this session under ``name``, or None."""
    with _lock:
        return _session.get(name)


def clear_session_secrets() -> None:
    """Forget every secret held for this session."""
    with _lock:
        _session.clear()


# -- where a key comes from ---------------------------------------------------------------------


def resolve_secret(name: str) -> tuple[str | None, SecretSource]:
    """The secret and where it came from: the keyring first, then this session."""
    value = get_secret(name)
    if value:
        return value, "keyring"
    value = get_session_secret(name)
    if value:
        return value, "session"
    return None, "none"


def resolve_api_key(
    name: str, env_var: str | None = "OPENAI_API_KEY"
) -> tuple[str | None, SecretSource]:
    """The API key and its source: keyring, then session, then the environment variable."""
    value, source = resolve_secret(name)
    if value:
        return value.strip(), source  # keys pasted with a trailing newline still work
    if env_var:
        env_value = os.environ.get(env_var, "").strip()
        if env_value:
            return env_value, "environment"
    return None, "none"
