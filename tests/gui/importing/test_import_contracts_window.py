"""Contracts in the window's import (File ▸ Import…, or dropped on the window): a plain
contracts file is taken for contracts with no mapping step, a billing system's export is
named, and both land."""

from __future__ import annotations

import os
from pathlib import Path

from tests.gui.importing.test_import_window import (  # noqa: F401  (the fixture)
    Gui,
    copy,
    drop,
    files_mime,
    gui,
    run_import,
    wait_preview,
)
from tests.support.paths import DATA

CONTRACTS = DATA / "contracts" / "contracts.csv"
CHARGEBEE = DATA / "contracts" / "chargebee_subscriptions.csv"


def test_contract_files_are_recognised_and_imported(
    qtbot,
    gui: Gui,  # noqa: F811  (the window test's fixture)
    tmp_path: Path,
) -> None:
    folder = tmp_path / "exports"
    copy(CONTRACTS, folder)
    copy(CHARGEBEE, folder)
    assert drop(gui.window, files_mime(folder))
    dialog = gui.imports.import_dialog
    assert dialog is not None
    wait_preview(qtbot, dialog)
    assert [e.name for e in dialog.entries] == ["chargebee_subscriptions.csv", "contracts.csv"]
    # Neither needs a mapping step; the first, shown, is named for what it is.
    assert [dialog.files_model.index(i, 1).data() for i in range(2)] == ["Ready", "Ready"]
    assert dialog.format_label.text().startswith("Chargebee subscriptions export")
    assert "Customers and contracts" in dialog.format_label.text()
    dialog.resize(1366 - 80, 768 - 80)
    if os.environ.get("RADAR_SCREENSHOTS"):  # looked at by hand: the preview of both files
        dialog.grab().save(os.environ["RADAR_SCREENSHOTS"])
    run_import(qtbot, dialog)
    report = dialog.outcome.report
    assert report.landed
    if os.environ.get("RADAR_SCREENSHOTS"):
        dialog.grab().save(os.environ["RADAR_SCREENSHOTS"].replace(".png", "-report.png"))
    assert gui.count("contracts") == 6 + 4
    assert gui.count("contracts", "WHERE outcome = 'renewed'") == 3
