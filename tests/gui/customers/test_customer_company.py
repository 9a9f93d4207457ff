"""The customer pane shows the company a HubSpot contact belongs to, with the company's
details, after a companies export was imported."""

from __future__ import annotations

import os
from pathlib import Path

from app.workspace import open_workspace
from services.importing.service import run_import
from services.usecases.customer_detail import load_customer_detail
from tests.gui.customers.test_chart_and_timeline import OneCustomerSource
from tests.unit.importing.test_import_hubspot_companies import (
    COMPANIES_CSV,
    CONTACTS_CSV,
    rows,
    write,
)
from views.customers.detail_pane import CustomerDetailPane
from views.kit.jobs import JobRunner


def test_the_pane_shows_the_contacts_company_and_its_details(
    qtbot, jobs: JobRunner, tmp_path: Path
) -> None:
    ws = open_workspace(f"sqlite:///{tmp_path / 'w.radar.sqlite'}", backup=False)
    try:
        for name, text in (("contacts", CONTACTS_CSV), ("companies", COMPANIES_CSV)):
            path = write(tmp_path, f"hubspot-crm-exports-all-{name}.csv", text)
            assert run_import(ws.engine, [path]).files[0].landed
        ((ann,),) = rows(ws, "SELECT id FROM customers WHERE email = 'ann@example.com'")
        detail = load_customer_detail(ws.engine, ann)
    finally:
        ws.close()
    assert detail.company == "Bramblefield Hockey Association"
    assert ("Industry", "Sports") in detail.company_details
    assert ("Domain", "bramblefield.example") in detail.company_details
    assert ("Company owner", "Dana Whitlock") in detail.company_details
    pane = CustomerDetailPane(jobs)
    qtbot.addWidget(pane)
    pane.resize(900, 700)  # room for the whole line (a narrow pane shortens it)
    pane.show()
    pane.set_source(OneCustomerSource(detail))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(ann)
    # The account is named by its company; under it its person, how to reach them, and
    # what the company does and where it is online.
    assert pane.name_label.text() == "Bramblefield Hockey Association"
    line = pane.contact_label.text()
    assert line.startswith("Ann Lee  ·  ann@example.com")
    assert "Sports · bramblefield.example" in line
    assert "Company owner: Dana Whitlock" in pane.contact_label.toolTip()
    assert "City: Seattle" in pane.contact_label.toolTip()
    if os.environ.get("H5_SHOT"):
        pane.grab().save(os.environ["H5_SHOT"])
    qtbot.waitUntil(jobs.is_idle)
