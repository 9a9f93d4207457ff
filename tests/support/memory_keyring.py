"""Keyring backends for tests: one that keeps secrets in memory, and ones that cannot keep any.

Use them through a fixture that puts the previous backend back:

    @pytest.fixture
    def memory_keyring():
        with installed_keyring(MemoryKeyring()) as backend:
            yield backend
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors

_B = TypeVar("_B", bound=keyring.backend.KeyringBackend)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working keyring that lives in a dict: ``passwords[(service, name)]``."""

    priority = 1  # a plain number where keyring has a classproperty

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")


class BrokenKeyring(keyring.backend.KeyringBackend):
    """Looks usable (priority 1) but fails on use, like a Secret Service without D-Bus."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed.")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed.")

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed.")


# keyring registers every backend class it sees and would pick these on its own in a process
# that never chose one; tests choose explicitly, so take them out of the automatic choice.
for _cls in (MemoryKeyring, BrokenKeyring):
    getattr(keyring.backend.KeyringBackend, "_classes", set()).discard(_cls)


@contextmanager
def installed_keyring(backend: _B) -> Iterator[_B]:
    """Make ``backend`` the keyring for the block, then put the previous one back."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def use_memory_keyring() -> MemoryKeyring:
    """Install a fresh MemoryKeyring and return it (restore the old one yourself)."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def use_no_keyring() -> keyring.backends.fail.Keyring:
    """Install keyring's own "no backend" keyring, as on a headless Linux."""
    backend = keyring.backends.fail.Keyring()
    keyring.set_keyring(backend)
    return backend
