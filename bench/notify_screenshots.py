"""Render Settings ▸ Slack and Teams and the preview before the first post offscreen, light
and dark, into --out (docs/window by default): settings-notify-{theme}.png (a Slack
webhook kept, another address being typed and checked) and notify-preview-{theme}.png
(the test post of the hand-made book of tests/support/notify_book.py: what it says beside
the JSON that goes), each as it opens on a 1366x768 screen.

    .venv/bin/python bench/notify_screenshots.py [--out docs/window]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A 1366x768 screen (the offscreen platform's own is 800x600): the dialogs open at the
# size they would there.
_SCREEN = Path(tempfile.mkdtemp(prefix="notify-screen-")) / "screen.json"
_SCREEN.write_text(
    '{"screens": [{"name": "s", "x": 0, "y": 0, "width": 1366, "height": 768, '
    '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}',
    encoding="utf-8",
)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

SLACK = "https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/abcdefghijklmnopqrstuvwx"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    os.environ["ACCOUNT_RADAR_CONFIG_DIR"] = tempfile.mkdtemp(prefix="notify-shots-")

    from PySide6.QtWidgets import QApplication, QLineEdit

    from app.gui.notify_settings import NotifySettingsActions
    from app.gui.settings_controller import setting_fields, validate
    from app.workspace import open_workspace, to_url
    from services.notify.run import read_setup, trial_post
    from services.notify.webhook import where_words
    from tests.support.memory_keyring import MemoryKeyring, installed_keyring
    from tests.support.notify_book import NOW, fill_notify_book
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager, ThemeMode
    from views.settings.dialog import SettingsDialog
    from views.settings.notify_page import PostPreviewDialog

    app = QApplication.instance() or QApplication([])
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, installed_keyring(MemoryKeyring()) as keys:
        ws = open_workspace(to_url(str(Path(tmp) / "book.radar.sqlite")), backup=False)
        fill_notify_book(ws.engine)
        keys.set_password("Account Radar", "notify:webhook", SLACK)
        jobs = JobRunner(app)
        for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
            theme = ThemeManager(app, mode)  # noqa: F841 - applies the style sheet
            fields = setting_fields()
            values = {f.key: f.default for f in fields}
            dialog = SettingsDialog(fields, values, validate,
                                    notify=NotifySettingsActions(jobs, lambda: ws))  # fmt: skip
            dialog.show()
            dialog.show_group_named("Slack and Teams")
            box = dialog.findChild(QLineEdit, "notifyWebhookAddress")
            assert box is not None
            box.setText("https://chat.corp.example/hooks/radar")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not jobs.is_idle():
                app.processEvents()
                time.sleep(0.01)
            for _ in range(20):
                app.processEvents()
            dialog.grab().save(str(args.out / f"settings-notify-{mode.value}.png"))
            dialog.close()
            setup = read_setup(ws.engine)
            post = trial_post(ws.engine, setup, NOW)
            preview = PostPreviewDialog("Before the first post to this webhook",
                                        where_words(SLACK, setup.service), post.readable,
                                        post.pretty)  # fmt: skip
            preview.show()
            for _ in range(20):
                app.processEvents()
            preview.grab().save(str(args.out / f"notify-preview-{mode.value}.png"))
            preview.close()
        jobs.shutdown()
        ws.close()
    print(f"Wrote the pictures to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
