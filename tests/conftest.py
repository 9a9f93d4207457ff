"""Shared test set-up: every Qt test runs headless."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

# The property tests check what a function answers, not how fast: no per-example deadline
# (Hypothesis's 200 ms default fails a correct example on a busy two-core machine).
hypothesis_settings.register_profile("radar", deadline=None)
hypothesis_settings.load_profile("radar")

# Time per test folder at the end of a run (tests/support/timing.py).
pytest_plugins = ("tests.support.timing",)

# Before anything imports Qt: no display on CI machines.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The openai SDK's variables choose a provider when the settings name none: a machine that
# has them set must not change what the tests see (the tests that want them set them).
for _name in ("OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API_KEY"):
    os.environ.pop(_name, None)
# Who the user is (services/core/profile.py) lives in the user config folder, and
# ACCOUNT_RADAR_USER names the command line's actor: no test reads or writes the real
# profile, nor sees the machine's variable.
os.environ.pop("ACCOUNT_RADAR_USER", None)


def pytest_ignore_collect(collection_path, config) -> bool | None:  # type: ignore[no-untyped-def]
    """tests/llm is the real local model tier: `make test-llm` runs it (it needs a built
    llama.cpp server); the normal suite leaves it out."""
    if "llm" in collection_path.parts and collection_path.parent.name == "tests":
        return not os.environ.get("ACCOUNT_RADAR_LLM_PYTHON")
    # tests/e2e starts the real app on a real X server: `make test-e2e` runs it.
    if "e2e" in collection_path.parts and collection_path.parent.name == "tests":
        return not os.environ.get("ACCOUNT_RADAR_E2E")
    return None


@pytest.fixture(autouse=True)
def _private_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Each test gets its own empty user config folder (the profile file lives there) and
    its own empty cache folder (the replay's kept weeks live there)."""
    monkeypatch.setenv("ACCOUNT_RADAR_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("ACCOUNT_RADAR_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


from tests.support.databases import database_params  # noqa: E402  (after the set-up above)


# The two databases (tests/support/databases.py): a test that asks for `workspace_url`
# runs on a new SQLite file and on a new PostgreSQL database, both migrated and empty.
@pytest.fixture(scope="session")
def _empty_workspace_file(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.support.databases import migrated_file

    return migrated_file(tmp_path_factory.mktemp("empty-workspace"))


@pytest.fixture(scope="session")
def postgres_cluster():  # type: ignore[no-untyped-def]
    from tests.support.databases import start_cluster

    cluster = start_cluster()
    yield cluster
    cluster.close()


@pytest.fixture(params=database_params())
def database(request) -> str:  # type: ignore[no-untyped-def]
    """'sqlite' or 'postgresql': the test runs once on each."""
    return str(request.param)


@pytest.fixture
def workspace_url(database: str, request, tmp_path):  # type: ignore[no-untyped-def]
    """A new, migrated, empty workspace on ``database``: its URL (dropped after)."""
    from tests.support.databases import new_workspace_url

    return new_workspace_url(request, database, tmp_path)


# Markers applied from what a test uses, so that nobody has to remember them:
# "gui" for every test that drives widgets (it asks for qtbot); "postgresql" for the
# integration tests on a throwaway PostgreSQL server (their module starts one or uses the
# session's), besides the PostgreSQL runs of the two-database tests (their param marks).
_POSTGRES_MODULE_WORDS = ("tests.support.postgres_server", "postgres_cluster", "pg_url")
_postgres_modules: dict[str, bool] = {}


def _needs_postgres(item: pytest.Item) -> bool:
    path = str(item.path)
    if path not in _postgres_modules:
        try:
            source = item.path.read_text(encoding="utf-8")
        except OSError:
            source = ""
        _postgres_modules[path] = any(word in source for word in _POSTGRES_MODULE_WORDS)
    return _postgres_modules[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "qtbot" in names:
            item.add_marker(pytest.mark.gui)
        if item.get_closest_marker("sqlite") is None and (
            "postgres_cluster" in names or _needs_postgres(item)
        ):
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture
def every_risk_kind_proven(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """The reading's figures as if every kind of risk had been measured right 50 times in
    50: for tests of what a proven risk does (alerts, digest, scores). The figures the app
    ships, and what an unproven kind does, are tested in tests/unit/listen/test_proven.py."""
    import json

    from services.listen import proven_risks

    path = tmp_path_factory.mktemp("listening") / "measured.json"
    kinds = {k: {"hits": 50, "found": 50, "labelled": 55} for k in proven_risks.RISK_KINDS}
    path.write_text(json.dumps({"kinds": kinds}), encoding="utf-8")
    monkeypatch.setattr(proven_risks, "measured_path", lambda: path)
