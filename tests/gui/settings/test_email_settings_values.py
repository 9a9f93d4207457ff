"""app/gui/email_settings.py without widgets: the provider the dialog's values describe, the
keyring names of the secrets, what the page says about keys, and storing typed secrets.

(In tests/gui only because app/ modules import Qt types; nothing here shows a widget.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring.backends.fail
import pytest

from app.gui.email_settings import (
    FIELD_LABELS,
    SecretsNotStored,
    connection_problem,
    key_note,
    key_warning,
    provider_choices,
    provider_config,
    secret_name,
    secret_state,
    store_secrets,
)
from app.workspace import Workspace
from services.core import credentials
from services.settings import LLM_PRESETS, PRIVACY_FIELDS, SETTINGS
from tests.support.memory_keyring import MemoryKeyring, installed_keyring

KEY = "sk-test-V4lu3s-8c1d"


def values(**changes: Any) -> dict[str, Any]:
    out = {key: spec.default for key, spec in SETTINGS.items()}
    out.update({k.replace("__", "."): v for k, v in changes.items()})
    return out


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    credentials.clear_session_secrets()
    yield
    credentials.clear_session_secrets()


def test_no_provider_means_no_config() -> None:
    assert provider_config(values()) is None
    assert provider_config(values(llm__preset="nonsense")) is None
    assert connection_problem(values()) == "Choose a provider first (Provider, above)."


def test_a_preset_with_an_empty_address_takes_the_presets() -> None:
    config = provider_config(values(llm__preset="ollama", llm__model=" llama3.2 "))
    assert config is not None
    assert config.base_url == "http://localhost:11434/v1"
    assert config.kind == "local"
    assert config.provider_id == "local:ollama"
    assert config.model == "llama3.2"
    assert connection_problem(values(llm__preset="ollama", llm__model="llama3.2")) is None


def test_the_users_address_and_numbers_are_used() -> None:
    config = provider_config(
        values(
            llm__preset="openai",
            llm__base_url=" https://proxy.example.com/v1 ",
            llm__model="gpt-4o-mini",
            llm__temperature=0.2,
            llm__timeout_s=15,
        )
    )
    assert config is not None
    assert config.base_url == "https://proxy.example.com/v1"
    assert (config.temperature, config.timeout_s) == (0.2, 15.0)
    assert config.provider_id == "openai"


def test_azure_asks_for_the_users_own_endpoint() -> None:
    v = values(llm__preset="azure", llm__model="drafts")
    config = provider_config(v)
    assert config is not None
    assert config.base_url == ""
    assert config.kind == "azure"
    assert "Azure OpenAI resource endpoint" in (connection_problem(v) or "")
    v["llm.base_url"] = "https://acme.openai.azure.com"
    assert connection_problem(v) is None
    v["llm.azure_api_version"] = ""
    assert "API version" in (connection_problem(v) or "")


def test_listing_models_needs_no_model_but_testing_does() -> None:
    v = values(llm__preset="lmstudio")
    assert connection_problem(v, need_model=False) is None
    assert "Choose a model first" in (connection_problem(v) or "")


def test_the_dialogs_config_is_the_one_drafting_will_use(demo_workspace: Workspace) -> None:
    from services.outreach.prompt import provider_from_settings
    from services.settings import set_settings

    changes = {
        "llm.preset": "vllm",
        "llm.base_url": "http://gpu-box.lan:8000/v1",
        "llm.model": "Qwen/Qwen2.5-7B-Instruct",
        "llm.temperature": 0.3,
        "llm.timeout_s": 90,
    }
    with demo_workspace.sessions() as session, session.begin():
        set_settings(session, changes)
    expected = provider_config({**values(), **changes})
    assert expected is not None
    with demo_workspace.sessions() as session:
        assert provider_from_settings(session) == expected


def test_every_privacy_field_and_preset_has_words() -> None:
    assert set(FIELD_LABELS) == set(PRIVACY_FIELDS)
    assert FIELD_LABELS["email"] == "Email address"
    assert FIELD_LABELS["surname"] == "Surname"
    choices = provider_choices()
    assert tuple(c.id for c in choices) == LLM_PRESETS
    by_id = {c.id: c for c in choices}
    assert by_id["lmstudio"].base_url == "http://localhost:1234/v1"
    assert by_id["azure"].base_url == ""
    assert by_id["other"].base_url == ""


def test_key_notes() -> None:
    assert key_note(values()) == ""
    local = values(llm__preset="llamacpp")
    assert key_note(local) == "No key needed for a server on this computer."
    lan = values(llm__preset="vllm", llm__base_url="http://gpu-box.lan:8000/v1")
    assert "network usually need no key" in key_note(lan)
    assert "OPENAI_API_KEY" in key_note(values(llm__preset="openai"))
    assert "AZURE_OPENAI_API_KEY" in key_note(values(llm__preset="azure"))


def test_a_key_bound_for_a_host_not_the_providers_own_is_warned_of() -> None:
    assert key_warning(values(llm__preset="openai")) == ""
    official = values(llm__preset="openai", llm__base_url="https://api.openai.com/v1")
    assert key_warning(official) == ""
    other = key_warning(values(llm__preset="openai", llm__base_url="https://llm.example.net/v1"))
    assert "llm.example.net" in other
    assert "api.openai.com" in other
    azure = "https://contoso.openai.azure.com"
    assert key_warning(values(llm__preset="azure", llm__base_url=azure)) == ""
    assert "azure.com" in key_warning(values(llm__preset="azure", llm__base_url="https://x.io"))
    lan = values(llm__preset="vllm", llm__base_url="http://gpu-box.lan:8000/v1")
    assert key_warning(lan) == ""  # a local server's key (if any) is the user's own
    assert key_warning(values()) == ""


def test_secret_names() -> None:
    assert secret_name("api_key", values()) is None
    assert secret_name("api_key", values(llm__preset="openai")) == "llm:openai"
    assert secret_name("api_key", values(llm__preset="ollama")) == "llm:local:ollama"
    assert secret_name("smtp_password", values(smtp__host="mail.example.com")) is None
    smtp = values(smtp__host=" Mail.Example.com ", smtp__user="ana")
    assert secret_name("smtp_password", smtp) == credentials.smtp_key_name(
        "mail.example.com", "ana"
    )


def test_store_secrets_in_the_keyring() -> None:
    smtp = values(llm__preset="azure", smtp__host="mail.example.com", smtp__user="ana")
    with installed_keyring(MemoryKeyring()) as backend:
        stored = store_secrets(smtp, {"api_key": f" {KEY}\n", "smtp_password": "pw"})
        assert stored == ["API key", "SMTP password"]
        assert backend.passwords == {
            (credentials.SERVICE, "llm:azure"): KEY,
            (credentials.SERVICE, "smtp:mail.example.com:ana"): "pw",
        }
        state = secret_state("api_key", smtp)
        assert state.source == "keyring"
        assert state.problem is None
        assert KEY not in state.text


def test_without_a_keyring_storing_fails_in_plain_words_without_the_secret() -> None:
    with installed_keyring(keyring.backends.fail.Keyring()):
        with pytest.raises(SecretsNotStored) as caught:
            store_secrets(values(llm__preset="openai"), {"api_key": KEY})
        state = secret_state("api_key", values(llm__preset="azure"))
    message = str(caught.value)
    assert message.startswith("The API key was not stored.")
    assert "No system keyring is available" in message
    assert KEY not in message
    # Each provider is told about its own environment variable.
    assert state.problem is not None
    assert "AZURE_OPENAI_API_KEY" in state.problem
