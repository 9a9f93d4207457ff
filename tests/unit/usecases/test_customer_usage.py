"""services/usecases/customer_usage.py: the customer pane's usage load on both databases,
as of today in the workspace's time zone, and nothing when the workspace has no usage."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, ImportRun, UsageDay
from services.core.local_dates import TIME_ZONE_SETTING
from services.settings import set_setting
from services.usage.summary import customer_usage
from services.usecases.customer_usage import FeaturesSeen, load_customer_usage

# Noon in UTC is already the next day in Auckland.
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_usage_as_of_the_workspace_day(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            customer = Customer(name="Kiwi", email="kiwi@example.test")
            quiet = Customer(name="Quiet", email="quiet@example.test")
            session.add_all([customer, quiet])
            session.commit()
            cid, qid = customer.id, quiet.id
        assert load_customer_usage(ws.engine, cid, now=NOW).workspace_has_usage is False

        with Session(ws.engine) as session:
            set_setting(session, TIME_ZONE_SETTING, "Pacific/Auckland")
            session.add(
                UsageDay(
                    customer_id=cid,
                    source="mixpanel",
                    day=dt.date(2026, 11, 26),
                    events=3,
                    active_users=2,
                    users=["a", "b"],
                )
            )
            session.commit()
        usage = load_customer_usage(ws.engine, cid, now=NOW)
        assert usage.workspace_has_usage
        assert usage.summary is not None
        assert usage.summary.as_of == dt.date(2026, 11, 26)
        assert usage.summary.recent.active_users == 2
        with Session(ws.engine) as session:
            assert usage.summary == customer_usage(session, cid, as_of=dt.date(2026, 11, 26))

        other = load_customer_usage(ws.engine, qid, now=NOW)
        assert other.workspace_has_usage
        assert other.summary is None
    finally:
        ws.close()


def _acme_in_utc(session: Session) -> int:
    """A workspace in UTC with one customer, Acme; its id."""
    set_setting(session, TIME_ZONE_SETTING, "UTC")
    customer = Customer(name="Acme", email="ops@acme.test")
    session.add(customer)
    session.flush()
    return customer.id


def test_features_seen_are_kept_until_usage_changes(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            cid = _acme_in_utc(session)
            day = NOW.date()
            session.add(
                UsageDay(customer_id=cid, source="s", day=day, events=1, features={"search": 1})
            )
            session.commit()
        seen = FeaturesSeen()
        first = load_customer_usage(ws.engine, cid, now=NOW, seen=seen)
        assert first.summary is not None
        assert first.summary.features_seen == ("search",)
        again = load_customer_usage(ws.engine, cid, now=NOW, seen=seen)
        assert again == first
        # A new day of usage with a new feature: read again, not the kept list.
        with Session(ws.engine) as session:
            session.add(
                UsageDay(
                    customer_id=cid,
                    source="s",
                    day=day - dt.timedelta(days=1),
                    events=1,
                    features={"export": 2},
                )
            )
            session.commit()
        later = load_customer_usage(ws.engine, cid, now=NOW, seen=seen)
        assert later.summary is not None
        assert later.summary.features_seen == ("export", "search")
        with Session(ws.engine) as session:
            direct = customer_usage(session, cid, as_of=NOW.date())
        assert later.summary == direct
    finally:
        ws.close()


def test_features_seen_read_again_when_an_import_lands_or_is_undone(workspace_url: str) -> None:
    """Usage rows change in place (an import merging a day) or go (an import undone)
    without a new row: the kept list follows the imports, not only new rows."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            cid = _acme_in_utc(session)
            first_run = ImportRun(source_path="a.csv", file_name="a.csv", status="landed")
            session.add(first_run)
            session.flush()
            session.add_all(
                [
                    UsageDay(
                        customer_id=cid,
                        source="s",
                        day=NOW.date() - dt.timedelta(days=1),
                        features={"export": 1},
                        import_run_id=first_run.id,
                    ),
                    UsageDay(customer_id=cid, source="s", day=NOW.date(), features={"search": 1}),
                ]
            )
            session.commit()
            run_id = first_run.id
        seen = FeaturesSeen()

        def features() -> tuple[str, ...]:
            usage = load_customer_usage(ws.engine, cid, now=NOW, seen=seen)
            assert usage.summary is not None
            return usage.summary.features_seen

        assert features() == ("export", "search")
        # A later import merges today's row: same row, new features.
        with Session(ws.engine) as session:
            session.add(ImportRun(source_path="b.csv", file_name="b.csv", status="landed"))
            row = session.scalars(select(UsageDay).where(UsageDay.day == NOW.date())).one()
            row.features = {"search": 1, "share": 3}
            session.commit()
        assert features() == ("export", "search", "share")
        # The first import undone: its row goes (not the last one), the run is marked.
        with Session(ws.engine) as session:
            session.execute(delete(UsageDay).where(UsageDay.import_run_id == run_id))
            undone = session.get(ImportRun, run_id)
            assert undone is not None
            undone.status, undone.undone_at = "undone", NOW
            session.commit()
        assert features() == ("search", "share")
    finally:
        ws.close()
