"""Settings ▸ Email drafting and Sending email: what the dialog's values mean for the
provider, the API key and the SMTP password, and the slow checks run on workers.

The dialog holds values, not a session, so ``provider_config`` reads the provider from
the dialog's current values (the same mapping ``services.outreach.prompt`` makes from a
session). Secrets never become settings: the API key and the SMTP password go to the
system keyring through services/core/credentials.py (or, with no keyring, are held for this
session only).

Blocking functions (the network, the keyring) are plain and tested without Qt;
``EmailSettingsActions`` runs them on the job runner's network pool for the dialog
(views/settings/email_pages.py ``EmailSettingsSource``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject

from models.errors import UserFacingError
from services.llm.errors import LLMError
from services.llm.providers import (
    PRESETS,
    ProviderConfig,
    config_from_preset,
    find_preset,
    host_of,
    is_local,
    needs_key,
    validate_config,
)
from views.kit.jobs import JobRunner
from views.settings.email_pages import CheckOutcome, ProviderChoice, SecretKind, SecretState

log = logging.getLogger(__name__)

ListModelsFn = Callable[[ProviderConfig, str | None], list[str]]
TestConnectionFn = Callable[[ProviderConfig, str | None], str]

NONE_TITLE = "None: template drafts only"
# What each field of outreach.sent_fields is called in the dialog (services.settings
# PRIVACY_FIELDS; a test checks that every field has a label).
FIELD_LABELS = {
    "first_name": "First name",
    "surname": "Surname",
    "email": "Email address",
    "phone": "Phone",
    "company": "Company",
    "region": "Region",
    "tier": "Tier",
    "tenure": "Customer since",
    "last_order": "Last order",
    "categories": "Favourite categories",
    "segment": "Segment",
    "drivers": "Score drivers",
    "tickets": "Support tickets (quoted)",
    "reviews": "Reviews (quoted)",
    "owner": "Account manager",
}
SECURITY_LABELS = {
    "starttls": "STARTTLS (usually port 587)",
    "ssl": "SSL/TLS (usually port 465)",
    "none": "None: not encrypted (port 25)",
}
URL_HINTS = {
    "azure": "https://YOUR-RESOURCE.openai.azure.com",
    "other": "http://server:port/v1",
}
SECRET_WORDS = {"api_key": "API key", "smtp_password": "SMTP password"}
BUG_TEXT = "Something went wrong; details were written to the log."


class SecretsNotStored(UserFacingError):
    """A typed API key or SMTP password could not be stored; the message says why."""


# -- providers -----------------------------------------------------------------------------


def provider_choices() -> tuple[ProviderChoice, ...]:
    """The Provider box's entries: none, then every preset, in the settings' order."""
    choices = [ProviderChoice("none", NONE_TITLE, "none", "")]
    for preset in PRESETS:
        # Azure's address is the user's own resource, and "other" is anybody's server:
        # nothing sensible to fill in, only a hint of the shape.
        fill = "" if preset.id in URL_HINTS else preset.base_url
        choices.append(
            ProviderChoice(preset.id, preset.title, preset.kind, fill, URL_HINTS.get(preset.id, ""))
        )
    return tuple(choices)


def preset_title(preset_id: str) -> str:
    """The Provider box's words for an llm.preset value."""
    if preset_id == "none":
        return NONE_TITLE
    preset = find_preset(preset_id)
    return preset.title if preset else preset_id


