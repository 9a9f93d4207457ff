"""Render File ▸ Settings ▸ Per segment offscreen at 1366x768, light and dark, text at
100 % and 150 %, into --out (docs/window by default):
settings-per-segment-1366x768-{100|150}-{light|dark}.png. The workspace is a scored
300-customer demo with three rules (Champions, tier Gold, region West); the 150 % shots
run under a policy that locks the tone, so its column and field show IT's lock.

    .venv/bin/python bench/segment_screenshots.py [--workspace PATH] [--out docs/window]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)
RULES = (
    ("segment", "Champions", "outreach.default_tone", "concise"),
    ("segment", "Champions", "outreach.incentive_cap_percent", "20"),
    ("segment", "Champions", "playbooks.suggested", "renewal_save"),
    ("tier", "Gold", "alerts.high_risk_high_value.min_churn_risk", "45"),
    ("tier", "Gold", "alerts.unassigned_owner", "Ana Lopez"),
    ("region", "West", "alerts.lapse_coming.min_chance_percent", "55"),
)


def build(path: Path) -> None:
    """The scored demo with its rules (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "demo", "--customers", "300", "--seed", "11"], check=True)
    for kind, name, key, value in RULES:
        subprocess.run([*cli, "config", "segment", "set", kind, name, key, value], check=True)


def shoot(workspace: Path, out: Path, theme: str, points: float) -> Path:
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from app.gui.settings_controller import (
        read_segment_page,
        read_settings,
        setting_fields,
        validate,
        validate_rules,
    )
    from app.workspace import open_workspace, to_url
    from views.kit.theme import ThemeManager, ThemeMode
    from views.settings.dialog import SettingsDialog
    from views.settings.segment_page import PAGE_TITLE, SegmentPage

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    font = QFont(app.font())
    font.setPointSizeF(points)
    app.setFont(font)
    ThemeManager(app, ThemeMode(theme))
    ws = open_workspace(to_url(str(workspace)), backup=False)
    values, data = read_settings(ws), read_segment_page(ws)
    ws.close()
    dialog = SettingsDialog(setting_fields(), values, validate)
    page = SegmentPage(data, validate_rules, dialog)
    dialog.add_page(PAGE_TITLE, page, "segments.rules")
    dialog.show_group_named(PAGE_TITLE)
    dialog.resize(*SIZE)
    dialog.show()
    for _ in range(10):
        app.processEvents()
    size = "150" if points > 9 else "100"
    path = out / f"settings-per-segment-1366x768-{size}-{theme}.png"
    dialog.grab().save(str(path))
    dialog.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "segments.radar.sqlite"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    parser.add_argument("--one", nargs=2, metavar=("THEME", "POINTS"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(shoot(args.workspace, args.out, args.one[0], float(args.one[1])))
        return
    build(args.workspace)
    # One process per shot: the application's font and theme are set once per process.
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policies.json"
        policy.write_text(json.dumps({"locked": {"outreach.default_tone": "warm"}}), "utf-8")
        for theme in ("light", "dark"):
            for points in ("9", "13.5"):
                env = dict(os.environ)
                if points != "9":
                    env["ACCOUNT_RADAR_POLICIES"] = str(policy)
                cmd = [sys.executable, __file__, "--workspace", str(args.workspace),
                       "--out", str(args.out), "--one", theme, points]  # fmt: skip
                subprocess.run(cmd, check=True, env=env)


if __name__ == "__main__":
    main()
