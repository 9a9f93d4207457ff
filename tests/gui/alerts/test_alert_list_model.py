"""The alerts list model: priority order, filters, search and severity counts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from views.item_models.alert_list_data import AlertFilter, AlertListData
from views.item_models.alert_list_model import (
    AlertIdRole,
    AlertListModel,
    CardIdsRole,
    CustomerIdRole,
    SeverityRole,
    age_text,
    stake_text,
)

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def columns(n: int = 8) -> dict[str, np.ndarray]:
    sev = ["critical", "warning", "opportunity", "info", "critical", "warning", "warning", "info"]
    status = ["open", "open", "open", "in_progress", "snoozed", "resolved", "open", "dismissed"]
    owner = ["Priya Raman", "Lucas Moreno", "Priya Raman", None, "Lucas Moreno", "Priya Raman",
             "Hannah Becker", "Priya Raman"]  # fmt: skip
    return {
        "id": np.arange(101, 101 + n),
        "customer_id": np.arange(1, n + 1),
        # The account's name (a business account's company), and its person beside it.
        "customer": np.array(
            [
                "Acme",
                "Ben Okafor",
                "Brightline",
                "Dee Ray",
                "Eve Holt",
                "Acme Foods",
                "Gia Russo",
                "Hal Kim",
            ],  # fmt: skip
            dtype=object,
        )[:n],
        "person": np.array(
            ["Ana Díaz", None, "Chen Li", None, None, "Finn Berg", None, None], dtype=object
        )[:n],
        "severity": np.array(sev, dtype=object)[:n],
        "status": np.array(status, dtype=object)[:n],
        "rule": np.array(["High risk, high value"] * n, dtype=object),
        "rule_key": np.array(["high_risk_high_value"] * n, dtype=object),
        "reason": np.array(
            [f"churn risk {50 + i}% and 12-month value ${1000 + i}" for i in range(n)],
            dtype=object,
        ),
        "owner": np.array(owner, dtype=object)[:n],
        "segment": np.array(["At Risk", "Loyal", "Champions", "At Risk"] * 2, dtype=object)[:n],
        "priority_cents": np.array([500, 90_000, 20_000, 100, 7_000, 3_000, 90_000, 10])[:n],
        "created_at": np.array(
            [
                "2026-11-20",
                "2026-11-21",
                "2026-10-01",
                "2026-11-22",
                "2026-11-01",
                "2026-11-02",
                "2026-11-19",
                "2026-11-03",
            ],  # fmt: skip
            dtype="datetime64[s]",
        )[:n],
        "snoozed_until": np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"),
        "do_not_contact": np.array([False, True, False, False, False, False, False, False])[:n],
        # The rest of services.alerts.records.ALERT_COLUMNS (the list does not show them).
        "updated_at": np.full(n, np.datetime64("2026-11-22"), dtype="datetime64[s]"),
        "snooze_until_clear": np.zeros(n, dtype=bool),
        "unsubscribed": np.zeros(n, dtype=bool),
        "condition_cleared": np.zeros(n, dtype=bool),
        "outcome": np.full(n, None, dtype=object),
        "queue": np.array(["risk", "pipeline", "growth", "risk"] * 2, dtype=object)[:n],
        "risk_now_cents": np.full(n, -1, dtype=np.int64),  # no latest scoring of them
        "churn_now": np.full(n, np.nan),
        "holdout": np.zeros(n, dtype=bool),
    }


# Every queue, the biggest amount first: the order these tests were written for.
ALL = AlertFilter(queue=None, sort="stake")


def every(**fields: object) -> AlertFilter:
    return AlertFilter(**{"queue": None, "sort": "stake", **fields})  # type: ignore[arg-type]


@pytest.fixture
def model(qtbot) -> AlertListModel:
    m = AlertListModel(clock=lambda: NOW)
    m.set_data(AlertListData(columns(), now=NOW))
    m.set_filter(ALL)
    return m


def shown(model: AlertListModel) -> list[int]:
    return [model.index(r, 0).data(AlertIdRole) for r in range(model.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester, model: AlertListModel) -> None:
    qtmodeltester.check(model)
    model.set_filter(every(status="all", search="acme"))
    qtmodeltester.check(model)


def test_active_alerts_in_priority_order_newest_first_on_ties(model: AlertListModel) -> None:
    # Active = open or in progress; 90,000 twice: the newer (Nov 21, id 102) first.
    assert shown(model) == [102, 107, 103, 101, 104]
    assert model.index(0, 0).data(CustomerIdRole) == 2


def test_filters_narrow_the_list(model: AlertListModel) -> None:
    model.set_filter(every(severities=frozenset({"critical", "info"})))
    assert shown(model) == [101, 104]
    model.set_filter(every(status="all", owner="Priya Raman"))
    assert shown(model) == [103, 106, 101, 108]
    model.set_filter(every(status="all", mine_owner="Lucas Moreno"))
    assert shown(model) == [102, 105]
    model.set_filter(every(segment="At Risk"))
    assert shown(model) == [101, 104]
    model.set_filter(every(status="snoozed"))
    assert shown(model) == [105]
    model.set_filter(every(status="resolved"))
    assert shown(model) == [106]


def test_search_matches_every_word_in_any_field(model: AlertListModel) -> None:
    model.set_filter(every(status="all", search="ACME"))
    assert shown(model) == [106, 101]
    model.set_filter(every(status="all", search="priya 52%"))
    assert shown(model) == [103]
    model.set_filter(every(status="all", search="nobody-has-this"))
    assert shown(model) == []
    # Accents and case: "DÍAZ" finds "Ana Díaz"; "diaz" without the accent does not.
    model.set_filter(every(status="all", search="DÍAZ"))
    assert shown(model) == [101]
    model.set_filter(every(status="all", search="díaz acme"))
    assert shown(model) == [101]
    model.set_filter(every(status="all", search="diaz"))
    assert shown(model) == []


def test_counts_follow_the_other_filters_but_not_severity(qtbot, model: AlertListModel) -> None:
    assert model.severity_counts() == {"critical": 1, "warning": 2, "opportunity": 1, "info": 1}
    with qtbot.waitSignal(model.counts_changed) as blocker:
        model.set_filter(every(severities=frozenset({"warning"}), owner="Lucas Moreno"))
    assert blocker.args[0] == {"critical": 0, "warning": 1, "opportunity": 0, "info": 0}
    assert shown(model) == [102]


def test_row_of_finds_visible_alerts_only(model: AlertListModel) -> None:
    assert model.row_of(103) == 2
    assert model.row_of(106) == -1  # resolved: not in the active list


def test_data_rejects_bad_columns() -> None:
    bad = columns()
    del bad["reason"]
    with pytest.raises(ValueError, match="reason"):
        AlertListData(bad)
    short = columns()
    short["owner"] = short["owner"][:3]
    with pytest.raises(ValueError, match="owner"):
        AlertListData(short)


def test_empty_data_shows_nothing(qtbot) -> None:
    m = AlertListModel()
    empty = {k: v[:0] for k, v in columns().items()}
    m.set_data(AlertListData(empty, now=NOW))
    assert m.rowCount() == 0
    assert m.total() == 0
    assert m.severity_counts() == {"critical": 0, "warning": 0, "opportunity": 0, "info": 0}


def test_stake_and_age_texts() -> None:
    # One name for one thing: revenue at risk (risk), upside (growth), deal value at
    # stake (pipeline); a card shows the short form.
    assert stake_text("risk", 123_456, "USD") == "$1,235 at risk"
    assert stake_text("risk", 123_456, "USD", full=True) == "$1,235 revenue at risk"
    assert stake_text("growth", 50_000, "USD") == "$500 upside"
    assert stake_text("pipeline", 360_000, "USD") == "$3,600 at stake"
    assert stake_text("pipeline", 360_000, "USD", full=True) == "$3,600 deal value at stake"
    assert age_text(np.datetime64("2026-11-22T01:00:00"), NOW) == "today"
    assert age_text(np.datetime64("2026-11-19T23:00:00"), NOW) == "3d old"
    assert age_text(np.datetime64("2026-10-25T00:00:00"), NOW) == "4w old"
    assert age_text(np.datetime64("NaT"), NOW) == ""


def test_typing_narrows_the_search_to_the_same_rows_as_a_fresh_search() -> None:
    rng = np.random.default_rng(3)
    n = 400
    cols = columns()
    big = {k: np.resize(v, n) for k, v in cols.items()}
    big["id"] = np.arange(n)
    words = np.array(["ana", "anabel", "ben", "acme", "bright", "line", "zed"], dtype=object)
    big["reason"] = np.array([" ".join(rng.choice(words, 3)) for _ in range(n)], dtype=object)
    typed = "ana bright li"
    for probe in (typed, "acme zed", "ben  ana"):
        incremental = AlertListData(big)
        for i in range(1, len(probe) + 1):
            needle = probe[:i].strip().lower()
            if not needle:
                continue
            got = incremental.search_hits(needle)
            fresh = AlertListData(big).search_hits(needle)
            assert np.array_equal(got, fresh), needle
    # The typed probe is a real narrowing: some rows, not all.
    assert 0 < np.count_nonzero(AlertListData(big).search_hits(typed)) < n


def card_columns() -> dict[str, np.ndarray]:
    """Ana has three alerts (two risk rules and a stalled deal), Ben one warning with the
    biggest amount, Cy one info alert raised 40 days ago."""
    cols = columns(5)
    cols["customer_id"] = np.array([1, 1, 1, 2, 3])
    cols["customer"] = np.array(["Ana", "Ana", "Ana", "Ben", "Cy"], dtype=object)
    cols["severity"] = np.array(["warning", "critical", "warning", "warning", "info"], object)
    cols["status"] = np.array(["open"] * 5, dtype=object)
    cols["rule"] = np.array(
        ["Gone quiet", "High risk, high value", "Stalled deal", "Gone quiet", "Engagement drop"],
        dtype=object,
    )
    cols["reason"] = np.array(["quiet", "risky", "deal", "ben quiet", "cy"], dtype=object)
    cols["queue"] = np.array(["risk", "risk", "pipeline", "risk", "risk"], dtype=object)
    cols["priority_cents"] = np.array([40_000, 40_000, 360_000, 90_000, 500])
    cols["created_at"] = np.array(
        [
            "2026-11-20T10:00",
            "2026-11-21T10:00",
            "2026-11-10T10:00",
            "2026-11-22T08:00",
            "2026-10-13T08:00",
        ],  # fmt: skip
        dtype="datetime64[s]",
    )
    return cols


def test_one_card_per_customer_and_queue_critical_first(qtbot) -> None:
    m = AlertListModel(clock=lambda: NOW)
    m.set_data(AlertListData(card_columns(), now=NOW))
    # The risk queue, most urgent first: Ana's card (critical, with two reasons) leads
    # although Ben's amount is bigger; her stalled deal is in the pipeline queue.
    assert m.rowCount() == 3
    assert shown(m) == [102, 104, 105]
    assert m.index(0, 0).data(CardIdsRole) == [102, 101]
    assert m.index(0, 0).data(SeverityRole) == "critical"
    card = m.record(0)
    assert (card["count"], card["reasons"]) == (2, ["risky", "quiet"])
    assert m.queue_counts() == {"risk": 3, "growth": 0, "pipeline": 1}
    # Chips count cards by their most urgent alert.
    assert m.severity_counts() == {"critical": 1, "warning": 1, "opportunity": 0, "info": 1}
    # The card holding an alert is found from either of its alerts.
    assert m.row_of(101) == m.row_of(102) == 0
    # The biggest amount first: Ben leads; Ana's card still holds both of her risk alerts.
    m.set_filter(AlertFilter(sort="stake"))
    assert shown(m) == [104, 102, 105]
    assert m.index(1, 0).data(CardIdsRole) == [102, 101]
    m.set_filter(AlertFilter(queue="pipeline"))
    assert shown(m) == [103]
    assert "$3,600 at stake" in m.index(0, 0).data()
    # A warning chip keeps the cards whose most urgent alert is a warning: Ben's, not Ana's.
    m.set_filter(AlertFilter(severities=frozenset({"warning"})))
    assert shown(m) == [104]


def test_the_age_filter_counts_whole_days_as_the_dashboard(qtbot) -> None:
    m = AlertListModel(clock=lambda: NOW)
    m.set_data(AlertListData(card_columns(), now=NOW))
    # NOW is Nov 22 09:00: Ben's alert is 1 hour old (0 days), Ana's critical 23 hours
    # (0 days), her gone-quiet alert 1 day 23 hours (1 day), Cy's 40 days.
    m.set_filter(AlertFilter(queue=None, min_age_days=0, max_age_days=0))
    assert sorted(shown(m)) == [102, 104]
    assert m.index(0, 0).data(CardIdsRole) == [102]  # only the alert the filter keeps
    m.set_filter(AlertFilter(queue=None, min_age_days=31))
    assert shown(m) == [105]


def test_a_card_shows_the_amount_of_its_alerts_that_still_hold(qtbot) -> None:
    """A cleared alert keeps the figure of the scoring that raised it: the card says the
    current revenue at risk (its holding alerts', as the customer's tile), not the old one."""
    c = card_columns()
    ana = [i for i, customer in enumerate(c["customer_id"].tolist()) if customer == 1]
    risk = [i for i in ana if c["queue"][i] == "risk"]
    assert len(risk) == 2
    old, current = risk
    c["priority_cents"][old] = 99_500
    c["priority_cents"][current] = 90_100
    c["condition_cleared"][old] = True
    m = AlertListModel(clock=lambda: NOW)
    m.set_data(AlertListData(c, now=NOW))
    row = m.row_of(int(c["id"][current]))
    assert m.record(row)["stake"] == 90_100
    assert "$901 at risk" in m.index(row, 0).data()
    # Every alert of the card cleared: the biggest figure is all there is.
    c["condition_cleared"][current] = True
    m.set_data(AlertListData(c, now=NOW))
    assert m.record(m.row_of(int(c["id"][current])))["stake"] == 99_500


def test_a_risk_card_says_the_latest_revenue_at_risk_and_cleared_cards_come_last(qtbot) -> None:
    """The card's "at risk" is the customer's revenue at risk by the latest scoring (their
    tile's figure), whatever the alert held when raised; a card whose every condition has
    cleared sorts after the live ones, even a critical one, and says so."""
    c = card_columns()
    c["risk_now_cents"] = np.array([18_800, 18_800, 18_800, 50_000, 7_000])
    m = AlertListModel(clock=lambda: NOW)
    m.set_data(AlertListData(c, now=NOW))
    ana = m.row_of(102)
    assert m.record(ana)["stake"] == 18_800
    assert "$188 at risk" in m.index(ana, 0).data()
    # Her stalled deal keeps its own figure, named for what it is.
    m.set_filter(AlertFilter(queue="pipeline"))
    assert "$3,600 at stake" in m.index(0, 0).data()
    # Ana's critical rule has cleared, and so has her other one: her card goes below Ben's
    # and Cy's live ones (a warning and an info), and says its condition cleared.
    c["condition_cleared"] = np.array([True, True, False, False, False])
    m.set_data(AlertListData(c, now=NOW))
    m.set_filter(AlertFilter())
    assert shown(m) == [104, 105, 102]
    assert m.record(2)["live"] is False
    assert m.record(0)["live"] is True
