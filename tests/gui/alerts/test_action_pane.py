"""The action pane: what it offers for each alert state, and what each action asks for."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt

from views.alerts.action_pane import ActionPane
from views.alerts.dialogs import CallDialog
from views.alerts.source import AlertDetail, AlertEvent, CardAlert, Recommendation

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)

RAISED = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
ALERT = AlertDetail(
    id=7,
    customer_id=42,
    customer="Noah Khan",
    company=None,
    email="noah.khan@example.com",
    severity="critical",
    status="open",
    rule_key="high_risk_high_value",
    rule="High risk, high value",
    reason="churn risk 85% and 12-month value $507",
    drivers=("no order in 132 days; usual gap 35 days", "cancelled a subscription"),
    priority_cents=43_100,
    owner="Priya Raman",
    segment="At Risk",
    churn_risk=0.85,
    clv_12m_cents=50_700,
    created_at=RAISED,
    updated_at=RAISED,
    snoozed_until=None,
    snooze_until_clear=False,
    outcome=None,
    resolved_at=None,
    cleared_at=None,
    do_not_contact=False,
    unsubscribed=False,
    last_contact_at=None,
    outreach_blocked=None,
    recommendation=Recommendation("A personal check-in", "Call them; offer up to $50.", 5_000),
    history=(AlertEvent(RAISED, "system", "alert.created", "Raised"),),
    risk_reasons=("no order in 132 days; usual gap 35 days", "cancelled a subscription"),
)


@pytest.fixture
def pane(qtbot) -> ActionPane:
    texts = iter(["Prefers email", "They asked for the offer now"])
    p = ActionPane(
        ask_text=lambda _title, _label: next(texts),
        ask_call=lambda _customer: ("voicemail", ""),
        ask_task=lambda customer: (f"Call {customer} back", dt.date(2026, 11, 25)),
        ask_note=lambda _title, _question, _button: "",  # Enter: confirmed, no note
        clock=lambda: NOW,
    )
    qtbot.addWidget(p)
    p.resize(360, 700)
    p.show()
    p.show_alert(ALERT)
    return p


def requests(qtbot, pane: ActionPane, key: str) -> tuple[int, str, dict]:
    with qtbot.waitSignal(pane.action_requested, timeout=1000) as blocker:
        pane.trigger(key)
    return tuple(blocker.args)  # type: ignore[return-value]


def test_shows_the_alert_the_step_and_the_history(pane: ActionPane) -> None:
    assert "High risk, high value" in pane.title.text()
    assert "Priya Raman" in pane.meta.text()
    assert "$431 revenue at risk" in pane.meta.text()
    assert "Noah Khan" in pane.reason.text()
    assert "usual gap 35 days" in pane.reason.text()
    assert pane.next_title.text() == "A personal check-in"
    assert "Raised" in pane.history.text()
    assert not pane.blocked.isVisible()


def test_each_action_asks_for_what_it_needs(qtbot, pane: ActionPane) -> None:
    assert requests(qtbot, pane, "start") == ([7], "start", {})
    assert requests(qtbot, pane, "call") == (
        [7],
        "log",
        {"kind": "call", "outcome": "voicemail", "text": ""},
    )
    assert requests(qtbot, pane, "note") == ([7], "log", {"kind": "note", "text": "Prefers email"})
    assert requests(qtbot, pane, "task") == (
        [7],
        "task",
        {"text": "Call Noah Khan back", "due": dt.date(2026, 11, 25)},
    )
    assert requests(qtbot, pane, "dismiss") == ([7], "dismiss", {})
    assert requests(qtbot, pane, "dnc") == ([7], "do_not_contact", {})


def test_snooze_and_resolve_choices(qtbot, pane: ActionPane) -> None:
    with qtbot.waitSignal(pane.action_requested) as blocker:
        pane.snooze("1w")
    assert blocker.args == [[7], "snooze", {"until": dt.date(2026, 11, 29)}]
    with qtbot.waitSignal(pane.action_requested) as blocker:
        pane.snooze("clear")
    assert blocker.args == [[7], "snooze", {"until_clear": True}]
    with qtbot.waitSignal(pane.action_requested) as blocker:
        pane.resolve("won_back")
    assert blocker.args == [[7], "resolve", {"outcome": "won_back"}]


def test_keyboard_shortcuts_trigger_actions(qtbot, pane: ActionPane) -> None:
    pane.activateWindow()
    pane.setFocus()
    with qtbot.waitSignal(pane.action_requested) as blocker:
        qtbot.keyClick(pane, Qt.Key.Key_P)
    assert blocker.args == [[7], "start", {}]
    with qtbot.waitSignal(pane.action_requested) as blocker:
        qtbot.keyClick(pane, Qt.Key.Key_D)
    assert blocker.args == [[7], "dismiss", {}]


def test_closed_alerts_offer_reopen_not_resolve(qtbot, pane: ActionPane) -> None:
    pane.show_alert(dataclasses.replace(ALERT, status="resolved", outcome="won_back"))
    assert "Resolved: Won back" in pane.meta.text()
    assert pane.buttons["reopen"].isVisible()
    assert pane.buttons["reopen"].isEnabled()
    for key in ("resolve", "dismiss", "snooze", "start"):
        assert not pane.buttons[key].isEnabled(), key
    with qtbot.assertNotEmitted(pane.action_requested):
        pane.trigger("resolve")
    assert requests(qtbot, pane, "reopen") == ([7], "reopen", {})


def test_blocked_outreach_and_do_not_contact(pane: ActionPane) -> None:
    pane.show_alert(
        dataclasses.replace(
            ALERT, do_not_contact=True, outreach_blocked="Do not contact: no outreach."
        )
    )
    assert pane.blocked.isVisible()
    assert "Do not contact" in pane.blocked.text()
    assert not pane.buttons["dnc"].isEnabled()


def test_busy_pane_accepts_nothing(qtbot, pane: ActionPane) -> None:
    pane.set_busy(True)
    assert not any(b.isEnabled() for b in pane.buttons.values())
    with qtbot.assertNotEmitted(pane.action_requested):
        pane.trigger("start")
    pane.set_busy(False)
    assert pane.buttons["start"].isEnabled()


def test_cancelled_prompts_request_nothing(qtbot) -> None:
    p = ActionPane(
        ask_text=lambda *_: None,
        ask_task=lambda _c: None,
        ask_call=lambda _c: None,
        clock=lambda: NOW,
    )
    qtbot.addWidget(p)
    p.show_alert(ALERT)
    with qtbot.assertNotEmitted(p.action_requested):
        p.trigger("call")
        p.trigger("task")
        p.trigger("note")


def test_no_alert_is_a_plain_empty_state(qtbot) -> None:
    p = ActionPane()
    qtbot.addWidget(p)
    p.show()
    p.show_alert(None, "No alerts to act on.")
    assert p.empty.isVisible()
    assert p.empty.text() == "No alerts to act on."
    assert not p.scroller.isVisible()
    with qtbot.assertNotEmitted(p.action_requested):
        p.trigger("start")


def test_an_alert_closed_by_the_app_says_so_and_users_cannot_pick_that(pane: ActionPane) -> None:
    pane.show_alert(dataclasses.replace(ALERT, status="resolved", outcome="condition_cleared"))
    assert "Resolved: Condition cleared" in pane.meta.text()
    offered = [a.text() for a in pane.resolve_menu.actions()]
    assert offered == ["Won back", "Lost", "No action needed", "Other"]


def test_a_card_of_several_alerts_acts_on_all_and_shows_every_reason(
    qtbot, pane: ActionPane
) -> None:
    card = (
        CardAlert(7, "high_risk_high_value", "High risk, high value", "critical", "open",
                  "churn risk 85% and 12-month value $507", 43_100),
        CardAlert(9, "gone_quiet", "Gone quiet", "warning", "open",
                  "no order in 132 days; usual gap 35 days", 43_100, condition_cleared=True),
    )  # fmt: skip
    pane.show_alert(dataclasses.replace(ALERT, card=card))
    assert "High risk, high value + Gone quiet" in pane.title.text()
    reasons = pane.reason.text()
    assert "churn risk 85%" in reasons
    assert "(Gone quiet, condition cleared)" in reasons
    assert requests(qtbot, pane, "dismiss") == ([7, 9], "dismiss", {})


def test_risk_reasons_and_a_conflict_are_said(pane: ActionPane) -> None:
    pane.show_alert(
        dataclasses.replace(
            ALERT,
            risk_reasons=("new customer, thin history: one order so far, 25 days ago",),
            conflict="Signals conflict: opened 6 of 6 emails since June points the other way.",
        )
    )
    text = pane.reason.text()
    assert "Behind the churn risk" in text
    assert "thin history" in text
    assert "Signals conflict: opened 6 of 6 emails" in text
    # Not the snapshot's drivers, which may be reassuring ones.
    assert "cancelled a subscription" not in text


def test_a_relationship_alert_says_what_its_signal_was_measured_at(pane: ActionPane) -> None:
    pane.show_alert(
        dataclasses.replace(
            ALERT,
            rule_key="champion_left",
            rule="Champion left",
            reason="Dana Smith (champion) is no longer in the Salesforce export since Nov 3, 2026",
            signal_proof="precision 40 % (29-53 %, 60 judged) on 52 weeks of this workspace's "
            "history, against lost renewals; the rule asks for 30 %",
        )
    )
    text = pane.reason.text()
    assert "Measured: Precision 40 % (29-53 %, 60 judged)" in text
    assert "the rule asks for 30 %." in text
    pane.show_alert(ALERT)  # any other rule's card says nothing of it
    assert "Measured" not in pane.reason.text()


def test_the_quiet_period_can_be_ended_with_a_reason(qtbot, pane: ActionPane) -> None:
    assert not pane.quiet_button.isVisible()
    quiet = dataclasses.replace(
        ALERT,
        outreach_blocked="Noah Khan was contacted on 2026-11-21; the quiet period lasts ...",
        quiet_until=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
    )
    pane.show_alert(quiet)
    assert pane.quiet_button.isVisible()
    assert pane.quiet_button.isEnabled()
    assert not pane.draft_button.isEnabled()
    pane.trigger("note")  # uses up the first prepared text
    with qtbot.waitSignal(pane.action_requested) as blocker:
        qtbot.mouseClick(pane.quiet_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [[7], "end_quiet_period", {"reason": "They asked for the offer now"}]


def test_the_call_dialog_needs_words_only_for_a_conversation(qtbot) -> None:
    dialog = CallDialog("Noah Khan")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.outcome == "connected"
    dialog.accept()  # a conversation with nothing written: stays open and says why
    assert dialog.isVisible()
    assert dialog.warning.isVisible()
    dialog.outcomes["no_answer"].setChecked(True)
    assert dialog.outcome == "no_answer"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_a_held_out_alert_says_so_and_asks_why_before_the_composer(qtbot) -> None:
    asked: list[str] = []

    def ask(_title: str, label: str) -> str:
        asked.append(label)
        return "They asked for a quote"

    pane = ActionPane(ask_text=ask, clock=lambda: NOW)
    qtbot.addWidget(pane)
    pane.set_drafting_available(True)
    pane.show()
    held = dataclasses.replace(
        ALERT,
        holdout=True,
        recommendation=Recommendation("Holdout: no outreach for now", "Watch for an order."),
    )
    pane.show_alert(held)
    assert pane.next_title.text() == "Holdout: no outreach for now"
    assert pane.draft_button.text().startswith("Contact anyway")
    assert "holdout" in pane.draft_button.toolTip().lower()
    with (
        qtbot.assertNotEmitted(pane.draft_requested),
        qtbot.waitSignal(pane.holdout_draft_requested, timeout=1000) as blocker,
    ):
        pane.trigger("draft")
    assert blocker.args == [7, 42, "They asked for a quote"]
    assert "Noah Khan is in the holdout" in asked[0]


def test_a_held_out_alert_stays_quiet_when_the_user_gives_no_reason(qtbot) -> None:
    pane = ActionPane(ask_text=lambda _t, _l: None, clock=lambda: NOW)
    qtbot.addWidget(pane)
    pane.set_drafting_available(True)
    pane.show_alert(dataclasses.replace(ALERT, holdout=True))
    with (
        qtbot.assertNotEmitted(pane.holdout_draft_requested),
        qtbot.assertNotEmitted(pane.draft_requested),
    ):
        pane.trigger("draft")


def test_a_customer_contacted_anyway_is_shown_with_the_reason(qtbot) -> None:
    pane = ActionPane(clock=lambda: NOW)
    qtbot.addWidget(pane)
    pane.set_drafting_available(True)
    pane.show()
    note = "Held out, but contacted on Nov 21, 2026 (asked for a quote): counted in neither group."
    pane.show_alert(dataclasses.replace(ALERT, holdout_contacted=note))
    assert pane.blocked.isVisible()
    assert pane.blocked.text() == note
    assert pane.draft_button.text().startswith("Draft email")


def test_a_refusal_notice_stays_with_its_card_and_goes_with_the_next_action(
    pane: ActionPane,
) -> None:
    card = (
        CardAlert(7, "high_risk_high_value", "High risk, high value", "critical", "open",
                  "churn risk 85%", 43_100, version=3),
        CardAlert(8, "gone_quiet", "Gone quiet", "warning", "open", "no order", 20_000,
                  version=5),
    )  # fmt: skip
    alert = dataclasses.replace(ALERT, card=card, version=3)
    pane.show_alert(alert)
    assert alert.seen_versions == {7: 3, 8: 5}
    pane.show_notice((7, 8), "Maya Lopez changed this alert just now: it is now resolved.")
    assert pane.notice_text.startswith("Maya Lopez changed")
    pane.show_alert(dataclasses.replace(alert, status="resolved"))  # the card reloaded
    assert pane.notice_text.startswith("Maya Lopez changed")
    pane.show_alert(dataclasses.replace(ALERT, id=9))  # another card
    assert pane.notice_text == ""
    pane.show_alert(alert)
    pane.show_notice((7, 8), "Maya Lopez changed this alert just now: it is now resolved.")
    pane.trigger("dismiss")  # a new action answers it
    assert pane.notice_text == ""


def test_the_versions_an_own_action_left_are_sent_by_the_next(pane: ActionPane) -> None:
    """Until the card reloads after the user's own action, it carries the versions that
    action left: a quick second key is not refused as someone else's change."""
    card = (CardAlert(7, "high_risk_high_value", "High risk, high value", "critical",
                      "open", "churn risk 85%", 43_100, version=3),)  # fmt: skip
    pane.show_alert(dataclasses.replace(ALERT, card=card, version=3))
    pane.note_versions({7: 4, 99: 1})
    assert pane.alert is not None
    assert pane.alert.seen_versions == {7: 4}


@pytest.mark.parametrize(("channel", "button"), [("call", "call"), ("meeting", "meeting")])
def test_a_channel_experiment_marks_the_action_it_asks_for(
    pane: ActionPane, channel: str, button: str
) -> None:
    words = f'Experiment "Warm or concise": {channel} this customer (chosen at random).'
    rec = Recommendation("A personal check-in", words, None, channel=channel)
    pane.show_alert(dataclasses.replace(ALERT, recommendation=rec))
    assert pane.next_detail.text() == words
    assert pane.buttons[button].font().bold()
    others = [b for k, b in pane.buttons.items() if k != button]
    assert not any(b.font().bold() for b in others)
    assert not pane.draft_button.font().bold()
    pane.show_alert(ALERT)  # another alert: nothing marked
    assert not pane.buttons[button].font().bold()
