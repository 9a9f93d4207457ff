"""Secrets go through services/core/credentials.py: keyring, then this session, then the env."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import pytest

from models.errors import UserFacingError
from services.core import credentials
from services.core.credentials import (
    SERVICE,
    CredentialsError,
    clear_session_secrets,
    delete_secret,
    get_secret,
    keyring_available,
    keyring_problem,
    llm_key_name,
    resolve_api_key,
    set_secret,
    set_session_secret,
    smtp_key_name,
)
from tests.support.memory_keyring import BrokenKeyring, MemoryKeyring, installed_keyring

SECRET = "sk-test-Zq8v2RkP0wLx"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    clear_session_secrets()
    yield
    clear_session_secrets()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def no_keyring() -> Iterator[keyring.backends.fail.Keyring]:
    with installed_keyring(keyring.backends.fail.Keyring()) as backend:
        yield backend


class _EmptyChainer(keyring.backends.chainer.ChainerBackend):
    """What keyring picks when it found nothing to chain (fixed, whatever this machine has)."""

    backends: list[object] = []


def test_key_names() -> None:
    assert llm_key_name("openai") == "llm:openai"
    assert llm_key_name("local:ollama") == "llm:local:ollama"
    assert smtp_key_name(" Mail.Example.com ", "ana@example.com") == (
        "smtp:mail.example.com:ana@example.com"
    )


def test_keyring_round_trip(memory_keyring: MemoryKeyring) -> None:
    name = llm_key_name("openai")
    assert keyring_available()
    assert keyring_problem() is None
    assert get_secret(name) is None

    set_secret(name, SECRET)
    assert memory_keyring.passwords == {(SERVICE, name): SECRET}
    assert get_secret(name) == SECRET

    delete_secret(name)
    assert get_secret(name) is None
    delete_secret(name)  # deleting what is not there is fine


def test_setting_an_empty_secret_deletes_it(memory_keyring: MemoryKeyring) -> None:
    set_secret("smtp:h:u", "pw")
    set_secret("smtp:h:u", "")
    assert memory_keyring.passwords == {}


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), _EmptyChainer()],
    ids=["fail-keyring", "empty-chainer"],
)
def test_no_backend_is_reported_in_plain_words(backend: keyring.backend.KeyringBackend) -> None:
    with installed_keyring(backend):
        assert not keyring_available()
        problem = keyring_problem()
        assert problem is not None
        assert problem.startswith("No system keyring is available on this computer (")
        assert "OPENAI_API_KEY" in problem
        assert "for this session only" in problem

        with pytest.raises(CredentialsError) as caught:
            set_secret(llm_key_name("openai"), SECRET)
        assert str(caught.value) == problem
        assert isinstance(caught.value, UserFacingError)
        assert SECRET not in str(caught.value)

        assert get_secret(llm_key_name("openai")) is None
        delete_secret(llm_key_name("openai"))  # no keyring: nothing to delete, no error


def test_a_keyring_that_fails_on_use_counts_as_unavailable() -> None:
    with installed_keyring(BrokenKeyring()) as backend:
        assert keyring_available()  # it looks fine until it is used
        assert get_secret("llm:openai") is None
        assert backend.calls == 1
        assert not keyring_available()
        problem = keyring_problem()
        assert problem is not None
        assert "InitError" in problem
        assert "OPENAI_API_KEY" in problem
        with pytest.raises(CredentialsError):
            set_secret("llm:openai", SECRET)
        assert backend.calls == 1  # known broken: not asked again


def test_resolve_api_key_order_keyring_session_environment(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = llm_key_name("openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    set_session_secret(name, "sk-from-session")
    set_secret(name, "sk-from-keyring")

    assert resolve_api_key(name) == ("sk-from-keyring", "keyring")
    delete_secret(name)  # also forgets the session copy
    assert resolve_api_key(name) == ("sk-from-env", "environment")

    set_session_secret(name, "sk-from-session")
    assert resolve_api_key(name) == ("sk-from-session", "session")
    clear_session_secrets()
    assert resolve_api_key(name) == ("sk-from-env", "environment")
    assert resolve_api_key(name, env_var=None) == (None, "none")
    monkeypatch.delenv("OPENAI_API_KEY")
    assert resolve_api_key(name) == (None, "none")


def test_without_a_keyring_the_session_key_is_used(
    no_keyring: keyring.backends.fail.Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = llm_key_name("azure")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    set_session_secret(name, "  sk-session-key\n")
    assert resolve_api_key(name) == ("sk-session-key", "session")  # pasted whitespace trimmed
    assert credentials.get_session_secret(name) == "  sk-session-key\n"


def test_the_environment_variable_is_configurable(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key")
    assert resolve_api_key(llm_key_name("azure"), env_var="AZURE_OPENAI_API_KEY") == (
        "az-key",
        "environment",
    )
    assert resolve_api_key(llm_key_name("azure")) == (None, "none")


def test_secrets_never_reach_the_log(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    name = smtp_key_name("smtp.example.com", "ana")
    set_secret(name, SECRET)
    assert get_secret(name) == SECRET
    resolve_api_key(name)
    delete_secret(name)
    with installed_keyring(BrokenKeyring()):
        get_secret(name)
        with pytest.raises(CredentialsError):
            set_secret(name, SECRET)

    text = "\n".join(r.getMessage() for r in caplog.records)
    assert name in text  # the log does record what happened...
    assert "InitError" in text
    assert SECRET not in text  # ...but never the secret
