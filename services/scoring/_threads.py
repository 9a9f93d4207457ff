"""One BLAS thread while scoring computes.

The numpy and scipy wheels each carry an OpenBLAS with a thread per core. Scoring's BLAS
work is small (L-BFGS-B's steps, 4x4 Hessians, matrix-vector products), and after each
call OpenBLAS's extra thread spins, waiting for the next: in a 600-customer workspace it
burnt 1.6 s of CPU beside 1 s of real work, and every one of L-BFGS-B's steps waited
for it (about 6 ms each on a busy machine, 5 of the "long gaps" shape's 9 s). With one
thread the results are the same and a small workspace scores in a third of the CPU.

OpenBLAS's thread count is process-wide, so overlapping users (scoring on a worker, an
alert replay on another) share one limit: the first in sets it, the last out restores
what was there.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any


class _SharedLimit:
    """A process-wide limit of the BLAS thread pools, held while anyone needs it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._limiter: Any = None
        self._controller: Any = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                if self._controller is None:
                    from threadpoolctl import ThreadpoolController

                    # Found once (it scans the loaded libraries: tens of milliseconds in
                    # the window's process), after scipy.optimize has loaded scipy's BLAS.
                    self._controller = ThreadpoolController().select(user_api="blas")
                self._limiter = self._controller.limit(limits=1)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._limiter.restore_original_limits()
                    self._limiter = None


_BLAS = _SharedLimit()


def one_blas_thread() -> contextlib.AbstractContextManager[None]:
    """Hold the BLAS libraries to one thread while inside (see the module docstring)."""
    return _BLAS.held()
