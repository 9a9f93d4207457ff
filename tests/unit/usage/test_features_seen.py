"""The workspace's features seen (services/usage/summary.py ``workspace_features``) read
from the distinct texts of features, against the read it replaced (every day's keys
listed by the database), on a hand-made workspace on both databases; and the customer
pane's two reads (the customer's usage first, the workspace's features next) giving the
summary the one read gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, ImportRun, UsageDay
from services.core.local_dates import TIME_ZONE_SETTING
from services.settings import set_setting
from services.usage.summary import FEATURES_SEEN_DAYS, customer_usage, workspace_features
from services.usecases.customer_usage import (
    FeaturesSeen,
    load_customer_usage,
    load_features_seen,
)

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
AS_OF = NOW.date()


def old_workspace_features(session: Session, *, as_of: dt.date) -> tuple[str, ...]:
    """The read before the million-customer work (main at 9ea0d99): the database lists every
    day's keys (json_each, jsonb_object_keys)."""
    since = as_of - dt.timedelta(days=FEATURES_SEEN_DAYS - 1)
    in_window = (UsageDay.day.between(since, as_of), UsageDay.features.is_not(None))
    if session.get_bind().dialect.name == "sqlite":
        keys = func.json_each(UsageDay.features).table_valued("key")
        is_object = func.json_type(UsageDay.features) == "object"
    else:
        keys = func.jsonb_object_keys(UsageDay.features).table_valued("key").render_derived()
        is_object = func.jsonb_typeof(UsageDay.features) == "object"
    names = select(keys.c.key).join_from(UsageDay, keys, true()).where(*in_window, is_object)
    return tuple(sorted(str(name) for name in session.scalars(names.distinct())))


def _day(cid: int, source: str, days_back: int, features: Any, **figures: Any) -> UsageDay:
    return UsageDay(
        customer_id=cid,
        source=source,
        day=AS_OF - dt.timedelta(days=days_back),
        events=figures.pop("events", 1),
        features=features,
        **figures,
    )


def _hand_made(session: Session) -> dict[str, int]:
    """Three customers whose days hold features of every shape the column may hold."""
    set_setting(session, TIME_ZONE_SETTING, "UTC")
    people = [Customer(name=n, email=f"{n.lower()}@example.test") for n in ("Acme", "Bee", "Cy")]
    session.add_all(people)
    session.flush()
    acme, bee, cy = (c.id for c in people)
    session.add_all(
        [
            # The same text on several days and customers, and the same names reordered.
            _day(acme, "s", 0, {"search": 2, "export": 1}, sessions=3, users=["ann"]),
            _day(acme, "s", 1, {"search": 2, "export": 1}, sessions=1, users=["ann", "bob"]),
            _day(bee, "s", 2, {"export": 1, "search": 2}),
            _day(acme, "s", 20, {"reports": 0}),  # counted zero times: still seen
            _day(bee, "t", 45, {"dashboards": 4, "alerts": 1}, minutes=12.5),
            _day(cy, "s", 3, {}),  # an empty object names nothing
            _day(cy, "t", 4, None),  # no features at all
            _day(cy, "u", 5, ["not", "an", "object"]),  # not an object: names nothing
            _day(cy, "v", 6, "search-like text"),  # a bare string: names nothing
            _day(bee, "u", 89, {"edge_of_window": 1}),  # the 90th day: in
            _day(bee, "v", 90, {"too_old": 1}),  # the 91st day: out
            _day(acme, "t", -1, {"tomorrow": 1}),  # after as_of: out
            _day(cy, "w", 7, {"名前 with spaces": 1, 'quote"d': 2}),
        ]
    )
    session.commit()
    return {"Acme": acme, "Bee": bee, "Cy": cy}


def test_the_features_seen_are_the_old_reads(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            _hand_made(session)
            for days_back in (0, 3, 45, 89, 100):
                as_of = AS_OF - dt.timedelta(days=days_back)
                new = workspace_features(session, as_of=as_of)
                assert new == old_workspace_features(session, as_of=as_of), as_of
            assert workspace_features(session, as_of=AS_OF) == (
                "alerts",
                "dashboards",
                "edge_of_window",
                "export",
                'quote"d',
                "reports",
                "search",
                "名前 with spaces",
            )
    finally:
        ws.close()


def test_the_customer_first_then_the_features_make_the_one_reads_summary(
    workspace_url: str,
) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            ids = _hand_made(session)
        seen = FeaturesSeen()
        # Cy's days hold texts that are not objects, which the summary never reads (the
        # imports write objects); the workspace's features above are read past them.
        for name in ("Acme", "Bee"):
            cid = ids[name]
            with Session(ws.engine) as session:
                old = dataclasses.replace(
                    customer_usage(session, cid, as_of=AS_OF),  # type: ignore[arg-type]
                    features_seen=old_workspace_features(session, as_of=AS_OF),
                )
            first = load_customer_usage(
                ws.engine, cid, now=NOW, seen=FeaturesSeen(), features=False
            )
            assert first.features_pending, name
            assert first.summary is not None
            assert first.summary.features_seen == ()
            features = load_features_seen(ws.engine, now=NOW, seen=seen)
            assert features is not None
            assert features.as_of == AS_OF
            joined = dataclasses.replace(first.summary, features_seen=features.names)
            assert joined == old, name
            # Once kept, the customer's read carries them: nothing pending.
            kept = load_customer_usage(ws.engine, cid, now=NOW, seen=seen, features=False)
            assert not kept.features_pending
            assert kept.summary == old
            assert load_customer_usage(ws.engine, cid, now=NOW) == kept
    finally:
        ws.close()


def test_kept_features_are_dropped_when_an_import_lands(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            ids = _hand_made(session)
        seen = FeaturesSeen()
        assert load_features_seen(ws.engine, now=NOW, seen=seen) is not None
        with Session(ws.engine) as session:
            session.add(ImportRun(source_path="a.csv", file_name="a.csv", status="landed"))
            session.commit()
        usage = load_customer_usage(ws.engine, ids["Acme"], now=NOW, seen=seen, features=False)
        assert usage.features_pending
    finally:
        ws.close()


def test_no_usage_means_nothing_pending(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as session:
            customer = Customer(name="Quiet", email="quiet@example.test")
            session.add(customer)
            session.commit()
            cid = customer.id
        usage = load_customer_usage(ws.engine, cid, now=NOW, features=False)
        assert not usage.workspace_has_usage
        assert not usage.features_pending
        assert load_features_seen(ws.engine, now=NOW) is None
    finally:
        ws.close()
