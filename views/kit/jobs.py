"""Background work as operation objects, in the spirit of Anki's ``QueryOp``.

    runner.operation(load_table, parent=pane, key="customers.table") \\
        .success(pane.set_table).failure(on_error).progress(on_progress).run()

The function runs on a worker thread and receives a :class:`TaskState` (Orange's
TaskState: ``progress(fraction, message)`` and ``cancelled()``); the callbacks run on
the UI thread. Results and progress come back through one queued signal bridge.

- Database work goes to a pool with exactly one thread, so SQLite never sees two
  writers from this process and reads never race a write; everything else (network,
  ML) goes to a small separate pool. A long analysis that mostly computes (the
  Early-warning replay: minutes) has a thread of its own ("long"), so the screens' reads
  on the database worker never queue behind it.
- An operation that may take long on the database worker says what it is doing
  (``what="scoring"``): a screen whose read waits behind it asks ``waiting_for()`` and
  says what it waits for instead of showing an empty or wrong state.
- Starting an operation with the same ``key`` as one in flight cancels the older one:
  its result is dropped even if it already finished and its delivery is still queued.
- A failure with no ``failure`` callback goes to the one error presenter.
- ``shutdown()`` cancels everything, waits for the worker threads to end and drops
  late deliveries, so no thread outlives the window.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, Literal, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")
PoolName = Literal["db", "work", "long"]
ErrorPresenterFn = Callable[[BaseException], None]

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress updates a second reach the UI
# A task that waited for its worker and ran this long in all is written to the log with
# both times (what a slow screen waited behind; labels carry no customer data).
SLOW_TASK_S = 5.0
_TOKENS = itertools.count(1)


class OperationCancelled(Exception):
    """Raised inside a task (by TaskState.raise_if_cancelled) to stop early."""


class TaskState:
    """What the background function sees: report progress, ask whether to stop.

    Services take plain ``progress`` and ``cancelled`` callables; pass
    ``state.progress`` and ``state.cancelled``.
    """

    def __init__(self, emit: Callable[[float, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()
        self._last = 0.0

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress in [0, 1]; throttled so a tight loop cannot flood the UI."""
        now = time.monotonic()
        if fraction < 1.0 and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        self._emit(min(max(float(fraction), 0.0), 1.0), message)

    def cancelled(self) -> bool:
        """True once the UI asked this task to stop."""
        return self._cancel.is_set()

    def raise_if_cancelled(self) -> None:
        """Stop the task with OperationCancelled if the UI asked to."""
        if self._cancel.is_set():
            raise OperationCancelled

    def _request_cancel(self) -> None:
        self._cancel.set()


class _Bridge(QObject):
    """Carries task events from worker threads to the UI thread (queued connections).

    Signals:
        task_progressed(token, fraction, message): a task reported progress.
        task_finished(token, result, error): a task returned (error None) or raised.

    Tasks are named by an integer token, not the operation object, so that a worker
    thread never owns (and never frees) an operation.
    """

    task_progressed = Signal(int, float, str)
    task_finished = Signal(int, object, object)


def _where(fn: Callable[..., Any]) -> str:
    return str(getattr(fn, "__qualname__", "task")).replace(".<locals>", "")


class _TaskRunnable(QRunnable):
    def __init__(
        self, op: Operation[Any], bridge: _Bridge, pool_name: str, running: dict[str, str]
    ) -> None:
        super().__init__()
        self._op: Operation[Any] | None = op
        self._bridge = bridge
        self._pool_name = pool_name
        self._running = running  # the runner's: pool -> what its task is doing
        # The operation keeps this object alive until delivery; Qt must not delete it.
        self.setAutoDelete(False)

    def run(self) -> None:
        thread = threading.current_thread()
        if not thread.name.startswith(self._pool_name):
            thread.name = f"{self._pool_name}-worker"
        # The worker must never hold the last reference to the operation: its callbacks
        # point at widgets, and freeing those off the UI thread crashes Qt. The runner
        # keeps the operation alive until delivery; this thread only lends it, drops it
        # before the hand-over and reports by token.
        op = self._op
        self._op = None
        assert op is not None
        token, fn, state, what = op.token, op.fn, op.state, op.what
        queued = op.queued_at
        # Its label, else where it was written ("ResultsPane.reload.task"), for the log.
        label = op.label if op.label != "task" else _where(fn)
        del op
        result: Any = None
        error: BaseException | None = None
        began = time.monotonic()
        if state.cancelled():
            error = OperationCancelled()
        else:
            self._running[self._pool_name] = what
            try:
                result = fn(state)
            except BaseException as exc:  # everything goes back to the UI thread
                error = exc
            finally:
                self._running.pop(self._pool_name, None)
        del fn, state
        ended = time.monotonic()
        if ended - queued >= SLOW_TASK_S:
            log.info(
                "%s on the %s worker: waited %.1f s, ran %.1f s%s",
                label,
                self._pool_name,
                began - queued,
                ended - began,
                " (cancelled)" if isinstance(error, OperationCancelled) else "",
            )
        self._bridge.task_finished.emit(token, result, error)


