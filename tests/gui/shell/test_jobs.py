"""The job runner: results on the UI thread, failures to the presenter, cancel,
stale results dropped, one database thread, and nothing left running."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from PySide6.QtCore import QObject

from app.gui.errors import BUG_MESSAGE, ErrorPresenter
from models.errors import UserFacingError, WorkspaceError
from tests.gui.conftest import RecordingPresenter, dangling_work
from views.kit.jobs import JobRunner, OperationCancelled, TaskState

WAIT = 5.0  # seconds a worker waits for the test to release it (never reached when green)


class Recorder:
    def __init__(self) -> None:
        self.results: list[Any] = []
        self.failures: list[BaseException] = []
        self.cancelled = 0
        self.finished = 0
        self.threads: list[threading.Thread] = []

    def on_success(self, value: Any) -> None:
        self.threads.append(threading.current_thread())
        self.results.append(value)

    def on_failure(self, error: BaseException) -> None:
        self.failures.append(error)

    def on_cancelled(self) -> None:
        self.cancelled += 1

    def on_finished(self) -> None:
        self.finished += 1


def test_success_runs_on_a_worker_and_returns_on_the_ui_thread(qtbot, jobs: JobRunner) -> None:
    rec = Recorder()
    ran_on: list[threading.Thread] = []

    def work(state: TaskState) -> int:
        ran_on.append(threading.current_thread())
        return 6 * 7

    jobs.operation(work).success(rec.on_success).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert rec.results == [42]
    assert ran_on[0] is not threading.main_thread()
    assert ran_on[0].name.startswith("db")
    assert rec.threads == [threading.main_thread()]
    assert jobs.is_idle()


def test_failure_without_handler_reaches_the_presenter(
    qtbot, jobs: JobRunner, presenter: RecordingPresenter
) -> None:
    def fails(state: TaskState) -> None:
        raise WorkspaceError("The workspace is locked by another program.")

    rec = Recorder()
    jobs.operation(fails).success(rec.on_success).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert rec.results == []
    errors = presenter.take()
    assert len(errors) == 1
    assert isinstance(errors[0], WorkspaceError)
    assert errors[0].__traceback__ is not None  # kept for the log


def test_failure_handler_replaces_the_presenter(
    qtbot, jobs: JobRunner, presenter: RecordingPresenter
) -> None:
    rec = Recorder()
    jobs.operation(lambda s: 1 / 0).failure(rec.on_failure).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert [type(e) for e in rec.failures] == [ZeroDivisionError]
    assert presenter.errors == []


def test_cancel_stops_a_running_task_and_drops_its_outcome(qtbot, jobs: JobRunner) -> None:
    started = threading.Event()
    rec = Recorder()

    def long_task(state: TaskState) -> str:
        started.set()
        while not state.cancelled():
            state.progress(0.5, "working")
            threading.Event().wait(0.005)
        return "finished anyway"

    op = (
        jobs.operation(long_task)
        .success(rec.on_success)
        .cancelled(rec.on_cancelled)
        .finished(rec.on_finished)
        .run()
    )
    assert started.wait(WAIT)
    op.cancel()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert rec.cancelled == 1
    assert rec.results == []


def test_cancelled_exception_counts_as_cancel_not_failure(
    qtbot, jobs: JobRunner, presenter: RecordingPresenter
) -> None:
    rec = Recorder()

    def stops(state: TaskState) -> None:
        raise OperationCancelled

    jobs.operation(stops).cancelled(rec.on_cancelled).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert rec.cancelled == 1
    assert presenter.errors == []


def test_a_newer_task_of_the_same_kind_drops_the_stale_result(qtbot, jobs: JobRunner) -> None:
    release = threading.Event()
    old, new = Recorder(), Recorder()

    def slow(state: TaskState) -> str:
        release.wait(WAIT)
        return "old result"  # completes normally: only its delivery must be dropped

    first = jobs.operation(slow, key="detail").success(old.on_success)
    first.cancelled(old.on_cancelled).finished(old.on_finished).run()
    jobs.operation(lambda s: "new result", key="detail").success(new.on_success).finished(
        new.on_finished
    ).run()
    assert first.is_cancelled
    release.set()
    qtbot.waitUntil(lambda: old.finished == 1 and new.finished == 1)
    assert old.results == []
    assert old.cancelled == 1
    assert new.results == ["new result"]


def test_stale_result_is_dropped_even_when_already_queued(qtbot, jobs: JobRunner) -> None:
    done = threading.Event()
    rec = Recorder()

    def quick(state: TaskState) -> str:
        done.set()
        return "stale"

    op = jobs.operation(quick, key="k").success(rec.on_success).cancelled(rec.on_cancelled)
    op.finished(rec.on_finished).run()
    assert done.wait(WAIT)
    jobs.wait_for_done()  # the result now sits in the event queue, not yet delivered
    op.cancel()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert rec.results == []
    assert rec.cancelled == 1


def test_a_cancelled_queued_task_never_runs(qtbot, jobs: JobRunner) -> None:
    release = threading.Event()
    ran: list[str] = []
    blocker, queued = Recorder(), Recorder()
    jobs.operation(lambda s: release.wait(WAIT)).finished(blocker.on_finished).run()
    op = jobs.operation(lambda s: ran.append("ran")).cancelled(queued.on_cancelled)
    op.finished(queued.on_finished).run()
    op.cancel()
    release.set()
    qtbot.waitUntil(lambda: blocker.finished == 1 and queued.finished == 1)
    assert ran == []
    assert queued.cancelled == 1


def test_database_work_is_serialised_and_other_work_runs_in_parallel(
    qtbot, jobs: JobRunner
) -> None:
    lock = threading.Lock()
    running, peak = [0], [0]

    def db_task(state: TaskState) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(0.02)
        with lock:
            running[0] -= 1

    rec = Recorder()
    for _ in range(4):
        jobs.operation(db_task).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 4)
    assert peak[0] == 1

    # Two "work" tasks that can only finish together prove the second pool is parallel.
    barrier = threading.Barrier(2, timeout=WAIT)
    work = Recorder()
    for _ in range(2):
        jobs.operation(lambda s: barrier.wait(), pool="work").success(work.on_success).run()
    qtbot.waitUntil(lambda: len(work.results) == 2)


def test_progress_is_throttled_and_arrives_on_the_ui_thread(qtbot, jobs: JobRunner) -> None:
    seen: list[tuple[float, str, threading.Thread]] = []
    rec = Recorder()

    def chatty(state: TaskState) -> None:
        for i in range(2000):
            state.progress(i / 2000, f"step {i}")
        state.progress(1.0, "done")

    jobs.operation(chatty).progress(
        lambda f, m: seen.append((f, m, threading.current_thread()))
    ).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert 1 <= len(seen) < 100
    assert seen[-1][:2] == (1.0, "done")
    assert {t for _, _, t in seen} == {threading.main_thread()}


def test_callbacks_are_skipped_when_the_parent_widget_is_gone(qtbot, jobs: JobRunner) -> None:
    release = threading.Event()
    rec = Recorder()
    parent = QObject()
    op = jobs.operation(lambda s: release.wait(WAIT), parent=parent).success(rec.on_success)
    op.run()
    parent.deleteLater()
    qtbot.waitUntil(lambda: not op.parent_alive)
    release.set()
    qtbot.waitUntil(lambda: op.done)
    assert rec.results == []


def test_busy_signal_brackets_the_work(qtbot, jobs: JobRunner) -> None:
    states: list[bool] = []
    jobs.busy_changed.connect(states.append)
    with qtbot.waitSignal(jobs.busy_changed, check_params_cb=lambda busy: not busy):
        jobs.operation(lambda s: None).run()
    assert states == [True, False]


def test_shutdown_cancels_waits_and_ignores_late_results(qtbot, qapp) -> None:
    runner = JobRunner()
    started = threading.Event()
    rec = Recorder()

    def until_cancelled(state: TaskState) -> None:
        started.set()
        while not state.cancelled():
            threading.Event().wait(0.005)

    runner.operation(until_cancelled).finished(rec.on_finished).run()
    assert started.wait(WAIT)
    assert runner.shutdown(timeout_ms=5000)
    assert runner.is_idle()
    assert runner.closed
    qapp.processEvents()
    assert rec.finished == 0  # the window is gone: nothing is delivered any more
    with pytest.raises(RuntimeError):
        runner.operation(lambda s: None).run()


def test_the_guard_sees_work_left_running(qtbot, jobs: JobRunner) -> None:
    before = set(threading.enumerate())
    release = threading.Event()
    rec = Recorder()
    jobs.operation(lambda s: release.wait(WAIT)).finished(rec.on_finished).run()
    assert dangling_work(before) == ["1 job runner(s) still had work in flight"]
    release.set()
    qtbot.waitUntil(lambda: rec.finished == 1)
    assert dangling_work(before) == []


# ----------------------------------------------------------------- the error presenter


def test_user_facing_errors_are_shown_in_plain_words(qtbot, caplog) -> None:
    presenter = ErrorPresenter(log_path=lambda: None)
    with qtbot.waitSignal(presenter.error_presented) as blocker:
        presenter.present(WorkspaceError("The disk is full. Free some space, then try again."))
    title, text = blocker.args
    assert text == "The disk is full. Free some space, then try again."
    box = presenter.current_box()
    assert box is not None
    assert box.isVisible()
    assert box.text() == text
    box.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_bugs_are_logged_with_traceback_and_shown_calmly(qtbot, caplog, tmp_path) -> None:
    log_file = tmp_path / "account-radar.log"
    presenter = ErrorPresenter(log_path=lambda: log_file, show_dialogs=False)
    try:
        {}["missing"]
    except KeyError as exc:
        error = exc
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(presenter.error_presented) as blocker:
        presenter.present(error)
    _title, text = blocker.args
    assert text.startswith(BUG_MESSAGE)
    assert str(log_file) in text
    assert "KeyError" not in text
    assert "Traceback" not in text
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert records
    assert records[0].exc_info is not None
    assert "KeyError" in caplog.text
    assert "Traceback" in caplog.text


def test_a_burst_of_errors_shows_one_box(qtbot) -> None:
    presenter = ErrorPresenter(log_path=lambda: None)
    for i in range(5):
        presenter.present(UserFacingError(f"problem {i}"))
    box = presenter.current_box()
    assert box is not None
    assert box.text() == "problem 4"
    box.close()


class _Tracked:
    """Records the thread that frees it (stands in for a widget a callback points at)."""

    freed_on: list[threading.Thread] = []

    def __del__(self) -> None:
        _Tracked.freed_on.append(threading.current_thread())


def test_what_the_callbacks_hold_is_freed_on_the_ui_thread(qtbot, jobs: JobRunner) -> None:
    # A worker thread that held the last reference to a finished operation would free
    # its callbacks, and the widgets they point at, off the UI thread: Qt crashes then.
    _Tracked.freed_on = []
    rec = Recorder()
    for i in range(40):
        held = _Tracked()
        (
            jobs.operation(lambda state, i=i: i, pool="work" if i % 2 else "db")
            .success(lambda value, held=held: rec.on_success(value))
            .progress(lambda f, m, held=held: None)
            .finished(rec.on_finished)
            .run()
        )
        del held
    qtbot.waitUntil(lambda: rec.finished == 40)
    assert jobs.wait_for_done()
    qtbot.waitUntil(lambda: len(_Tracked.freed_on) == 40)
    assert set(_Tracked.freed_on) == {threading.main_thread()}


def test_a_slow_task_is_logged_with_its_wait_and_its_run(
    qtbot, jobs: JobRunner, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a screen waited behind is in the log: the task's name (its label, else where
    it was written), its pool, how long it waited for its worker and how long it ran. A
    quick one is not logged."""
    from views.kit import jobs as jobs_module

    monkeypatch.setattr(jobs_module, "SLOW_TASK_S", 0.2)
    release = threading.Event()
    rec = Recorder()

    def blocker(_state: TaskState) -> None:
        release.wait(WAIT)

    def task(_state: TaskState) -> int:  # the name most tasks have: where it is, instead
        return 1

    caplog.set_level(logging.INFO, logger="views.kit.jobs")
    jobs.operation(blocker, label="a long read").finished(rec.on_finished).run()
    jobs.operation(task).finished(rec.on_finished).run()  # waits behind it
    qtbot.wait(300)
    release.set()
    qtbot.waitUntil(lambda: rec.finished == 2)
    lines = [r.getMessage() for r in caplog.records if r.name == "views.kit.jobs"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("a long read on the db worker: waited 0.0 s, ran 0.")
    waited = lines[1]
    assert waited.startswith(
        "test_a_slow_task_is_logged_with_its_wait_and_its_run.task on the db worker: waited 0."
    )
    assert waited.endswith("ran 0.0 s")
    caplog.clear()
    jobs.operation(task).finished(rec.on_finished).run()
    qtbot.waitUntil(lambda: rec.finished == 3)
    assert [r for r in caplog.records if r.name == "views.kit.jobs"] == []
