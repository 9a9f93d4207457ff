"""The alerts list model: priority order, filters, search and severity counts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from views.item_models.alert_list_model import (
    AlertFilter,
    AlertIdRole,
    AlertListData,
    AlertListModel,
    CustomerIdRole,
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
        "customer": np.array(
            [
                "Ana Díaz",
                "Ben Okafor",
                "Chen Li",
                "Dee Ray",
                "Eve Holt",
                "Finn Berg",
                "Gia Russo",
                "Hal Kim",
            ],  # fmt: skip
            dtype=object,
        )[:n],
        "company": np.array(["Acme", None, "Brightline", None, None, "Acme", None, None])[:n],
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
    }


@pytest.fixture
def model(qtbot) -> AlertListModel:
    m = AlertListModel(clock=lambda: NOW)
    m.set_data(AlertListData(columns()))
    return m


def shown(model: AlertListModel) -> list[int]:
    return [model.index(r, 0).data(AlertIdRole) for r in range(model.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester, model: AlertListModel) -> None:
    qtmodeltester.check(model)
    model.set_filter(AlertFilter(status="all", search="acme"))
    qtmodeltester.check(model)


def test_active_alerts_in_priority_order_newest_first_on_ties(model: AlertListModel) -> None:
    # Active = open or in progress; 90,000 twice: the newer (Nov 21, id 102) first.
    assert shown(model) == [102, 107, 103, 101, 104]
    assert model.index(0, 0).data(CustomerIdRole) == 2


def test_filters_narrow_the_list(model: AlertListModel) -> None:
    model.set_filter(AlertFilter(severities=frozenset({"critical", "info"})))
    assert shown(model) == [101, 104]
    model.set_filter(AlertFilter(status="all", owner="Priya Raman"))
    assert shown(model) == [103, 106, 101, 108]
    model.set_filter(AlertFilter(status="all", mine_owner="Lucas Moreno"))
    assert shown(model) == [102, 105]
    model.set_filter(AlertFilter(segment="At Risk"))
    assert shown(model) == [101, 104]
    model.set_filter(AlertFilter(status="snoozed"))
    assert shown(model) == [105]
    model.set_filter(AlertFilter(status="resolved"))
    assert shown(model) == [106]


def test_search_matches_every_word_in_any_field(model: AlertListModel) -> None:
    model.set_filter(AlertFilter(status="all", search="ACME"))
    assert shown(model) == [106, 101]
    model.set_filter(AlertFilter(status="all", search="priya 52%"))
    assert shown(model) == [103]
    model.set_filter(AlertFilter(status="all", search="nobody-has-this"))
    assert shown(model) == []
    # Accents and case: "DÍAZ" finds "Ana Díaz"; "diaz" without the accent does not.
    model.set_filter(AlertFilter(status="all", search="DÍAZ"))
    assert shown(model) == [101]
    model.set_filter(AlertFilter(status="all", search="díaz acme"))
    assert shown(model) == [101]
    model.set_filter(AlertFilter(status="all", search="diaz"))
    assert shown(model) == []


def test_counts_follow_the_other_filters_but_not_severity(qtbot, model: AlertListModel) -> None:
    assert model.severity_counts() == {"critical": 1, "warning": 2, "opportunity": 1, "info": 1}
    with qtbot.waitSignal(model.counts_changed) as blocker:
        model.set_filter(AlertFilter(severities=frozenset({"warning"}), owner="Lucas Moreno"))
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
    m.set_data(AlertListData(empty))
    assert m.rowCount() == 0
    assert m.total() == 0
    assert m.severity_counts() == {"critical": 0, "warning": 0, "opportunity": 0, "info": 0}


def test_stake_and_age_texts() -> None:
    assert stake_text("critical", 123_456, "USD") == "$1,235 at risk"
    assert stake_text("opportunity", 50_000, "USD") == "$500 upside"
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
