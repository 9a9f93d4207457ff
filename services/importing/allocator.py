"""The C allocator's settings while an import runs (Linux with glibc; elsewhere nothing).

A big import allocates and frees many large arrays and byte buffers in turn (a column of
a million values is 8 MB). With glibc's defaults each of them is mapped fresh from the
kernel and given back when freed, and the heap's top is trimmed as soon as it is free,
so the next one faults its pages in again: about 0.5-1 s of CPU, most of it system time,
over a million-row import. While an import runs, blocks up to 32 MB come from the heap
and freed memory stays with the process for the next one; afterwards the defaults are
put back and the free memory is handed back to the kernel (``malloc_trim``), so the
window does not keep an import's peak.

Python's cycle collector is paused over the same block: an import creates millions of
containers (rows, lists of cells) and none of its data forms cycles, yet every few
hundred thousand of them the collector walks every object of the process again, about
0.3 s of CPU over a million-row import. The last block out switches it back on (when it
was on before the first) and the collector catches up on its next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import platform
import sys
import threading
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["BULK", "DEFAULTS", "bulk_allocation"]

# mallopt(3) parameters.
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3

# While importing: no mapping per block below 32 MB (glibc's ceiling), the heap grown
# 64 MB at a time and trimmed only past 1 GB free.
BULK = {M_MMAP_THRESHOLD: 32 << 20, M_TOP_PAD: 64 << 20, M_TRIM_THRESHOLD: 1 << 30}
# glibc's documented defaults (mallopt(3)), put back afterwards.
DEFAULTS = {M_MMAP_THRESHOLD: 128 << 10, M_TOP_PAD: 128 << 10, M_TRIM_THRESHOLD: 128 << 10}

_lock = threading.Lock()
_depth = 0  # imports running at once in this process (the settings are the process's)
_collector_was_on = False


def _glibc() -> Any | None:
    """The C library when it is glibc (with mallopt and malloc_trim), else None."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def _apply(libc: Any, settings: dict[int, int]) -> None:
    for param, value in settings.items():
        if not libc.mallopt(ctypes.c_int(param), ctypes.c_int(value)):
            log.debug("mallopt(%d, %d) was refused", param, value)


@contextlib.contextmanager
def bulk_allocation(libc: Any | None = None) -> Iterator[None]:
    """The bulk settings and the paused collector for the duration of the block (nested or
    concurrent blocks share them; the last one out restores the defaults, trims and
    switches the collector back on). ``libc`` is for tests."""
    global _depth, _collector_was_on
    lib = libc if libc is not None else _glibc()
    with _lock:
        _depth += 1
        if _depth == 1:
            _collector_was_on = gc.isenabled()
            gc.disable()
            if lib is not None:
                _apply(lib, BULK)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _collector_was_on:
                    gc.enable()
                if lib is not None:
                    _apply(lib, DEFAULTS)
                    lib.malloc_trim(ctypes.c_size_t(0))
