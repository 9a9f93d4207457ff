"""The customer detail pane's refresh after a new selection loads the customer just asked
for, not the one still on screen (a refresh that went back to the old customer left the
new selection never shown)."""

from __future__ import annotations

from sqlalchemy import text

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from views.customers.detail_pane import CustomerDetailPane
from views.kit.jobs import JobRunner


def test_a_refresh_right_after_a_new_selection_shows_the_new_customer(
    qtbot, jobs: JobRunner, demo_workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    with demo_workspace.engine.connect() as conn:
        first, second = (int(r[0]) for r in conn.execute(text("SELECT id FROM customers "
                                                               "ORDER BY id LIMIT 2")))  # fmt: skip
    pane = CustomerDetailPane(jobs)
    qtbot.addWidget(pane)
    pane.show()
    pane.set_source(WorkspaceCustomerSource(demo_workspace))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(first, at_once=True)
    assert pane.detail is not None
    assert pane.detail.id == first
    # A new selection (its load waits on the pane's short timer), then a refresh at once.
    pane.show_customer(second)
    pane.refresh()
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == second and jobs.is_idle(),
        timeout=10_000,
    )
