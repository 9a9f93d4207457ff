"""Safer one-key work in the action pane: Dismiss, Resolve and Do not contact ask once,
with an optional note (Enter confirms without one); "Won back" with no contact recorded
asks whether it is so; and a key that can do nothing says why."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from tests.gui.alerts.test_action_pane import ALERT, NOW, RAISED
from views.alerts.action_pane import ActionPane
from views.alerts.source import AlertDetail, CardAlert
from views.alerts.team_prompts import TeamPrompts
from views.kit.confirm_note import NOTE_PLACEHOLDER, ConfirmNoteDialog


class Notes:
    """Answers the pane's questions: the note typed, or None for Cancel."""

    def __init__(self) -> None:
        self.answer: str | None = ""
        self.asked: list[tuple[str, str, str]] = []

    def __call__(self, title: str, question: str, button: str) -> str | None:
        self.asked.append((title, question, button))
        return self.answer


@pytest.fixture
def notes() -> Notes:
    return Notes()


# The team prompts (Assign…, Schedule a meeting…) say they were asked, then cancel.
ASKED: list[str] = []
TEAM = TeamPrompts(
    ask_assign=lambda _customer, _owner, _names: ASKED.append("assign"),  # type: ignore[func-returns-value]
    ask_meeting=lambda _customer, _email, _why: ASKED.append("meeting"),  # type: ignore[func-returns-value]
    ask_path=lambda _suggested: None,
)


@pytest.fixture
def pane(qtbot, notes: Notes) -> ActionPane:
    p = ActionPane(
        team=TEAM,
        ask_text=lambda _title, _label: "Prefers email",
        ask_call=lambda _customer: ("voicemail", ""),
        ask_task=lambda customer: (f"Call {customer} back", dt.date(2026, 11, 25)),
        ask_note=notes,
        clock=lambda: NOW,
    )
    qtbot.addWidget(p)
    p.resize(360, 700)
    p.show()
    p.show_alert(ALERT)
    return p


def requested(qtbot, pane: ActionPane, do) -> list:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(pane.action_requested, timeout=1000) as blocker:
        do()
    return list(blocker.args)


def test_dismiss_asks_once_and_keeps_an_optional_note(
    qtbot, pane: ActionPane, notes: Notes
) -> None:
    # Enter at once: dismissed, no note.
    assert requested(qtbot, pane, lambda: pane.trigger("dismiss")) == [[7], "dismiss", {}]
    assert notes.asked == [
        (
            "Dismiss",
            "Dismiss the alert on Noah Khan? Not worth acting on: it leaves the queue.",
            "Dismiss",
        )
    ]
    notes.answer = "Duplicate of the ticket alert"
    assert requested(qtbot, pane, lambda: pane.trigger("dismiss")) == [
        [7],
        "dismiss",
        {"note": "Duplicate of the ticket alert"},
    ]
    notes.answer = None  # Cancel (Esc): nothing happens
    with qtbot.assertNotEmitted(pane.action_requested):
        pane.trigger("dismiss")


def test_a_card_of_two_alerts_says_both_are_dismissed(
    qtbot, pane: ActionPane, notes: Notes
) -> None:
    card = (
        CardAlert(7, "high_risk_high_value", "High risk, high value", "critical", "open",
                  "churn risk 85%", 43_100),
        CardAlert(9, "gone_quiet", "Gone quiet", "warning", "in_progress", "no order", 43_100),
    )  # fmt: skip
    pane.show_alert(dataclasses.replace(ALERT, card=card))
    assert requested(qtbot, pane, lambda: pane.trigger("dismiss"))[:2] == [[7, 9], "dismiss"]
    assert "the 2 alerts on Noah Khan's card" in notes.asked[-1][1]


def test_resolve_asks_with_its_outcome_and_a_note(qtbot, pane: ActionPane, notes: Notes) -> None:
    notes.answer = "Chose a competitor"
    assert requested(qtbot, pane, lambda: pane.resolve("lost")) == [
        [7],
        "resolve",
        {"outcome": "lost", "note": "Chose a competitor"},
    ]
    assert notes.asked == [("Resolve", "Resolve the alert on Noah Khan as lost?", "Resolve")]


