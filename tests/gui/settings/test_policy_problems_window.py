"""A policy that cannot be read never keeps the window from opening: it opens, and the
status bar says what is wrong with the policy (services/core/policy.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.gui.application import make_controller
from services.core.policy import current_policy, reload_policy


@pytest.fixture
def nested_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "policies.json"
    path.write_text("[" * 400_000, encoding="utf-8")  # 400 KB of nested brackets
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    reload_policy()
    yield path
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    reload_policy()


def test_the_window_opens_and_says_the_policy_problem(
    qtbot: QtBot,
    qapp: QApplication,
    ui_settings: QSettings,
    presented_errors: list[str],
    nested_policy: Path,
) -> None:
    controller = make_controller(qapp, ui_settings, show_dialogs=False)
    try:
        message = controller.window.statusBar().currentMessage()
        assert message.startswith(f"Policy: The policy file {nested_policy}")
        assert "nested too deeply" in message
        assert "Traceback" not in message
        assert current_policy().locked == {}
        assert presented_errors == []
    finally:
        controller.shutdown()
        controller.window.close()
        controller.window.deleteLater()
        controller.deleteLater()
