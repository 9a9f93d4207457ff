"""services/usage/summary.py against a hand-made usage history on both databases: weeks,
the last 30 days, distinct active users and the features seen."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, UsageDay
from services.usage.summary import customer_usage, has_usage, week_start

AS_OF = dt.date(2026, 11, 25)  # a Wednesday


def test_weeks_recent_and_features_from_hand_made_days(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            assert not has_usage(session)
            one = Customer(name="Acme", email="ops@acme.test")
            other = Customer(name="Other", email="it@other.test")
            session.add_all([one, other])
            session.flush()
            day = AS_OF - dt.timedelta(days=1)
            rows = [
                # Two days of this week: ann on both, bob once: 2 distinct users.
                UsageDay(
                    customer_id=one.id,
                    source="amplitude",
                    day=day,
                    events=5,
                    sessions=2,
                    logins=1,
                    active_users=2,
                    minutes=12.5,
                    documents_viewed=1,
                    features={"reports": 3},
                    users=["ann", "bob"],
                ),
                UsageDay(
                    customer_id=one.id,
                    source="amplitude",
                    day=AS_OF,
                    events=2,
                    sessions=1,
                    logins=1,
                    active_users=1,
                    minutes=3.0,
                    features={"reports": 1, "export": 1},
                    users=["ann"],
                ),
                # 40 days back: in the previous 30 days, not the recent ones.
                UsageDay(
                    customer_id=one.id,
                    source="amplitude",
                    day=AS_OF - dt.timedelta(days=40),
                    events=9,
                    sessions=4,
                    logins=3,
                    active_users=4,
                    minutes=30.0,
                    users=["a", "b", "c", "d"],
                ),
                # A weekly aggregate (no user keys) for the other customer, with a feature
                # this customer never used.
                UsageDay(
                    customer_id=other.id,
                    source="usage",
                    day=week_start(AS_OF),
                    period_days=7,
                    events=50,
                    active_users=7,
                    features={"admin": 4},
                ),
                # After as_of: ignored.
                UsageDay(
                    customer_id=one.id,
                    source="amplitude",
                    day=AS_OF + dt.timedelta(days=1),
                    events=99,
                    users=["zed"],
                ),
            ]
            session.add_all(rows)
            session.commit()

            assert has_usage(session)
            summary = customer_usage(session, one.id, as_of=AS_OF, weeks=8)
            assert summary is not None
            assert summary.recent.active_users == 2
            assert summary.recent.events == 7
            assert summary.recent.sessions == 3
            assert summary.recent.minutes == 15.5
            assert summary.recent.documents_viewed == 1
            assert summary.recent.days_active == 2
            assert summary.previous.active_users == 4
            assert summary.previous.logins == 3
            assert summary.features_used == ("export", "reports")
            assert summary.features_seen == ("admin", "export", "reports")
            assert summary.last_active == AS_OF
            assert len(summary.weeks) == 8
            assert summary.weeks[-1].start == week_start(AS_OF)
            assert summary.weeks[-1].end == AS_OF
            assert summary.weeks[-1].active_users == 2
            assert [w.events for w in summary.weeks[:-1]].count(0) == 6  # one week 40 d back
            assert all(
                later.start - earlier.start == dt.timedelta(weeks=1)
                for earlier, later in zip(summary.weeks, summary.weeks[1:], strict=False)
            )
            other_summary = customer_usage(session, other.id, as_of=AS_OF, weeks=4)
            assert other_summary is not None
            assert other_summary.recent.active_users == 7  # the aggregate's own figure
            nobody = Customer(name="No usage")
            session.add(nobody)
            session.commit()
            assert customer_usage(session, nobody.id, as_of=AS_OF) is None
    finally:
        ws.close()