class Operation(Generic[T]):
    """One piece of background work and what to do with its outcome on the UI thread.

    Build it with callbacks, then ``run()``; ``cancel()`` drops the outcome.
    """

    def __init__(
        self,
        runner: JobRunner,
        fn: Callable[[TaskState], T],
        *,
        parent: QObject | None = None,
        pool: PoolName = "db",
        key: Hashable | None = None,
        label: str = "",
        what: str = "",
    ) -> None:
        self.runner = runner
        self.fn = fn
        self.pool: PoolName = pool
        self.key = key
        self.label = label or getattr(fn, "__name__", "task")
        # Plain words for a screen waiting behind it ("scoring"); "" for quick work.
        self.what = what
        self._parent = parent
        self._on_success: list[Callable[[T], None]] = []
        self._on_failure: list[Callable[[BaseException], None]] = []
        self._on_progress: list[Callable[[float, str], None]] = []
        self._on_cancelled: list[Callable[[], None]] = []
        self._on_finished: list[Callable[[], None]] = []
        self.token = next(_TOKENS)
        self.state = TaskState(self._make_emitter(runner._bridge, self.token))
        self._runnable: _TaskRunnable | None = None
        self.started = False
        self.done = False
        self.queued_at = 0.0  # when run() put it on its pool (time.monotonic())

    # -- building ---------------------------------------------------------------------

    def success(self, callback: Callable[[T], None]) -> Operation[T]:
        """Call with the result on the UI thread (not called if cancelled)."""
        self._on_success.append(callback)
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Operation[T]:
        """Handle the exception instead of the error presenter."""
        self._on_failure.append(callback)
        return self

    def progress(self, callback: Callable[[float, str], None]) -> Operation[T]:
        """Receive (fraction, message) updates, throttled."""
        self._on_progress.append(callback)
        return self

    def cancelled(self, callback: Callable[[], None]) -> Operation[T]:
        """Called instead of success/failure once the operation was cancelled."""
        self._on_cancelled.append(callback)
        return self

    def finished(self, callback: Callable[[], None]) -> Operation[T]:
        """Called last, whatever the outcome (hide a spinner, re-enable a button)."""
        self._on_finished.append(callback)
        return self

    # -- running ----------------------------------------------------------------------

    def run(self) -> Operation[T]:
        """Queue the function on its pool; returns self."""
        if self.started:
            raise RuntimeError("An operation runs once; build a new one.")
        self.started = True
        self.runner._start(self)
        return self

    def cancel(self) -> None:
        """Ask the task to stop and drop its outcome, whatever it turns out to be."""
        if not self.done:
            self.state._request_cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.state.cancelled()

    @property
    def parent_alive(self) -> bool:
        return self._parent is None or shiboken6.isValid(self._parent)

    def _make_emitter(self, bridge: _Bridge, token: int) -> Callable[[float, str], None]:
        # Holds the bridge and the token, not the operation (see _TaskRunnable.run).
        wants = self._on_progress

        def emit(fraction: float, message: str) -> None:
            if wants:
                bridge.task_progressed.emit(token, fraction, message)

        return emit

    def _deliver_progress(self, fraction: float, message: str) -> None:
        if self.done or self.is_cancelled or not self.parent_alive:
            return
        for cb in self._on_progress:
            cb(fraction, message)

    def _deliver(self, result: Any, error: BaseException | None) -> None:
        self.done = True
        self._runnable = None
        if not self.parent_alive:
            # The widget that asked is gone: nobody to tell; failures still get logged.
            if error is not None and not self.is_cancelled:
                log.warning("%s failed after its window closed", self.label, exc_info=error)
            return
        try:
            if self.is_cancelled or isinstance(error, OperationCancelled):
                if error is not None and not isinstance(error, OperationCancelled):
                    log.debug("%s raised after cancel: %r", self.label, error)
                for cancel_cb in self._on_cancelled:
                    cancel_cb()
            elif error is not None:
                if self._on_failure:
                    for failure_cb in self._on_failure:
                        failure_cb(error)
                else:
                    self.runner.present_error(error)
            else:
                for success_cb in self._on_success:
                    success_cb(result)
        finally:
            for finished_cb in self._on_finished:
                finished_cb()


_RUNNERS: weakref.WeakSet[JobRunner] = weakref.WeakSet()


