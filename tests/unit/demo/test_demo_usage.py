"""The demo's product usage (services/demo/usage.py): the members' app with a known story,
kept with the demo (services/demo/truth.py) so that the usage-drop alert can be checked
against it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace, to_url
from services.demo import build_demo
from services.demo.truth import demo_truth, demo_truths
from services.demo.usage import FEATURES, USAGE_SOURCE

TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    ws = open_workspace(to_url(str(tmp_path_factory.mktemp("usage") / "d.radar.sqlite")),
                        backup=False)  # fmt: skip
    build_demo(ws.engine, customers=1500, seed=3, today=TODAY)
    with ws.sessions() as session:
        truths = demo_truths(session)
    yield ws, truths
    ws.close()


def _frame(ws: Workspace, sql: str) -> pd.DataFrame:
    with ws.engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def _usage(ws: Workspace) -> pd.DataFrame:
    usage = _frame(
        ws,
        "SELECT u.*, c.external_id, c.attributes FROM usage_days u "
        "JOIN customers c ON c.id = u.customer_id",
    )
    usage["day"] = pd.to_datetime(usage["day"]).dt.date
    return usage


def test_the_truth_carries_the_story_and_the_rows_follow_it(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, truths = demo
    story = truths["usage"]
    usage = _usage(ws)
    assert story["source"] == USAGE_SOURCE
    assert story["rows"] == len(usage) > 0
    assert set(usage["source"]) == {USAGE_SOURCE}
    assert usage["day"].max() < TODAY
    assert usage["day"].min() >= TODAY - dt.timedelta(weeks=53)
    assert story["app_customers"] == usage["customer_id"].nunique()
    # Not every customer uses the app.
    customers = int(_frame(ws, "SELECT COUNT(*) AS n FROM customers")["n"][0])
    assert 0.1 < story["app_customers"] / customers < 0.4
    for kind in ("lapse", "fading", "recover"):
        assert story[kind], kind
        assert set(story[kind]) <= set(usage["external_id"]), kind
    archetypes = usage.drop_duplicates("external_id").set_index("external_id")["attributes"]
    assert {json.loads(archetypes[x])["demo_archetype"] for x in story["lapse"]} == {"lapsing"}
    # Each lapse's decay starts 5 to 12 weeks before its last order.
    for ext, start in story["lapse"].items():
        gap = dt.date.fromisoformat(story["lapse_last_order"][ext]) - dt.date.fromisoformat(start)
        assert 35 <= gap.days <= 85


def test_decaying_accounts_decay_and_the_others_hold_steady(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, truths = demo
    story = truths["usage"]
    usage = _usage(ws)
    by = usage.groupby("external_id")
    before = after = 0.0
    for ext, start in {**story["lapse"], **story["fading"]}.items():
        day0 = dt.date.fromisoformat(start)
        rows = by.get_group(ext)
        early = rows[(rows.day >= day0 - dt.timedelta(weeks=6)) & (rows.day < day0)]
        late = rows[
            (rows.day >= day0 + dt.timedelta(weeks=3)) & (rows.day < day0 + dt.timedelta(weeks=5))
        ]
        if day0 + dt.timedelta(weeks=5) <= TODAY:
            before += early.sessions.sum() / 6
            after += late.sessions.sum() / 2
    assert after < 0.15 * before  # sessions a week: weeks 3-4 of the decay against before it
    told = set(story["lapse"]) | set(story["fading"]) | set(story["recover"])
    steady = usage[~usage.external_id.isin(told)]
    last = steady[steady.day >= TODAY - dt.timedelta(weeks=4)].sessions.sum() / 4
    prior = steady[(steady.day >= TODAY - dt.timedelta(weeks=12))
                   & (steady.day < TODAY - dt.timedelta(weeks=4))].sessions.sum() / 8  # fmt: skip
    assert 0.75 < last / prior < 1.3


def test_rows_look_like_an_app(demo: tuple[Workspace, dict[str, Any]]) -> None:
    ws, _ = demo
    usage = _usage(ws)
    assert (usage.sessions >= 1).all()
    assert (usage.logins <= usage.sessions).all()
    assert (usage.events >= usage.sessions).all()
    assert (usage.minutes > 0).all()
    users = usage.users.map(json.loads)
    assert (users.map(len) == usage.active_users).all()
    features = usage.features.map(json.loads)
    assert set().union(*features.map(set)) == set(FEATURES)
    assert (features.map(lambda f: sum(f.values())) == usage.sessions).all()
    # Most app customers are one person; a few households and teams are several.
    people = users.groupby(usage.customer_id).agg(lambda u: len(set().union(*map(set, u))))
    assert (people == 1).mean() > 0.85
    assert people.max() >= 3
    # Weekends are busier than Mondays.
    weekday = pd.to_datetime(usage.day).dt.day_of_week
    assert (weekday == 5).sum() > 1.2 * (weekday == 0).sum()


def test_same_inputs_give_the_same_usage(tmp_path: Path) -> None:
    rows = []
    for name in ("a", "b"):
        ws = open_workspace(to_url(str(tmp_path / f"{name}.radar.sqlite")), backup=False)
        try:
            build_demo(ws.engine, customers=300, seed=9, today=TODAY)
            with ws.sessions() as session:
                truth = demo_truth(session, "usage")
            rows.append((_frame(ws, "SELECT * FROM usage_days ORDER BY id").to_dict("list"), truth))
        finally:
            ws.close()
    assert rows[0] == rows[1]
    assert np.asarray(rows[0][0]["sessions"]).sum() > 0
