"""A book's and a segment's pack on the scored 300-customer demo: Results' words are
Results' own (the headline and the lift's note, "No clear effect yet" or "Not enough
data yet" first as Results puts it), and the book's totals are the dashboard's."""

from __future__ import annotations

import datetime as dt

from app.workspace import Workspace
from services.alerts.dashboard import dashboard
from services.learn.effectiveness import effectiveness_report
from services.learn.records import NO_VALUE
from services.learn.wording import headline, lift_note, report_headline
from services.packs.book import book_pack
from services.packs.records import Pack, Section


def _section(pack: Pack, title: str) -> Section:
    return next(s for s in pack.sections if s.title.startswith(title))


def test_results_words_are_results_own(workspace: Workspace) -> None:
    now = dt.datetime.now(dt.UTC)
    pack = book_pack(workspace.engine, now=now)
    report = effectiveness_report(workspace.engine, until=now.date(), now=now)
    results = _section(pack, "Results")
    assert results.lines[0] == report_headline(report)
    figures = {f.label: f.value for f in results.figures}
    assert figures["Lift of outreach"] == lift_note(report.overall.lift)
    assert figures["Contacted"] == f"{report.overall.lift.contacted.customers.count:,}"
    shown = dashboard(workspace.engine, now=now)
    assert shown is not None
    totals = {f.label: f.value for f in _section(pack, "Totals").figures}
    assert totals["Customers"] == f"{shown.customers:,}"
    assert totals["At risk"].startswith(f"{shown.at_risk_customers:,} (")


def test_a_segments_results_are_its_slice(workspace: Workspace) -> None:
    now = dt.datetime.now(dt.UTC)
    report = effectiveness_report(workspace.engine, until=now.date(), by="segment", now=now)
    named = [p for p in report.breakdown if p.key != NO_VALUE]
    part = max(named, key=lambda p: p.lift.contacted.customers.count)
    pack = book_pack(workspace.engine, part.key, now=now)
    results = _section(pack, "Results")
    assert results.lines[0] == headline(part)
    assert {f.label: f.value for f in results.figures}["Lift of outreach"] == lift_note(part.lift)
    assert "the segment each alert was raised in" in results.lines[1]
