"""Shared test set-up: every Qt test runs headless."""

from __future__ import annotations

import os

import pytest

# Before anything imports Qt: no display on CI machines.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The openai SDK's variables choose a provider when the settings name none: a machine that
# has them set must not change what the tests see (the tests that want them set them).
for _name in ("OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API_KEY"):
    os.environ.pop(_name, None)
# Who the user is (services/profile.py) lives in the user config folder, and
# ACCOUNT_RADAR_USER names the command line's actor: no test reads or writes the real
# profile, nor sees the machine's variable.
os.environ.pop("ACCOUNT_RADAR_USER", None)


def pytest_ignore_collect(collection_path, config) -> bool | None:  # type: ignore[no-untyped-def]
    """tests/llm is the real local model tier: `make test-llm` runs it (it needs a built
    llama.cpp server); the normal suite leaves it out."""
    if "llm" in collection_path.parts and collection_path.parent.name == "tests":
        return not os.environ.get("ACCOUNT_RADAR_LLM_PYTHON")
    return None


@pytest.fixture(autouse=True)
def _private_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Each test gets its own empty user config folder (the profile file lives there)."""
    monkeypatch.setenv("ACCOUNT_RADAR_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
