"""The suite's own guards catch what they are for."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog


def test_a_modal_dialog_fails_the_test_instead_of_hanging(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setWindowTitle("Log a call")
    # (conftest.ModalDialogInTestError, a RuntimeError: pytest loads conftest apart.)
    with pytest.raises(RuntimeError, match="a modal dialog was opened .*Log a call"):
        dialog.exec()


def test_the_job_runner_guard_waits_for_late_work_but_not_for_ever(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tests.gui import conftest
    from views.kit.jobs import JobRunner

    monkeypatch.setattr(conftest, "SETTLE_S", 1.0)
    runner = JobRunner()
    try:
        release = threading.Event()
        # Work that ends soon after the test: waited for, not "left behind".
        runner.operation(lambda _s: release.wait(0.2), label="late").run()
        assert not runner.is_idle()
        assert conftest._settles(runner)
        # Work that does not end within the settling time is left behind.
        runner.operation(lambda _s: release.wait(5), label="stuck").run()
        assert not conftest._settles(runner)
        release.set()
        assert conftest._settles(runner)
    finally:
        release.set()
        runner.shutdown()
        runner.deleteLater()