def test_won_back_with_no_contact_recorded_asks_whether_it_is_so(
    qtbot, pane: ActionPane, notes: Notes
) -> None:
    # No contact at all.
    notes.answer = None
    with qtbot.assertNotEmitted(pane.action_requested):
        pane.resolve("won_back")
    assert notes.asked == [
        (
            "Won back without contact?",
            "No contact is recorded for Noah Khan since the alert was raised on "
            f"{_day(RAISED)}. Mark as won back anyway?",
            "Mark won back",
        )
    ]
    # A contact before the alert was raised is not one since: asked again.
    before = dataclasses.replace(ALERT, last_contact_at=RAISED - dt.timedelta(days=30))
    pane.show_alert(before)
    notes.answer = "They reordered on their own"
    assert requested(qtbot, pane, lambda: pane.resolve("won_back")) == [
        [7],
        "resolve",
        {"outcome": "won_back", "note": "They reordered on their own"},
    ]
    assert notes.asked[-1][0] == "Won back without contact?"
    # A call since: the plain question, not the doubt.
    called = dataclasses.replace(ALERT, last_contact_at=RAISED + dt.timedelta(days=1))
    pane.show_alert(called)
    notes.answer = ""
    assert requested(qtbot, pane, lambda: pane.resolve("won_back")) == [
        [7],
        "resolve",
        {"outcome": "won_back"},
    ]
    assert notes.asked[-1] == ("Resolve", "Resolve the alert on Noah Khan as won back?", "Resolve")
    assert len(notes.asked) == 3  # one question per resolve, never two


def _day(when: dt.datetime) -> str:
    from services.core.formatting import format_date

    return format_date(when.date())


def test_do_not_contact_asks_and_keeps_the_reason(qtbot, pane: ActionPane, notes: Notes) -> None:
    notes.answer = "Asked on the phone"
    assert requested(qtbot, pane, lambda: pane.trigger("dnc")) == [
        [7],
        "do_not_contact",
        {"note": "Asked on the phone"},
    ]
    title, question, button = notes.asked[0]
    assert (title, button) == ("Do not contact?", "Do not contact")
    assert question.startswith("Mark Noah Khan do not contact?")


def test_the_note_dialog_confirms_with_enter_with_or_without_a_note(qtbot) -> None:
    dialog = ConfirmNoteDialog("Dismiss", "Dismiss the alert on Noah Khan?", "Dismiss")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.note.hasFocus())
    assert dialog.note.placeholderText() == NOTE_PLACEHOLDER
    assert dialog.confirm_button.text() == "Dismiss"
    assert dialog.confirm_button.isDefault()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.text == ""

    again = ConfirmNoteDialog("Dismiss", "Dismiss the alert on Noah Khan?", "Dismiss")
    qtbot.addWidget(again)
    again.show()
    qtbot.keyClicks(again.note, "  Duplicate  ")
    with qtbot.waitSignal(again.accepted):
        qtbot.keyClick(again.note, Qt.Key.Key_Enter)
    assert again.text == "Duplicate"

    cancelled = ConfirmNoteDialog("Dismiss", "Dismiss the alert on Noah Khan?", "Dismiss")
    qtbot.addWidget(cancelled)
    cancelled.show()
    with qtbot.waitSignal(cancelled.rejected):
        qtbot.keyClick(cancelled.note, Qt.Key.Key_Escape)


# -- a key that does nothing says why ---------------------------------------------------------


def said(qtbot, pane: ActionPane, key: str) -> str:
    """Press ``key`` on the pane; what it said in the status bar (it requests nothing)."""
    with (
        qtbot.assertNotEmitted(pane.action_requested),
        qtbot.waitSignal(pane.action_refused, timeout=1000) as blocker,
    ):
        qtbot.keyClick(pane, QKeySequence(key)[0].key())
    return str(blocker.args[0])


