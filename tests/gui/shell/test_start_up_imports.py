"""What the window imports before its customers table is filled.

The first paint waits for every module imported before it: pandas (half a second),
scipy, scikit-learn, pyqtgraph, openai and alembic are not needed to show the table, so
none of them may be loaded by then, on any thread. Checked in a fresh process started as
main.py starts the window (the preload, then Qt), since this test process has them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

# Not needed to show the customers table; each costs a tenth of a second or more.
NOT_BEFORE_THE_TABLE = ("pandas", "scipy", "sklearn", "pyqtgraph", "openai", "alembic")
# The other screens, built after the first paint (views/shell/screens.py, ask_tab.py).
SCREENS = ("views.alerts.view", "views.dashboard.pane", "views.my_work.pane", "views.ask.pane")

CHILD = """
import json, sys, tempfile
from pathlib import Path

from app.gui.preload import start_preload

preload = start_preload(sys.argv[1])  # before Qt, as app/cli/window.py does

from PySide6.QtCore import QSettings

from app.gui.application import launch
from app.gui.selftest import wait_until

heavy = json.loads(sys.argv[2])
settings = QSettings(str(Path(tempfile.mkdtemp()) / "ui.ini"), QSettings.Format.IniFormat)
controller = launch(sys.argv[1], settings, preload=preload)
window = controller.window
at_fill = []
window.customers_pane.table_loaded.connect(
    lambda rows: at_fill.append(
        [rows, [m for m in heavy if m in sys.modules], window.screens_built, window.ask.built]
    )
)
assert wait_until(lambda: at_fill, 60), "the table was never filled"
# The rest of the start-up follows the table: the alerts arrive.
alerts = window.alerts_view.alerts_pane.model
assert wait_until(lambda: alerts.rowCount() > 0, 60), "no alerts shown"
# The reads that follow the table load pandas; on a busy machine the alerts may be listed
# before they do, so they are given the time to.
wait_until(lambda: "pandas" in sys.modules, 60)
later = [m for m in heavy if m in sys.modules]
built_later = window.screens_built
controller.shutdown()
rows, imported, built, ask_built = at_fill[0]
print("RESULT " + json.dumps({"rows": rows, "at_fill": imported, "later": later,
    "built_at_fill": [built, ask_built], "built_later": built_later}))
"""


def test_heavy_libraries_load_only_after_the_table_is_filled(
    alerts_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.radar.sqlite"
    shutil.copy(alerts_file, path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), json.dumps(NOT_BEFORE_THE_TABLE + SCREENS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("RESULT ")]
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines, result.stdout + result.stderr
    outcome = json.loads(lines[-1].removeprefix("RESULT "))
    assert outcome["rows"] > 0
    assert outcome["at_fill"] == [], f"imported before the table was filled: {outcome}"
    # The other tabs are not built on the way to the table either.
    assert outcome["built_at_fill"] == [False, False], outcome
    # Not vacuous: the alerts screen, set up once the table is shown, does load pandas.
    assert "pandas" in outcome["later"], outcome
    assert "views.alerts.view" in outcome["later"], outcome
    assert outcome["built_later"], outcome
