"""The customer pane's renewal card on the hand-made book of
tests/support/renewal_calls_book.py (a real SQLite file, the pane's clock on the scores'
date): the contract's terms, the likelihood with its kind and drivers, the calls at the
checkpoints, the disagreement in words; no card without contracts; recording a call with
the keyboard and the mouse on the customer shown, and Ctrl+Z taking it back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialogButtonBox

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from services.core.formatting import format_date
from services.renewals.calls import RenewalCallError, read_calls
from tests.support.renewal_calls_book import fill_renewal_calls_book
from views.customers.detail_pane import CustomerDetailPane
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.kit.undo import UndoHistory, undo_action

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(to_url(str(tmp_path / "renewals.radar.sqlite")), backup=False)
    ids = fill_renewal_calls_book(ws.engine)
    yield ws, ids
    ws.close()


def make_pane(
    qtbot, jobs: JobRunner, ws: Workspace, me: str | None = "Maya"
) -> tuple[CustomerDetailPane, UndoHistory]:  # type: ignore[no-untyped-def]  # noqa: E501
    pane = CustomerDetailPane(jobs, clock=lambda: NOW, load_at_once=True)
    qtbot.addWidget(pane)
    pane.resize(680, 1400)
    login = me or "root"  # until the user says who they are, the computer's login acts
    source = WorkspaceCustomerSource(ws, user=lambda: login, owner_name=lambda: me)
    history = UndoHistory(jobs, pane)
    history.set_undoer(source.undo_change)
    pane.set_undo_history(history)
    pane.addAction(undo_action(pane, history))
    pane.show()
    pane.set_source(source)
    return pane, history


def show(qtbot, pane: CustomerDetailPane, jobs: JobRunner, cid: int) -> None:  # type: ignore[no-untyped-def]
    pane.show_customer(cid)
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == cid and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )


def test_the_card_shows_the_contract_the_model_and_the_calls(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    pane, _ = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["E"])
    assert not pane.renewal_card.isVisible()  # Elm has no contract: no card
    show(qtbot, pane, jobs, ids["A"])
    card = pane.renewal_card
    assert card.isVisible()
    (box,) = card.boxes
    assert box.texts() == [
        "Plan A1",
        "Renews Jun 15, 2026 · $1,000 a month · does not auto-renew · notice by May 16, 2026",
        "Likelihood to renew 31% (fitted on this workspace's renewals, Mar 1, 2026)",
        "Why: usage down 40% · 2 late tickets · seats cut from 12 to 8",
        "Call at 6 months (Dec 15, 2025): Commit by Maya on Jan 5, 2026 (“Budget signed off”)",
        "Call at 3 months (Mar 15, 2026): to come",
        "You called it Commit "
        "(about 95% to renew); the model gives 31% to renew: usage down 40%, 2 late tickets",
    ]
    assert box.disagreement_label.isVisible()
    assert card.due_label.text() == ""
    show(qtbot, pane, jobs, ids["D"])
    assert [b.contract.name for b in card.boxes] == ["Plan D1", "Plan D2"]
    # Delta is Leo's: Maya reads whose call it is.
    assert card.due_label.text() == "Leo's call is due (3 months before May 1, 2026)"
    assert "Call at 3 months (Feb 1, 2026): Leo's call is due" in card.boxes[0].texts()
    show(qtbot, pane, jobs, ids["F"])  # only a decided contract: no call to make
    assert card.isVisible()
    assert not card.record_button.isVisible()
    (decided,) = card.boxes
    assert decided.contract.outcome != "open"
    texts = " ".join(decided.texts())
    assert "not yet scored" not in texts  # the workspace is scored: the renewal is decided
    assert decided.contract.forecast is None
    assert f"Decided: {decided.contract.outcome}" in texts


def test_record_a_call_with_keys_and_clicks_then_undo_it(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    pane, history = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["B"])
    card = pane.renewal_card
    assert card.due_label.text() == "Your call is due (3 months before Apr 10, 2026)"
    # Keyboard: the button takes the focus and Space opens the dialog.
    card.record_button.setFocus()
    qtbot.keyClick(card.record_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible())
    dialog = card.dialog
    assert dialog is not None
    assert not dialog.contract_box.isVisible()  # one contract: nothing to choose
    assert dialog.checkpoint_box.currentData() == 3  # the one due
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no call chosen yet
    qtbot.mouseClick(dialog.call_buttons["at_risk"], Qt.MouseButton.LeftButton)
    assert ok.isEnabled()
    qtbot.keyClicks(dialog.note_edit, "Champion left in January")
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: card.dialog is None and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(read_calls(ws.engine, ids["B"])) == 1, timeout=TIMEOUT_MS)
    (call,) = read_calls(ws.engine, ids["B"])
    assert (call.checkpoint_months, call.call, call.note, call.made_by) == (
        3,
        "at_risk",
        "Champion left in January",
        "Maya",
    )
    assert call.model_likelihood == pytest.approx(0.8)
    qtbot.waitUntil(lambda: card.due_label.text() == "", timeout=TIMEOUT_MS)
    texts = card.boxes[0].texts()
    made_on = format_date(call.made_at.date())  # recorded when it was done, not on T
    assert (
        f"Call at 3 months (Jan 10, 2026): At risk by Maya on {made_on} "
        "(“Champion left in January”)" in texts
    )
    # At risk (35%) against the model's 80%: 45 points apart, said on the card.
    assert texts[-1] == "You called it At risk (about 35% to renew); the model gives 80% to renew"
    assert history.last_label == "Called Birch's renewal At risk"
    # Ctrl+Z takes it back, and the call is due again.
    pane.activateWindow()
    qtbot.waitUntil(pane.isActiveWindow, timeout=TIMEOUT_MS)
    qtbot.keyClick(pane, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: read_calls(ws.engine, ids["B"]) == [], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: card.due_label.text() != "", timeout=TIMEOUT_MS)


def test_a_call_asked_for_a_customer_who_left_the_pane_is_not_recorded(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    pane, _ = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["G"])
    card = pane.renewal_card
    qtbot.mouseClick(card.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible())
    dialog = card.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.call_buttons["likely"], Qt.MouseButton.LeftButton)
    show(qtbot, pane, jobs, ids["B"])  # another customer comes on screen: the dialog goes
    assert card.dialog is None
    assert read_calls(ws.engine, ids["G"]) == []
    assert read_calls(ws.engine, ids["B"]) == []


def open_dialog(qtbot, card):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(card.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible())
    return card.dialog


def test_with_both_checkpoints_called_the_dialog_starts_on_the_latest_reached(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    pane, _ = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["C"])  # renews Jun 1: 6 months (Dec 1) called, 3 (Mar 1) due
    card = pane.renewal_card
    dialog = open_dialog(qtbot, card)
    assert dialog.checkpoint_box.currentData() == 3
    assert dialog.call is None
    assert dialog.note_edit.text() == ""
    qtbot.mouseClick(dialog.call_buttons["likely"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.note_edit, "Verbal yes from the CFO")
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(read_calls(ws.engine, ids["C"])) == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: card.dialog is None and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: any(t.startswith("Call at 3 months") and "Likely" in t
                    for t in card.boxes[0].texts()),
        timeout=TIMEOUT_MS,
    )  # fmt: skip
    # Both checkpoints called: the one nearest the renewal date that is reached, with its
    # call as the starting value (not the older checkpoint, nor an empty call).
    dialog = open_dialog(qtbot, card)
    assert dialog.checkpoint_box.currentData() == 3
    assert dialog.call == "likely"
    assert dialog.note_edit.text() == "Verbal yes from the CFO"
    assert dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.checkpoint_box.setCurrentIndex(dialog.checkpoint_box.findData(6))
    assert dialog.call == "at_risk"
    assert dialog.note_edit.text() == "New CFO reviewing tools"
    dialog.reject()
    qtbot.waitUntil(lambda: card.dialog is None)


def test_before_any_checkpoint_is_reached_the_dialog_starts_on_the_first_to_come(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    pane, _ = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["D"])  # D2 renews Dec 31: 6 months (Jun 30) to come
    card = pane.renewal_card
    dialog = open_dialog(qtbot, card)
    dialog.contract_box.setCurrentIndex(1)
    assert dialog.contract_box.currentText().startswith("Plan D2")
    assert dialog.checkpoint_box.currentData() == 6
    assert dialog.call is None
    dialog.reject()
    qtbot.waitUntil(lambda: card.dialog is None)


def test_at_150_percent_text_the_card_fits_a_narrow_pane(
    qtbot, qapp, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    before = QFont(qapp.font())
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * 1.5)
    qapp.setFont(font)  # the text made larger before the pane is built, as the system does
    try:
        pane, _ = make_pane(qtbot, jobs, ws)
        pane.resize(560, 1400)  # the customer pane's narrowest
        show(qtbot, pane, jobs, ids["D"])  # a call due: the longest header
        card = pane.renewal_card
        assert card.due_label.text().startswith("Leo's call is due")
        # The header wraps its words rather than push the button out of the pane's view.
        assert card.minimumSizeHint().width() <= 560 - 40
        qtbot.waitUntil(lambda: card.record_button.isVisible())
        right = card.record_button.mapTo(pane, card.record_button.rect().topRight()).x()
        assert right <= pane.width()
    finally:
        qapp.setFont(before)


def test_record_my_call_records_nothing_until_i_say_who_i_am(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:
    ws, ids = book
    pane, _ = make_pane(qtbot, jobs, ws, me=None)
    show(qtbot, pane, jobs, ids["B"])
    card = pane.renewal_card
    assert card.due_label.text().startswith("Maya's call is due")
    dialog = open_dialog(qtbot, card)
    assert dialog.recorder_label.isVisible()
    assert dialog.recorder_label.text() == (
        "A call is kept with the name of who made it, and you have not said yours: "
        "File ▸ Who I am… gives it, then record your call."
    )
    # As `renewals call` without a name: never kept under the computer's login ("root").
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(dialog.call_buttons["at_risk"], Qt.MouseButton.LeftButton)
    assert not ok.isEnabled()
    assert dialog.request() is None
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return)
    dialog.reject()
    qtbot.waitUntil(lambda: card.dialog is None and jobs.is_idle(), timeout=TIMEOUT_MS)
    # The source refuses too, whatever asks it.
    unnamed = WorkspaceCustomerSource(ws, user=lambda: "root", owner_name=lambda: None)
    with pytest.raises(RenewalCallError, match="you have not said yours"):
        unnamed.record_renewal_call(ids["B"], ids["B1"], 3, "at_risk", "")
    assert read_calls(ws.engine, ids["B"]) == []
    qtbot.waitUntil(lambda: card.dialog is None)
    named, _ = make_pane(qtbot, jobs, ws)  # Maya said who she is: nothing to say
    show(qtbot, named, jobs, ids["B"])
    dialog = open_dialog(qtbot, named.renewal_card)
    assert not dialog.recorder_label.isVisible()
    dialog.reject()