def _number(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def provider_config(values: Mapping[str, Any]) -> ProviderConfig | None:
    """The provider the dialog's values describe; None when drafting uses templates only
    (llm.preset "none") or the preset is unknown.

    An empty base URL takes the preset's address, except for Azure, whose address is the
    user's own resource (left empty, so ``connection_problem`` asks for it).
    """
    preset_id = str(values.get("llm.preset") or "none")
    preset = find_preset(preset_id)
    if preset is None:
        return None
    base_url = str(values.get("llm.base_url") or "").strip()
    config = config_from_preset(
        preset_id,
        model=str(values.get("llm.model") or ""),
        base_url=base_url,
        temperature=_number(values.get("llm.temperature"), 0.7),
        timeout_s=_number(values.get("llm.timeout_s"), 60.0),
        api_version=str(values.get("llm.azure_api_version") or ""),
    )
    if preset.kind == "azure" and not base_url:
        return replace(config, base_url="")
    return config


def connection_problem(values: Mapping[str, Any], *, need_model: bool = True) -> str | None:
    """What is missing before the server can be asked anything, in plain words; None
    when nothing is. ``need_model`` False: enough to list the models."""
    config = provider_config(values)
    if config is None:
        return "Choose a provider first (Provider, above)."
    if not config.base_url:
        if config.kind == "azure":
            return (
                "Enter your Azure OpenAI resource endpoint as the base URL, e.g. "
                "https://YOUR-RESOURCE.openai.azure.com."
            )
        return "Enter the server's base URL, e.g. http://localhost:11434/v1."
    if not need_model and not config.model_label:
        config = replace(config, model="-")  # any name will do
    problem = validate_config(config)
    if problem == "Choose a model.":
        return "Choose a model first: type its name, or use List models."
    return problem


def key_env_var(config: ProviderConfig | None) -> str | None:
    """The environment variable a provider's key may come from (None: only the keyring)."""
    from services.outreach.drafting import KEY_ENV_VARS

    return KEY_ENV_VARS.get(config.kind) if config is not None else None


def key_note(values: Mapping[str, Any]) -> str:
    """Whether the provider in ``values`` needs a key, and where one is kept (instant)."""
    config = provider_config(values)
    if config is None:
        return ""
    if not needs_key(config):
        if is_local(config):
            return "No key needed for a server on this computer."
        return "Servers on your network usually need no key; enter one only if yours asks for it."
    where = (
        "Create one at platform.openai.com under API keys."
        if config.kind == "openai"
        else "It is on the Azure portal, under the resource's Keys and Endpoint."
    )
    env = key_env_var(config)
    also = f"; the {env} environment variable works too" if env else ""
    # The keyring is the person's (this computer's login): the key is theirs in every
    # workspace, as the provider is.
    return (
        f"{where} It is kept in your system keyring, the same in every workspace and never "
        f"in one{also}."
    )


# The hosts a provider's key belongs at; a key for another host gets a warning (it may be
# the company's own gateway, so it is not refused).
KEY_HOSTS = {"openai": ("api.openai.com",), "azure": (".openai.azure.com", ".azure.com")}


def key_warning(values: Mapping[str, Any]) -> str:
    """A warning when the provider's key would go to a host that is not the provider's own
    (an OpenAI key to another server, say); "" otherwise. Instant."""
    config = provider_config(values)
    if config is None or config.kind not in KEY_HOSTS or not config.base_url:
        return ""
    host = host_of(config.base_url)
    if not host:
        return ""
    if any(host == h or (h.startswith(".") and host.endswith(h)) for h in KEY_HOSTS[config.kind]):
        return ""
    owner = "OpenAI's (api.openai.com)" if config.kind == "openai" else "on azure.com"
    return (
        f"The key will be sent to {host}, which is not {owner}. Use this address only if it "
        "is your company's gateway to the service; otherwise choose another provider."
    )


# -- secrets -------------------------------------------------------------------------------


def secret_name(what: SecretKind, values: Mapping[str, Any]) -> str | None:
    """The keyring name of the API key or SMTP password ``values`` point at; None when
    there is nothing to name (no provider; no SMTP server or user)."""
    from services.core import credentials  # keyring: not at start-up

    if what == "api_key":
        config = provider_config(values)
        return credentials.llm_key_name(config.provider_id) if config is not None else None
    host = str(values.get("smtp.host") or "").strip()
    user = str(values.get("smtp.user") or "").strip()
    if not host or not user:
        return None
    return credentials.smtp_key_name(host, user)


def keyring_problem_words(what: SecretKind, config: ProviderConfig | None = None) -> str | None:
    """Why nothing can be kept in the system keyring, with what to do instead for this
    secret; None when the keyring works. Blocking (the keyring may be slow to start)."""
    from services.core import credentials  # keyring: not at start-up

    problem = credentials.keyring_problem()
    if problem is None:
        return None
    # keyring_problem() ends with advice for an OpenAI key; give each secret its own.
    head, sep, _ = problem.partition(". Set the ")
    if not sep:
        return problem
    head += "."
    if what == "smtp_password":
        return f"{head} The password cannot be remembered: use it for this session only."
    env = key_env_var(config)
    if env:
        return f"{head} Set the {env} environment variable, or use the key for this session only."
    return f"{head} Use the key for this session only."


def secret_state(what: SecretKind, values: Mapping[str, Any]) -> SecretState:
    """Where the secret ``values`` point at comes from, in words; never the secret itself.
    Blocking (reads the keyring): run it on a worker."""
    from services.core import credentials  # keyring: not at start-up

    config = provider_config(values) if what == "api_key" else None
    problem = keyring_problem_words(what, config)
    name = secret_name(what, values)
    if name is None:
        return SecretState("none", "", problem)
    if what == "smtp_password":
        _value, source = credentials.resolve_secret(name)
        text = {
            "keyring": "A password is stored in the system keyring.",
            "session": "A password is set for this session only; it is forgotten when "
            "Account Radar quits.",
        }.get(source, "No password is stored for this server and user yet.")
        return SecretState(source, text, problem)
    assert config is not None
    env = key_env_var(config)
    _value, source = credentials.resolve_api_key(name, env)
    if source == "keyring":
        text = "A key is stored in the system keyring."
    elif source == "session":
        text = "A key is set for this session only; it is forgotten when Account Radar quits."
    elif source == "environment":
        text = f"The key comes from the {env} environment variable."
    elif needs_key(config):
        text = "No key is stored yet."
    else:
        text = ""  # the note says whether this server needs one
    return SecretState(source, text, problem, optional=not needs_key(config))


def use_for_session(what: SecretKind, values: Mapping[str, Any], secret: str) -> None:
    """Hold a secret in memory for this session (nothing is written anywhere)."""
    from services.core import credentials  # keyring: not at start-up

    name = secret_name(what, values)
    if name is None:
        raise SecretsNotStored(
            "Choose a provider first."
            if what == "api_key"
            else "Enter the SMTP server and user name first."
        )
    credentials.set_session_secret(name, secret.strip())


def forget_secret(what: SecretKind, values: Mapping[str, Any]) -> CheckOutcome:
    """Remove the API key or SMTP password ``values`` point at from the system keyring
    and from this session. Blocking (the keyring)."""
    from services.core import credentials  # keyring: not at start-up

    words = SECRET_WORDS[what]
    name = secret_name(what, values)
    if name is None:
        return CheckOutcome(False, f"There is no {words} to forget here.")
    try:
        credentials.delete_secret(name)
    except credentials.CredentialsError as exc:
        return CheckOutcome(False, f"The {words} was not removed. {exc}")
    if what == "api_key":
        from services.llm.client import forget_clients_for

        config = provider_config(values)
        if config is not None:
            forget_clients_for(config)  # no client made with the old key stays cached
    return CheckOutcome(True, f"The {words} was removed.")


def store_secrets(values: Mapping[str, Any], secrets: Mapping[str, str]) -> list[str]:
    """Store typed secrets ("api_key", "smtp_password") in the system keyring, under the
    names ``values`` give them. Returns what was stored, in words ("API key").

    Every secret is tried; SecretsNotStored names those that failed and why. Blocking.
    """
    from services.core import credentials  # keyring: not at start-up

    stored: list[str] = []
    failed: list[str] = []
    for what, secret in secrets.items():
        if what not in SECRET_WORDS or not secret.strip():
            continue
        kind: SecretKind = "api_key" if what == "api_key" else "smtp_password"
        words = SECRET_WORDS[kind]
        name = secret_name(kind, values)
        if name is None:
            failed.append(f"The {words} was not stored: nothing to store it for.")
            continue
        try:
            credentials.set_secret(name, secret.strip())
        except credentials.CredentialsError as exc:
            failed.append(f"The {words} was not stored. {exc}")
        else:
            stored.append(words)
    if failed:
        raise SecretsNotStored(" ".join(failed))
    return stored


# -- the server ----------------------------------------------------------------------------


def _key_for(config: ProviderConfig, typed: str) -> str | None:
    if typed.strip():
        return typed.strip()  # test what the user is about to save
    from services.outreach.drafting import resolve_key

    return resolve_key(config)[0]


def check_models(
    values: Mapping[str, Any], api_key: str = "", *, lister: ListModelsFn | None = None
) -> CheckOutcome:
    """Ask the server in ``values`` for its models. Blocking (the network)."""
    problem = connection_problem(values, need_model=False)
    if problem is not None:
        return CheckOutcome(False, problem)
    config = provider_config(values)
    assert config is not None
    if not config.model_label:
        config = replace(config, model="-")  # listing needs none
    if lister is None:
        from services.llm.client import list_models

        lister = list_models
    try:
        models = tuple(lister(config, _key_for(config, api_key)))
    except (LLMError, UserFacingError) as exc:
        return CheckOutcome(False, str(exc))
    if not models:
        return CheckOutcome(
            True,
            f"The server at {config.base_url} lists no models. Type the model's name as the "
            "server knows it.",
        )
    found = "1 model" if len(models) == 1 else f"{len(models)} models"
    return CheckOutcome(True, f"{found} found; pick one in the list.", models)


def check_connection(
    values: Mapping[str, Any], api_key: str = "", *, tester: TestConnectionFn | None = None
) -> CheckOutcome:
    """Check the server, the key and the model with a tiny request. Blocking."""
    problem = connection_problem(values)
    if problem is not None:
        return CheckOutcome(False, problem)
    config = provider_config(values)
    assert config is not None
    if tester is None:
        from services.llm.client import test_connection

        tester = test_connection
    try:
        return CheckOutcome(True, tester(config, _key_for(config, api_key)))
    except (LLMError, UserFacingError) as exc:
        return CheckOutcome(False, str(exc))


# -- a test email ----------------------------------------------------------------------------

TEST_SUBJECT = "Account Radar: test email"
TEST_BODY = (
    "This is a test email from Account Radar.\n\n"
    "It was sent through {where} to check the settings under Settings > Sending email. "
    "Emails you send from the composer will go out the same way.\n"
)
SendFn = Callable[..., None]


def send_test_email(
    values: Mapping[str, Any],
    password: str = "",
    *,
    sender: SendFn | None = None,
    own_address: str | None = None,
) -> CheckOutcome:
    """Send a short email to the From address through the SMTP server in ``values``, with
    the typed ``password`` or else the stored one. Blocking (the network, the keyring).

    ``own_address``: the user's own address (File ▸ Who I am…), the From when the
    settings name none, as in the composer."""
    from services.core import credentials  # keyring: not at start-up
    from services.mail.message import MailError, build_email, send_smtp

    host = str(values.get("smtp.host") or "").strip()
    user = str(values.get("smtp.user") or "").strip()
    security = str(values.get("smtp.security") or "starttls")
    try:
        port = int(values.get("smtp.port") or 0)
    except (TypeError, ValueError):
        port = 0
    address = (
        str(values.get("smtp.from_address") or "").strip()
        or (user if "@" in user else "")
        or (own_address or "")
    )
    if not host:
        return CheckOutcome(False, "Enter the SMTP server first.")
    if not address:
        return CheckOutcome(False, "Enter the From address first: the test email goes there.")
    if not 0 < port < 65536:
        return CheckOutcome(False, "Enter the server's port (587 for STARTTLS, 465 for SSL).")
    secret: str | None = password.strip() or None
    if user and secret is None:
        secret, _source = credentials.resolve_secret(credentials.smtp_key_name(host, user))
        if secret is None:
            return CheckOutcome(False, f"Enter the password for {user} first.")
    send = sender or send_smtp
    where = f"{host}:{port}"
    try:
        message = build_email(TEST_SUBJECT, TEST_BODY.format(where=where), address, address)
        send(host, port, security, user or None, secret, message)
    except MailError as exc:
        return CheckOutcome(False, str(exc))
    return CheckOutcome(True, f"Sent a test email to {address} through {where}; check the inbox.")


# -- the dialog's source ------------------------------------------------------------------


class EmailSettingsActions:
    """The email pages' source (views.settings.email_pages.EmailSettingsSource): the
    network and the keyring on the job runner's network pool, answers on the UI thread.

    ``lister`` and ``tester`` replace services.llm.client's list_models and
    test_connection, ``sender`` services.mail.message.send_smtp (tests wrap the real
    ones to see which thread they ran on).
    """

    def __init__(
        self,
        jobs: JobRunner,
        *,
        lister: ListModelsFn | None = None,
        tester: TestConnectionFn | None = None,
        sender: SendFn | None = None,
        own_address: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._jobs = jobs
        self._lister = lister
        self._tester = tester
        self._sender = sender
        self._own_address = own_address

    def providers(self) -> tuple[ProviderChoice, ...]:
        return provider_choices()

    def key_note(self, values: Mapping[str, Any]) -> str:
        return key_note(values)

    def key_warning(self, values: Mapping[str, Any]) -> str:
        return key_warning(values)

    def list_models(
        self,
        values: Mapping[str, Any],
        api_key: str,
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        snapshot = dict(values)
        self._run(
            lambda: check_models(snapshot, api_key, lister=self._lister),
            owner,
            (id(owner), "list_models"),
            "list models",
            done,
            CheckOutcome(False, BUG_TEXT),
        )

    def test_connection(
        self,
        values: Mapping[str, Any],
        api_key: str,
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        snapshot = dict(values)
        self._run(
            lambda: check_connection(snapshot, api_key, tester=self._tester),
            owner,
            (id(owner), "test_connection"),
            "test connection",
            done,
            CheckOutcome(False, BUG_TEXT),
        )

    def secret_state(
        self,
        what: SecretKind,
        values: Mapping[str, Any],
        owner: QObject,
        done: Callable[[SecretState], None],
    ) -> None:
        snapshot = dict(values)
        self._run(
            lambda: secret_state(what, snapshot),
            owner,
            (id(owner), "secret_state", what),
            "look up a stored secret",
            done,
            SecretState("none", "Could not look for a stored secret."),
        )

    def use_for_session(self, what: SecretKind, values: Mapping[str, Any], secret: str) -> None:
        use_for_session(what, values, secret)

    def send_test_email(
        self,
        values: Mapping[str, Any],
        password: str,
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        snapshot, own = dict(values), self._own_address()
        self._run(
            lambda: send_test_email(snapshot, password, sender=self._sender, own_address=own),
            owner,
            (id(owner), "send_test_email"),
            "send a test email",
            done,
            CheckOutcome(False, BUG_TEXT),
        )

    def forget_secret(
        self,
        what: SecretKind,
        values: Mapping[str, Any],
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        snapshot = dict(values)
        self._run(
            lambda: forget_secret(what, snapshot),
            owner,
            (id(owner), "forget_secret", what),
            "remove a stored secret",
            done,
            CheckOutcome(False, BUG_TEXT),
        )

    def _run(
        self,
        fn: Callable[[], Any],
        owner: QObject,
        key: Hashable,
        label: str,
        done: Callable[[Any], None],
        on_bug: Any,
    ) -> None:
        def failed(error: BaseException) -> None:
            # The checks turn every expected failure into words; this is a bug.
            self._jobs.present_error(error)
            done(on_bug)

        (
            self._jobs.operation(
                lambda _state: fn(), parent=owner, pool="work", key=key, label=label
            )
            .success(done)
            .failure(failed)
            .run()
        )
