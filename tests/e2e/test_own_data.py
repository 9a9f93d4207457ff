"""A person's own data: the first launch's Start with my data, a shop export imported
through File ▸ Import… (the file dialog, the path typed), Score now, and the customers
are in the window and the workspace (the command line reads them back)."""

from __future__ import annotations

import csv
import json
import subprocess

from tests.e2e import steps
from tests.e2e.desktop import (
    ROOT,
    START_TIMEOUT,
    app_command,
    settled,
    wait_changed,
)

SAMPLES = ROOT / "tests" / "data" / "samples"
SAMPLE = "shopify/orders_export_1.csv"


def test_start_with_my_data_import_and_score(desktops, apps, tmp_path) -> None:  # type: ignore[no-untyped-def]
    truth = json.loads((SAMPLES / "manifest.json").read_text())["files"][SAMPLE]["truth"]
    desktop = desktops(1366, 768)
    app = apps(desktop)
    welcome = app.wait_window("Welcome to Account Radar", START_TIMEOUT)
    settled(desktop)
    # "Start with my data" is the right-hand one of the two large choices: a click on it.
    desktop.click(
        welcome.client.x + welcome.client.width * 4 // 5,
        welcome.client.y + welcome.client.height // 2,
    )
    main = steps.main_window(app, digest=False)  # no customers yet: no digest
    app.wait_gone(welcome.id)
    steps.answers_input(app, "after Start with my data")
    desktop.key("ctrl+2")
    empty = settled(desktop)

    # File ▸ Import… opens the file dialog (Qt's own: no desktop here); the path typed in
    # its file name box, Return.
    files = steps.open_dialog(app, steps.IMPORT_FILES)
    settled(desktop)
    desktop.type(str(SAMPLES / SAMPLE))
    desktop.key("Return")
    app.wait_gone(files.id)
    dialog = app.wait_window("Import files", START_TIMEOUT)
    # The dialog's title says when the file is read and Import is offered (until then
    # Import is off and Return would do nothing): then Return imports, once.
    app.wait_window("Import files · Ready to import", 3 * START_TIMEOUT)
    settled(desktop)
    desktop.screenshot(desktop.workdir / "import-preview.png")
    desktop.activate(dialog.id)
    desktop.key("Return")
    app.wait_window("Import report", 3 * START_TIMEOUT)
    desktop.screenshot(desktop.workdir / "import-report.png")
    desktop.activate(dialog.id)
    desktop.key("Return")  # Close (the report page's default)
    app.wait_gone(dialog.id)
    steps.answers_input(app, "after the import")

    # Scoring ▸ Score now… (Ctrl+R): its dialog, Score now (Return), the scoring runs.
    desktop.activate(main.id)
    before = [w.id for w in app.windows()]
    desktop.key("ctrl+r")
    scoring = app.wait_window("Score customers", exclude=before)
    desktop.activate(scoring.id)
    desktop.key("Return")
    app.wait_gone(scoring.id)
    steps.wait_alone(app, START_TIMEOUT)  # the progress and any notice gone
    steps.answers_input(app, "after scoring")

    # The customers are in the window: the Customers tab is no longer the empty one.
    desktop.activate(main.id)
    desktop.key("ctrl+2")
    wait_changed(desktop, empty, "the customers imported (Customers tab)")
    desktop.screenshot(desktop.workdir / "customers.png")
    assert steps.quit_app(app) == 0
    steps.check_log(app)

    # And in the workspace, scored: the command line exports them.
    db = app.home / "data" / "AccountRadar" / "default.radar.sqlite"
    assert db.exists(), f"no workspace at {db}: {sorted(p.name for p in db.parent.iterdir())}"
    counts = {}
    for what in ("customers", "scores"):
        out = tmp_path / f"{what}.csv"
        result = subprocess.run(
            [*app_command(), "--db", str(db), "export", what, str(out)],
            env=app.env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        with out.open(newline="") as handle:
            counts[what] = sum(1 for _ in csv.DictReader(handle))
    assert counts == {
        "customers": truth["distinct_customer_emails"],
        "scores": truth["distinct_customer_emails"],
    }
