"""Fixtures of the Slack and Teams tests: the book on both databases, an in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator

import keyring.backends.fail
import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.core.credentials import clear_session_secrets
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.notify_book import fill_notify_book


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend
    clear_session_secrets()


@pytest.fixture
def no_keyring() -> Iterator[keyring.backends.fail.Keyring]:
    with installed_keyring(keyring.backends.fail.Keyring()) as backend:
        yield backend
    clear_session_secrets()


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_notify_book(ws.engine)
    yield ws.engine, ids
    ws.close()
