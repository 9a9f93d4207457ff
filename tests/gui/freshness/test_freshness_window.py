"""Freshness in the window: on a real scored workspace whose Shopify orders are late and
whose tickets are stale (the demo with the hand-made book of tests/support/freshness_book.py
added, moved to today), the dashboard opens with a notice naming them; the demo alone shows
none; the digest's dialog shows a notice as a warning above its lines; the status message
after a scoring says the data was stale."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.scoring_controller import summary_message
from app.workspace import Workspace, open_workspace, to_url
from services.core.records import ScoringSummary
from services.listen.records import Digest, DigestLine
from tests.support.freshness_book import fill_freshness_book
from views.digest.dialog import SinceDialog
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_DASHBOARD, MainWindow

TIMEOUT_MS = 60_000
SIZE = (1366, 768)


@pytest.fixture
def stale_workspace(alerts_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "stale.radar.sqlite"
    shutil.copy(alerts_file, target)
    ws = open_workspace(to_url(str(target)), backup=False)
    fill_freshness_book(ws.engine, now=dt.datetime.now(dt.UTC))
    yield ws
    ws.close()


def _dashboard(qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings,  # type: ignore[no-untyped-def]
               workspace: Workspace) -> MainWindow:  # fmt: skip
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    window.set_source(WorkspaceCustomerSource(workspace))
    window.set_alert_source(WorkspaceAlertSource(workspace, user="dana"))
    window.tabs.setCurrentIndex(TAB_DASHBOARD)
    qtbot.waitUntil(lambda: window.dashboard.state == "data" and jobs.is_idle(), timeout=TIMEOUT_MS)
    return window


def test_the_dashboard_names_the_late_and_stale_sources(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings,
    stale_workspace: Workspace,
) -> None:  # fmt: skip
    window = _dashboard(qtbot, jobs, theme, ui_settings, stale_workspace)
    notice = window.dashboard.freshness_notice
    assert notice.isVisible()
    assert notice.heading.text() == (
        "⚠ The figures below may be missing recent data: 2 sources are late or stale."
    )
    lines = notice.body.text().splitlines()
    assert lines[0].startswith("Zendesk tickets: no new records for 24 days")
    assert lines[1].startswith("Shopify orders: last imported 1")
    # Above the tiles, and every word of it shown at 1366 x 768.
    tile = window.dashboard.tiles["at_risk"]
    assert (
        notice.mapTo(window, notice.rect().bottomLeft()).y()
        < tile.mapTo(window, tile.rect().topLeft()).y()
    )
    assert notice.body.height() >= notice.body.heightForWidth(notice.body.width())


def test_the_demo_shows_no_notice(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, workspace: Workspace
) -> None:
    window = _dashboard(qtbot, jobs, theme, ui_settings, workspace)
    assert not window.dashboard.freshness_notice.isVisible()
    assert window.dashboard.data is not None
    assert window.dashboard.data.stale_sources == ()


def test_the_digest_dialog_shows_a_notice_as_a_warning(qtbot) -> None:  # type: ignore[no-untyped-def]
    said = "Shopify orders: last imported 19 days ago; it usually comes every 7 days."
    digest = Digest(
        dt.date(2026, 3, 1),
        dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        (
            DigestLine("stale_source:shopify_orders", said, 1, opens="notice"),
            DigestLine("new_tickets", "2 new tickets", 2, frozenset({1, 2})),
        ),
    )
    dialog = SinceDialog(digest, at_startup=True)
    qtbot.addWidget(dialog)
    assert [n.text() for n in dialog.notices] == [f"⚠ {said}"]
    assert dialog.notices[0].property("tone") == "warning"
    # The notice is no button: the only one opens the tickets' customers.
    assert [
        b.text() for b in dialog.findChildren(QPushButton) if b.objectName() == "digestLine"
    ] == ["2 new tickets"]
    assert dialog.button_for("new_tickets").isEnabled()


def _summary(stale: tuple[str, ...]) -> ScoringSummary:
    return ScoringSummary(
        run_id=2, as_of=dt.date(2026, 11, 21), horizon_days=90, customers=2000,
        chosen_model="gbm", auc=0.8721, brier=0.1461, lift_top_decile=1.66, bridged=None,
        seconds=4.3, stale_sources=stale,
    )  # fmt: skip


def test_the_status_message_says_the_scores_are_on_stale_data() -> None:
    one = "Shopify orders: last imported 19 days ago; it usually comes every 7 days."
    assert summary_message(_summary((one,))).endswith(
        "4.3 s  ·  Scored on stale data: a source that is late or stale. " + one
    )
    assert summary_message(_summary((one, "Zendesk tickets: ..."))).endswith(
        "Scored on stale data: 2 sources that are late or stale. The Dashboard names them."
    )
    assert "stale" not in summary_message(_summary(()))
