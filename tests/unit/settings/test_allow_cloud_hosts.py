"""llm.allow_cloud off is an allow-list (services/settings/hosts.py): only loopback, private
and local-network servers, and the hosts IT lists in llm.allowed_hosts, are asked; every
other host is a cloud service, however its name or address is written. The user's own
list cannot widen a lock IT set on the machine. A real workspace file and real policy
files; a draft is never sent to a refused host (tests/unit/settings/test_allow_cloud.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from services.core import policy as policy_module
from services.core.policy import reload_policy
from services.llm.providers import ProviderConfig, is_cloud
from services.outreach.prompt import provider_problem
from services.settings import set_setting, validate_setting
from services.settings.hosts import allowed_hosts_problem

OWN = ["llm.corp.example", "*.ai.corp.example", "203.0.113.0/24", "198.51.100.7"]


@pytest.mark.parametrize(
    ("url", "cloud"),
    [
        # Public services the old list of 14 domains let through.
        ("https://api.cerebras.ai/v1", True),
        ("https://8.8.8.8/v1", True),
        ("https://[2001:4860:4860::8888]/v1", True),
        ("https://openai.azure.com.evil.test/v1", True),
        ("https://134744072/v1", True),  # 8.8.8.8 as one number: the resolver reads it so
        ("https://0x8.0x8.0x8.0x8/v1", True),
        ("https://010.0.0.1/v1", True),  # octal: 8.0.0.1, not 10.0.0.1
        ("https://[::ffff:8.8.8.8]/v1", True),
        ("https://100.64.0.1/v1", True),  # carrier-grade NAT is not the company's network
        ("https://172.32.0.1/v1", True),
        ("https://localhost.evil.com/v1", True),
        ("https://llm.corp.evil.com/v1", True),
        ("https://llm.corp\u3002evil.com/v1", True),  # a resolver reads 。 as a dot
        ("http://localhost@evil.com/v1", True),
        ("http://evil.com\\@localhost/v1", True),
        ("https://llm.corp.example.evil.test/v1", True),
        ("https://203.0.114.1/v1", True),
        # The organisation's own.
        ("http://localhost:11434/v1", False),
        ("http://2130706433:8080/v1", False),  # 127.0.0.1
        ("http://0x7f.1:8080/v1", False),
        ("http://[::1]:8080/v1", False),
        ("http://[::ffff:127.0.0.1]:8080/v1", False),
        ("http://10.1.2.3:8000/v1", False),
        ("http://172.16.5.5/v1", False),
        ("http://192.168.1.20/v1", False),
        ("http://169.254.10.1/v1", False),
        ("http://[fd12:3456::1]/v1", False),
        ("http://[fe80::1]/v1", False),
        ("http://llm:8080/v1", False),
        ("http://gpu-box.local/v1", False),
        ("https://llm.internal/v1", False),
        ("https://llm.lan/v1", False),
        ("https://LLM.Corp./v1", False),
        ("https://ollama.home.arpa/v1", False),
        # Listed by IT.
        ("https://llm.corp.example/v1", False),
        ("https://gpu1.ai.corp.example/v1", False),
        ("https://ai.corp.example/v1", False),
        ("https://203.0.113.9/v1", False),
        ("https://198.51.100.7/v1", False),
    ],
)
def test_what_the_organisation_counts_as_its_own(url: str, cloud: bool) -> None:
    config = ProviderConfig(kind="local", base_url=url, model="m")
    assert is_cloud(config, OWN) is cloud


def test_unlisted_names_and_cloud_kinds_are_cloud_unless_it_lists_them() -> None:
    assert is_cloud(ProviderConfig(kind="local", base_url="https://llm.corp.example/v1"))
    azure = ProviderConfig(kind="azure", base_url="https://acme.openai.azure.com", model="m")
    assert is_cloud(azure, OWN)
    assert not is_cloud(azure, ["acme.openai.azure.com"])  # IT's private endpoint
    openai = ProviderConfig(kind="openai", base_url="http://127.0.0.1:9/v1", model="m")
    assert is_cloud(openai, OWN)  # OpenAI's preset is the cloud, wherever it points


@pytest.mark.parametrize(
    ("entry", "ok"),
    [
        ("llm.corp.example", True),
        ("*.corp.example", True),
        ("10.0.0.0/8", True),
        ("fd00::/8", True),
        ("https://llm.corp.example", False),
        ("llm.corp.example:8080", False),
        ("10.0.0.0/33", False),
        ("llm corp", False),
    ],
)
def test_the_allowed_hosts_setting_checks_each_entry(entry: str, ok: bool) -> None:
    assert (allowed_hosts_problem([entry]) is None) is ok
    assert (validate_setting("llm.allowed_hosts", [entry]) is None) is ok


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def machine_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """IT's policies.json beside the program: cloud AI off, its own server listed."""
    app_dir = tmp_path / "program"
    app_dir.mkdir()
    path = app_dir / "policies.json"
    path.write_text(
        json.dumps(
            {"locked": {"llm.allow_cloud": False}, "defaults": {"llm.allowed_hosts": OWN[:1]}}
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(policy_module, "_executable_dir", lambda: app_dir)
    monkeypatch.setattr(policy_module, "LINUX_FILE", tmp_path / "etc" / "policies.json")
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    assert reload_policy().problems == []
    yield path
    monkeypatch.undo()
    reload_policy()


def use_server(ws: Workspace, url: str, hosts: list[str] | None = None) -> str | None:
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "llm.preset", "vllm")
        set_setting(session, "llm.base_url", url)
        set_setting(session, "llm.model", "m")
        if hosts is not None:
            set_setting(session, "llm.allowed_hosts", hosts)
    with Session(ws.engine) as session:
        return provider_problem(session)


def test_a_public_server_is_refused_and_its_own_listed_server_is_not(
    machine_policy: Path, ws: Workspace
) -> None:
    problem = use_server(ws, "https://api.cerebras.ai/v1")
    assert problem is not None
    assert "only its own AI servers, and api.cerebras.ai is not one of them" in problem
    assert "llm.allowed_hosts" in problem
    assert use_server(ws, "https://llm.corp.example/v1") is None
    assert use_server(ws, "http://192.168.1.20:8000/v1") is None


def test_the_users_own_list_cannot_widen_its_lock(machine_policy: Path, ws: Workspace) -> None:
    problem = use_server(ws, "https://api.cerebras.ai/v1", hosts=["api.cerebras.ai"])
    assert problem is not None
    assert "api.cerebras.ai" in problem


def test_without_its_lock_the_users_own_list_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws: Workspace
) -> None:
    """The user turned cloud AI off themselves: their own list says which servers are theirs."""
    monkeypatch.setattr(policy_module, "_executable_dir", lambda: tmp_path)
    monkeypatch.setattr(policy_module, "LINUX_FILE", tmp_path / "none.json")
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    reload_policy()
    try:
        with Session(ws.engine) as session, session.begin():
            set_setting(session, "llm.allow_cloud", False)
        assert use_server(ws, "https://gpu.example.org/v1") is not None
        assert use_server(ws, "https://gpu.example.org/v1", hosts=["gpu.example.org"]) is None
    finally:
        monkeypatch.undo()
        reload_policy()


def test_an_unreadable_it_policy_keeps_cloud_ai_off(machine_policy: Path, ws: Workspace) -> None:
    machine_policy.write_text('{"locked": {"llm.allow_cloud": false', encoding="utf-8")
    policy = reload_policy()
    assert policy.locked["llm.allow_cloud"] is False  # with the other safest values
    assert any("Until it is fixed" in p for p in policy.problems)
    assert use_server(ws, "https://api.cerebras.ai/v1") is not None
    assert use_server(ws, "http://localhost:8080/v1") is None