class JobRunner(QObject):
    """Owns the worker pools and routes every task's outcome back to the UI thread.

    Signals:
        busy_changed(busy): True when the first task starts, False when the last ends.
    """

    busy_changed = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        error_presenter: ErrorPresenterFn | None = None,
        work_threads: int = 2,
    ) -> None:
        super().__init__(parent)
        self._presenter = error_presenter
        self._pools: dict[str, QThreadPool] = {}
        for name, threads in (("db", 1), ("work", work_threads), ("long", 1)):
            pool = QThreadPool(self)
            pool.setObjectName(f"{name}-pool")
            pool.setMaxThreadCount(threads)
            self._pools[name] = pool
        self._bridge = _Bridge(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._bridge.task_progressed.connect(self._on_bridge_task_progressed, queued)
        self._bridge.task_finished.connect(self._on_bridge_task_finished, queued)
        self._active: dict[int, Operation[Any]] = {}
        self._running: dict[str, str] = {}  # pool -> what its running task does (workers')
        self._keyed: dict[Hashable, Operation[Any]] = {}
        self._closed = False
        _RUNNERS.add(self)

    # -- public -------------------------------------------------------------------------

    def operation(
        self,
        fn: Callable[[TaskState], T],
        *,
        parent: QObject | None = None,
        pool: PoolName = "db",
        key: Hashable | None = None,
        label: str = "",
        what: str = "",
    ) -> Operation[T]:
        """A new operation on this runner (call ``.run()`` after adding callbacks);
        ``what``: plain words for what a long one does, for the screens behind it."""
        return Operation(self, fn, parent=parent, pool=pool, key=key, label=label, what=what)

    def waiting_for(self, pool: PoolName = "db") -> str | None:
        """What the task running on ``pool`` is doing ("scoring"), when it said, so that
        work queued behind it can say what it waits for; None when nothing long runs."""
        return self._running.get(pool) or None

    def present_error(self, error: BaseException) -> None:
        """Hand an error to the one presenter (or the log when there is none)."""
        if self._presenter is not None:
            self._presenter(error)
        else:
            log.error("Background task failed", exc_info=error)

    def active_count(self) -> int:
        """Operations started and not yet delivered."""
        return len(self._active)

    def is_idle(self) -> bool:
        """No operation started and not yet delivered (its function has returned, and its
        callbacks have run or been dropped)."""
        return not self._active

    def cancel_all(self) -> None:
        for op in list(self._active.values()):
            op.cancel()

    def wait_for_done(self, timeout_ms: int = 30_000) -> bool:
        """Block until the worker threads are idle (deliveries stay queued); True if so."""
        deadline = time.monotonic() + timeout_ms / 1000
        ok = True
        for pool in self._pools.values():
            left = max(0, int((deadline - time.monotonic()) * 1000))
            ok = pool.waitForDone(left) and ok
        return ok

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything, wait for the threads to end, ignore late deliveries."""
        self._closed = True
        self.cancel_all()
        ok = self.wait_for_done(timeout_ms)
        if not ok:
            log.warning("Background tasks still running at shutdown: %s", self._labels())
        self._active.clear()
        self._keyed.clear()
        return ok

    @property
    def closed(self) -> bool:
        return self._closed

    # -- internals ----------------------------------------------------------------------

    def _labels(self) -> list[str]:
        return sorted(op.label for op in self._active.values())

    def _start(self, op: Operation[Any]) -> None:
        if self._closed:
            raise RuntimeError("The job runner was shut down.")
        if op.key is not None:
            previous = self._keyed.get(op.key)
            if previous is not None and not previous.done:
                previous.cancel()
            self._keyed[op.key] = op
        was_idle = not self._active
        self._active[op.token] = op
        runnable = _TaskRunnable(op, self._bridge, op.pool, self._running)
        op._runnable = runnable
        op.queued_at = time.monotonic()
        self._pools[op.pool].start(runnable)
        if was_idle:
            self.busy_changed.emit(True)

    @Slot(int, float, str)
    def _on_bridge_task_progressed(self, token: int, fraction: float, message: str) -> None:
        op = self._active.get(token)
        if op is not None and not self._closed:
            op._deliver_progress(fraction, message)

    @Slot(int, object, object)
    def _on_bridge_task_finished(
        self, token: int, result: Any, error: BaseException | None
    ) -> None:
        if self._closed:
            return
        op = self._active.pop(token, None)
        if op is None:
            return
        if op.key is not None and self._keyed.get(op.key) is op:
            del self._keyed[op.key]
        try:
            op._deliver(result, error)
        finally:
            if not self._active:
                self.busy_changed.emit(False)


def live_runners() -> list[JobRunner]:
    """Every JobRunner not yet garbage-collected (for the tests' dangling-thread check)."""
    return [r for r in _RUNNERS if shiboken6.isValid(r)]
