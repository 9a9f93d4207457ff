"""A renewal alert is due no later than its deadline (services/alerts/sla.py): on the
hand-made book of tests/support/renewal_calls_book.py, on SQLite and on PostgreSQL, with
Birch's last day for notice moved to Monday Mar 2 and Delta's renewal to Tuesday Mar 3.
Raised on Sunday Mar 1, a warning has three working days (due at the end of Wednesday
Mar 4): the notice alert is due at the end of Mar 2 and the renewal alert at the end of
Mar 3 instead. The card's detail, the alert list's marks and the alerts export agree."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Alert, Customer
from models.schema.renewals import Contract
from services.alerts import renewal_rules, sla
from services.alerts.detail import alert_detail
from services.alerts.generate import generate_alerts
from services.alerts.queries import alerts_export_frame
from services.alerts.sla import SlaSettings, due_at, due_cells, sla_columns, sla_states
from tests.support.renewal_calls_book import fill_renewal_calls_book

NOW = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)  # a Sunday, the scores' date
UTC = SlaSettings({"warning": 3}, "UTC")


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)


def test_due_at_takes_the_earlier_of_the_working_days_and_the_deadline() -> None:
    raised = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)
    assert due_at(raised, "warning", UTC) == end_of(dt.date(2026, 3, 4))
    assert due_at(raised, "warning", UTC, dt.date(2026, 3, 2)) == end_of(dt.date(2026, 3, 2))
    # Raised on the deadline itself: due at the end of that day.
    assert due_at(raised, "warning", UTC, dt.date(2026, 3, 1)) == end_of(dt.date(2026, 3, 1))
    # A later deadline, or one already past when raised, leaves the working days.
    assert due_at(raised, "warning", UTC, dt.date(2026, 3, 20)) == end_of(dt.date(2026, 3, 4))
    assert due_at(raised, "warning", UTC, dt.date(2026, 2, 27)) == end_of(dt.date(2026, 3, 4))
    # The rule keys the SLA reads are the renewal rules' own.
    assert sla.DEADLINE_RULES == (renewal_rules.NOTICE_RULE, renewal_rules.AT_RISK_RULE)


def test_renewal_alerts_are_due_by_their_deadline(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_renewal_calls_book(ws.engine)
        with Session(ws.engine) as s, s.begin():
            # B1 renews Apr 10: 39 days' notice make Mar 2 the last day for notice.
            s.execute(update(Contract).where(Contract.external_id == "B1").values(notice_days=39))
            s.execute(
                update(Contract)
                .where(Contract.external_id == "D1")
                .values(end_date=dt.date(2026, 3, 3))
            )
        generate_alerts(ws.engine, now=NOW)
        with Session(ws.engine) as s:
            rows = s.execute(
                select(Alert.id, Customer.name, Alert.rule_key, Alert.reason, Alert.created_at,
                       Alert.severity, Alert.status)
                .join(Customer, Customer.id == Alert.customer_id)
                .where(Alert.rule_key.in_(sla.DEADLINE_RULES))
            ).all()  # fmt: skip
            by = {(name, rule): (aid, reason) for aid, name, rule, reason, *_ in rows}
            states = sla_states(s, [(r[0], r[4], r[5], r[6]) for r in rows], NOW)
        notice_id, notice_reason = by[("Birch", "notice_closing")]
        risk_id, risk_reason = by[("Delta", "renewal_at_risk")]
        # The deadline, first and in words.
        assert notice_reason.startswith(
            "notice must be given by Mar 2, 2026 (in 1 day), or it renews Apr 10, 2026"
        )
        assert risk_reason.startswith("renews Mar 3, 2026 (in 2 days)")
        due = {aid: state.due_on for aid, state in states.items()}
        assert due[notice_id] == dt.date(2026, 3, 2)
        assert due[risk_id] == dt.date(2026, 3, 3)
        # The others keep their three working days: Acme renews Jun 15, Gum's notice
        # closes Mar 22, Cedar renews Jun 1.
        for key in (("Acme", "renewal_at_risk"), ("Gum", "notice_closing"),
                    ("Cedar", "renewal_at_risk")):  # fmt: skip
            assert due[by[key][0]] == dt.date(2026, 3, 4), key
        # Every due day is on or before the alert's deadline.
        assert all(due[aid] <= dt.date(2026, 3, 4) for aid in due)

        # The card (the detail's header), the list's marks and the export agree.
        monday = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
        tuesday = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)
        detail = alert_detail(ws.engine, notice_id, now=monday)
        assert detail.due_line == "Due Mon, Mar 2"
        assert not detail.overdue
        late = alert_detail(ws.engine, notice_id, now=tuesday)
        assert late.due_line == "Overdue since Mon, Mar 2"
        assert late.overdue
        ordered = sorted(rows, key=lambda r: r[0])
        words, overdue = sla_columns(
            ws.engine,
            np.array([r[0] for r in ordered]),
            np.array([r[4].replace(tzinfo=None) for r in ordered], "datetime64[us]"),
            np.array([r[5] for r in ordered], dtype=object),
            np.array([r[6] for r in ordered], dtype=object),
            tuesday,
        )
        marks = {int(r[0]): (w, o) for r, w, o in zip(ordered, words, overdue, strict=True)}
        assert marks[notice_id] == ("Overdue 1 d", True)
        assert marks[risk_id] == ("Due today", False)
        # The alerts command's DUE column says the same.
        cells = due_cells(
            ws.engine,
            np.array([r[0] for r in ordered]),
            np.array([r[4].replace(tzinfo=None) for r in ordered], "datetime64[us]"),
            np.array([r[5] for r in ordered], dtype=object),
            np.array([r[6] for r in ordered], dtype=object),
            tuesday,
        )
        due_cell = {int(r[0]): c for r, c in zip(ordered, cells, strict=True)}
        assert due_cell[notice_id] == "overdue 1 d"
        assert due_cell[risk_id] == "Tue, Mar 3"
        # Results ▸ Response times counts the same target: on Tuesday, nobody acted on
        # the notice alert by its deadline (False); the renewal alert is not due yet.
        from zoneinfo import ZoneInfo

        from services.learn.response import alert_timings

        with Session(ws.engine) as s:
            timings = alert_timings(s, {"warning": 3}, ZoneInfo("UTC"), tuesday)
        within = {t.alert_id: t.within_target for t in timings}
        assert (within[notice_id], within[risk_id]) == (False, None)
        frame = alerts_export_frame(ws.engine, now=tuesday).set_index("alert_id")
        assert frame.loc[notice_id, "due_on"] == dt.date(2026, 3, 2)
        assert bool(frame.loc[notice_id, "overdue"])
        assert frame.loc[risk_id, "due_on"] == dt.date(2026, 3, 3)
        assert frame.loc[notice_id, "customer"] == "Birch"
    finally:
        ws.close()
