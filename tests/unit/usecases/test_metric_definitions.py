"""One definition per metric, on a real demo workspace (seed 11, scored, alerts raised, as
`demo` builds it): the offer cap of the composer and of the next-step card, and the
incremental revenue of `report effectiveness` and of the Results tab."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace, to_url
from models.db import session_scope
from models.schema import Alert
from services.alerts.detail import alert_detail
from services.core.incentive import incentive_cap_cents
from services.demo import build_demo
from services.learn.wording import money
from services.outreach.composer_text import incentive_words
from services.outreach.context import build_context
from services.settings import set_setting
from services.usecases.refresh import score_and_alert

pytestmark = pytest.mark.slow
CUSTOMERS = 300
_DOLLARS = re.compile(r"\$[\d,]+(?:\.\d+)?")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scored 300-customer demo with its alerts (never modified by the tests)."""
    path = tmp_path_factory.mktemp("metrics-demo") / "demo.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(ws.engine, customers=CUSTOMERS, seed=11)
        score_and_alert(ws.engine)
    finally:
        ws.close()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the demo, which a test may change."""
    path = tmp_path / "demo.radar.sqlite"
    shutil.copyfile(demo_file, path)
    ws = open_workspace(to_url(str(path)), backup=False)
    yield ws
    ws.close()


def _offer_alerts(ws: Workspace) -> list[tuple[int, int]]:
    """(alert id, customer id) of alerts whose next step offers an incentive."""
    with Session(ws.engine) as s:
        rows = s.execute(
            select(Alert.id, Alert.customer_id)
            .where(
                Alert.rule_key.in_(["high_risk_high_value", "gone_quiet"]),
                Alert.holdout.is_(False),
            )
            .order_by(Alert.id)
        ).all()
    return [(int(a), int(c)) for a, c in rows]


def _cap_texts(ws: Workspace, alert_id: int, customer_id: int) -> tuple[str, str, int | None]:
    """The next-step card's text, the composer's incentive line, the composer's cap."""
    card = alert_detail(ws.engine, alert_id).recommendation.detail
    with session_scope(ws.sessions) as s:
        ctx = build_context(s, customer_id)
    return card, incentive_words(ctx), ctx.incentive_cap_cents


def test_the_composer_and_the_next_step_name_the_same_cap(demo: Workspace) -> None:
    compared = 0
    for alert_id, customer_id in _offer_alerts(demo):
        card, composer, cap = _cap_texts(demo, alert_id, customer_id)
        if "incentive helps" not in card:
            continue  # a complaint or a block leads the step: no offer on the card
        clv = alert_detail(demo.engine, alert_id).clv_12m_cents
        assert cap == incentive_cap_cents(clv, 10)
        assert "(10% of their 12-month value" in card
        assert "(10% of the predicted 12-month value)" in composer
        assert "1000%" not in composer
        # The same amount on both: the first money figure of each is the cap.
        offer = card[card.index("incentive helps") :]
        assert _DOLLARS.findall(offer)[0] == _DOLLARS.findall(composer)[0]
        compared += 1
    assert compared >= 3


def test_the_cap_follows_the_setting_on_both(demo: Workspace) -> None:
    with session_scope(demo.sessions) as s:
        set_setting(s, "outreach.incentive_cap_percent", 12.5)
    alert_id, customer_id = next(
        (a, c) for a, c in _offer_alerts(demo) if "incentive helps" in _cap_texts(demo, a, c)[0]
    )
    card, composer, _ = _cap_texts(demo, alert_id, customer_id)
    assert "(12.5% of their 12-month value" in card
    assert "(12.5% of the predicted 12-month value)" in composer
    offer = card[card.index("incentive helps") :]
    assert _DOLLARS.findall(offer)[0] == _DOLLARS.findall(composer)[0]


def test_report_and_results_show_one_incremental_revenue(demo: Workspace) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", demo.url, "report", "effectiveness", "--format", "json"], out, err) == 0
    printed = json.loads(out.getvalue())["overall"]["revenue"]

    results = WorkspaceResultsSource(demo).load_report(None, None, None)
    revenue = results.overall.revenue
    contacted = results.overall.lift.contacted.customers.count
    assert revenue.incremental_cents is not None
    assert revenue.per_customer_lift_cents is not None
    assert printed["incremental_cents"] == pytest.approx(revenue.incremental_cents)
    assert printed["incremental_low_cents"] == pytest.approx(revenue.incremental_low_cents)
    assert printed["incremental_high_cents"] == pytest.approx(revenue.incremental_high_cents)
    # The per-customer figure x the contacted is the incremental revenue, interval too.
    assert revenue.per_customer_lift_cents * contacted == pytest.approx(revenue.incremental_cents)
    assert revenue.per_customer_low_cents is not None
    assert revenue.per_customer_low_cents * contacted == pytest.approx(
        revenue.incremental_low_cents
    )

    out = io.StringIO()
    assert main(["--db", demo.url, "report", "effectiveness"], out, err) == 0
    table = " ".join(out.getvalue().split())
    assert f"incremental {money(results, revenue.incremental_cents)} " in table
    assert f"for {contacted:,} contacted" in table
