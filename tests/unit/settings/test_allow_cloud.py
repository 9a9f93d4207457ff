# ruff: noqa: F811  (the fixtures imported from test_outreach_prompt are parameters here)
"""llm.allow_cloud: an organisation that allows only its own AI servers. A cloud provider
(OpenAI, Azure, any public AI service's domain) is never asked: drafts fall back to the
templates with the reason; a server of the company's own still works."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import session_scope
from services.core.credentials import llm_key_name, set_secret
from services.core.policy import reload_policy
from services.llm.providers import ProviderConfig, is_cloud
from services.outreach.drafting import prepare_draft, run_draft
from services.outreach.prompt import provider_from_settings, provider_problem
from services.settings import SETTINGS
from tests.support.openai_server import FakeOpenAIServer
from tests.unit.alerts.test_alerts_rules import NOW, Book
from tests.unit.outreach.test_outreach_prompt import (  # noqa: F401  (fixtures)
    ada,
    book,
    keyring_backend,
    server,
)


@pytest.mark.parametrize(
    ("kind", "url", "cloud"),
    [
        ("openai", "https://api.openai.com/v1", True),
        ("azure", "https://acme.openai.azure.com", True),
        ("local", "https://api.groq.com/openai/v1", True),
        ("local", "https://openrouter.ai/api/v1", True),
        ("local", "https://generativelanguage.googleapis.com/v1beta/openai", True),
        ("local", "http://localhost:11434/v1", False),
        ("local", "http://127.0.0.1:8080/v1", False),
        ("local", "http://10.1.2.3:8000/v1", False),
        ("local", "https://llm.corp/v1", False),
        ("local", "https://notopenai.com.corp/v1", False),
        # An allow-list now: a public name counts as the company's only when IT lists it
        # (llm.allowed_hosts; tests/unit/settings/test_allow_cloud_hosts.py).
        ("local", "https://llm.corp.example/v1", True),
    ],
)
def test_what_counts_as_a_cloud_service(kind: str, url: str, cloud: bool) -> None:
    assert is_cloud(ProviderConfig(kind=kind, base_url=url, model="m")) is cloud  # type: ignore[arg-type]


@pytest.fixture
def no_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps({"locked": {"llm.allow_cloud": False}}), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    yield
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    reload_policy()


def test_a_cloud_provider_is_never_asked_when_the_organisation_says_no(
    book: Book,
    server: FakeOpenAIServer,
    keyring_backend,
    no_cloud: None,  # noqa: F811
) -> None:
    assert SETTINGS["llm.allow_cloud"].default is True
    cid = ada(book)
    # OpenAI's preset (here pointed at a loopback stand-in for api.openai.com).
    book.set("llm.preset", "openai")
    book.set("llm.base_url", server.base_url)
    book.set("llm.model", "test-model")
    set_secret(llm_key_name("openai"), "sk-test")
    with session_scope(book.workspace.sessions) as s:
        problem = provider_problem(s)
        assert problem is not None
        assert "only its own AI servers" in problem
        assert provider_from_settings(s) is None
        request = prepare_draft(s, cid, now=NOW)
    assert request.config is None
    assert "only its own AI servers" in (request.offline_reason or "")
    draft = run_draft(request)
    assert draft.body  # the template wrote it
    assert server.requests == []  # nothing reached the provider


def test_the_companys_own_server_still_writes(
    book: Book,
    server: FakeOpenAIServer,
    keyring_backend,
    no_cloud: None,  # noqa: F811
) -> None:
    cid = ada(book)
    book.set("llm.preset", "vllm")
    book.set("llm.base_url", server.base_url)
    book.set("llm.model", "test-model")
    with session_scope(book.workspace.sessions) as s:
        assert provider_problem(s) is None
        request = prepare_draft(s, cid, now=NOW)
    assert request.config is not None
    run_draft(request)
    assert len(server.chat_requests) == 1
    assert request.config.kind == "local"
