"""The C allocator's settings around an import (services/importing/allocator.py)."""

from __future__ import annotations

import ctypes
import gc
from typing import Any

import pytest

from services.importing import allocator
from services.importing.allocator import BULK, DEFAULTS, bulk_allocation


class FakeLibc:
    """Records mallopt and malloc_trim calls as plain numbers."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def mallopt(self, param: ctypes.c_int, value: ctypes.c_int) -> int:
        self.calls.append(("mallopt", param.value, value.value))
        return 1

    def malloc_trim(self, pad: ctypes.c_size_t) -> int:
        self.calls.append(("trim", pad.value))
        return 1


def _settings(calls: list[tuple[Any, ...]]) -> dict[int, int]:
    return {c[1]: c[2] for c in calls if c[0] == "mallopt"}


def test_bulk_settings_while_importing_then_the_defaults_and_a_trim() -> None:
    libc = FakeLibc()
    with bulk_allocation(libc):
        assert _settings(libc.calls) == BULK
        assert ("trim", 0) not in libc.calls
        during = len(libc.calls)
    after = libc.calls[during:]
    assert _settings(after) == DEFAULTS
    assert after[-1] == ("trim", 0)


def test_nested_imports_share_one_setting_and_restore_once() -> None:
    libc = FakeLibc()
    with bulk_allocation(libc):
        with bulk_allocation(libc):
            pass
        assert len(libc.calls) == len(BULK)  # the inner block changed nothing
    assert libc.calls.count(("trim", 0)) == 1


def test_restored_when_the_import_fails() -> None:
    libc = FakeLibc()
    with pytest.raises(RuntimeError), bulk_allocation(libc):
        raise RuntimeError("boom")
    assert _settings(libc.calls[len(BULK) :]) == DEFAULTS
    assert allocator._depth == 0


def test_the_real_library_or_nothing() -> None:
    # On glibc the settings are applied for real (and put back); elsewhere it does nothing.
    with bulk_allocation():
        data = bytearray(40 << 20)  # above the bulk mmap threshold: still allocates
    assert len(data) == 40 << 20


def _nested_import_that_fails() -> None:
    with bulk_allocation(FakeLibc()):
        with bulk_allocation(FakeLibc()):
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer import still runs
        raise RuntimeError("boom")


def test_the_cycle_collector_is_paused_while_importing_and_back_on_after() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _nested_import_that_fails()
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with bulk_allocation(FakeLibc()):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
