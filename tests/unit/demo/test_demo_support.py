"""The demo's help desk tells its story: every ticket has the type, priority and agent a
help desk's export carries, each solved one when it was solved, so Support shows time to
resolution by type, priority and agent with real figures; unhappy tickets are likelier
urgent and urgent ones are solved sooner; no ticket is solved before it was opened or
after today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from app.workspace import Workspace, open_workspace
from services.demo import build_demo
from services.support.report import support_report

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("support") / "demo.radar.sqlite"
    workspace = open_workspace(f"sqlite:///{path}", backup=False)
    build_demo(workspace.engine, customers=600, seed=5, today=TODAY)
    yield workspace
    workspace.close()


def test_support_has_every_figure_on_the_demo(ws: Workspace) -> None:
    report = support_report(ws.engine, today=TODAY)
    assert report.has_resolution_times
    assert report.has_priority
    assert report.has_agent
    assert report.has_type
    assert report.overall.median_hours is not None
    # The sections: time to resolution by type, and the tickets by priority and by agent.
    for section in ("resolution", "agent", "priority"):
        groups = report.groups[section]
        assert len(groups) >= 3, section
        assert all(g.median_hours is not None for g in groups if g.count >= 5), section


def test_tickets_are_solved_after_they_open_and_before_today(ws: Workspace) -> None:
    report = support_report(ws.engine, today=TODAY)
    tickets = list(report.tickets.values())
    solved = [t for t in tickets if not t.is_open]
    assert solved
    assert all(t.resolved is not None for t in solved)
    end = dt.datetime.combine(TODAY, dt.time())
    assert all(t.resolved is not None and t.created < t.resolved <= end for t in solved)
    assert all(t.resolved is None for t in tickets if t.is_open)


def test_urgent_tickets_are_solved_sooner_than_low_ones(ws: Workspace) -> None:
    report = support_report(ws.engine, today=TODAY)
    by = {g.label: g for g in report.groups["priority"]}
    assert by["Urgent"].median_hours is not None
    assert by["Low"].median_hours is not None
    assert by["Urgent"].median_hours < by["Low"].median_hours