def state(**changes: object) -> AlertDetail:
    return dataclasses.replace(ALERT, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alert", "key", "text"),
    [
        (state(status="in_progress"), "P", "Already in progress"),
        (state(status="snoozed"), "P", "Snoozed: press O to bring it back first"),
        (state(status="resolved", outcome="lost"), "R", "Resolved: press O to reopen"),
        (state(status="dismissed"), "D", "Dismissed: press O to reopen"),
        (state(status="dismissed"), "S", "Dismissed: press O to reopen"),
        (state(status="resolved", outcome="lost"), "P", "Resolved: press O to reopen"),
        (state(status="open"), "O", "Open: nothing to reopen"),
        (state(status="in_progress"), "O", "In progress: nothing to reopen"),
        (
            state(do_not_contact=True, outreach_blocked="Noah Khan asked not to be contacted."),
            "M",
            "Do not contact: no meeting",
        ),
        (state(status="held_back"), "C", "Held back by the daily cap: press A to raise it first"),
        (state(status="held_back"), "D", "Held back by the daily cap: press A to raise it first"),
        (
            state(do_not_contact=True, outreach_blocked="Noah Khan asked not to be contacted."),
            "X",
            "Already marked do not contact",
        ),
        (
            state(do_not_contact=True, outreach_blocked="Noah Khan asked not to be contacted."),
            "E",
            "Do not contact: no email",
        ),
        (
            state(unsubscribed=True, outreach_blocked="Noah Khan unsubscribed from emails."),
            "E",
            "Unsubscribed: no email",
        ),
        (
            state(
                outreach_blocked="Noah Khan was contacted on Nov 21, 2026; ...",
                quiet_until=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
            ),
            "E",
            f"Quiet period after contact until {_day(dt.datetime(2026, 12, 5))}: no email "
            "(End the quiet period… first)",
        ),
    ],
)
def test_a_key_that_does_nothing_says_why(
    qtbot, pane: ActionPane, alert: AlertDetail, key: str, text: str
) -> None:
    pane.set_drafting_available(True)
    pane.show_alert(alert)
    pane.activateWindow()
    pane.setFocus()
    assert said(qtbot, pane, key) == text


def test_no_alert_and_a_busy_pane_say_so(qtbot, pane: ActionPane) -> None:
    pane.activateWindow()
    pane.setFocus()
    pane.set_busy(True)
    assert said(qtbot, pane, "P") == "Wait: the last action is still being saved"
    pane.set_busy(False)
    pane.show_alert(None, "No alerts to act on.")
    for key in ("P", "C", "N", "T", "S", "R", "D", "O", "X", "A", "M", "E", "B"):
        assert said(qtbot, pane, key) == "No alert selected", key


STATES = {
    "open": state(),
    "in progress": state(status="in_progress"),
    "snoozed": state(status="snoozed", snoozed_until=NOW + dt.timedelta(days=3)),
    "resolved": state(status="resolved", outcome="won_back"),
    "dismissed": state(status="dismissed"),
    "held back": state(status="held_back"),
    "do not contact": state(
        do_not_contact=True, outreach_blocked="Noah Khan asked not to be contacted."
    ),
    "unsubscribed": state(unsubscribed=True, outreach_blocked="Noah Khan unsubscribed."),
}


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # S, R: menus
@pytest.mark.parametrize("name", list(STATES))
def test_every_single_key_acts_or_says_why(qtbot, pane: ActionPane, name: str) -> None:
    """Every one-key shortcut of the pane, on each kind of card: it asks, acts, opens its
    menu or says why not; never nothing at all."""
    pane.set_drafting_available(True)
    keys = sorted(
        a.shortcut().toString() for a in pane.actions() if len(a.shortcut().toString()) == 1
    )
    assert keys == sorted("PCNTSRDOXAMEB")
    heard: list[str] = []
    for signal in (
        pane.action_requested,
        pane.action_refused,
        pane.draft_requested,
        pane.holdout_draft_requested,
    ):
        signal.connect(lambda *args, s=signal: heard.append(str(args)))
    for key in keys:
        pane.show_alert(STATES[name])
        pane.activateWindow()
        pane.setFocus()
        heard.clear()
        ASKED.clear()
        qtbot.keyClick(pane, QKeySequence(key)[0].key())
        menus = [
            m for m in (pane.snooze_menu, pane.resolve_menu, pane.playbooks.menu) if m.isVisible()
        ]
        for menu in menus:
            menu.close()
        assert heard or menus or ASKED, f"{key} on a {name} card did nothing and said nothing"
        assert len(heard) <= 1, (key, heard)
    QApplication.processEvents()
