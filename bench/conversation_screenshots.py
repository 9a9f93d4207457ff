"""Render a conversation's window offscreen at 1366x768, light and dark, at 100 % and 150 %
text, into --out (docs/window by default):
conversation-window-1366x768-{100|150}-{light|dark}.png,
the hand-made Northwind call (a cancellation, a competitor, a budget cut, two promises)
imported into a new workspace, with its budget cut's link followed (the transcript
scrolled to the customer's turn and marked).

    .venv/bin/python bench/conversation_screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)


def shoot(out: Path, theme_name: str, points: float) -> Path:
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from app.workspace import open_workspace, to_url
    from services.usecases.conversations import load_conversation
    from tests.support.conversation_book import build_book
    from views.customers.conversation_dialog import ConversationDialog
    from views.kit.theme import ThemeManager, ThemeMode

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    font = QFont(app.font())
    font.setPointSizeF(points)
    app.setFont(font)
    ThemeManager(app, ThemeMode(theme_name))
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(to_url(str(Path(tmp) / "talks.radar.sqlite")), backup=False)
        call = build_book(ws.engine, Path(tmp))
        shown = load_conversation(ws.engine, call)
        ws.close()
    dialog = ConversationDialog(shown)
    dialog.resize(*SIZE)
    dialog.show()
    dialog.show_turn(shown.risks[2].turn or 0)
    for _ in range(5):
        app.processEvents()
    size = "150" if points > 9 else "100"
    path = out / f"conversation-window-1366x768-{size}-{theme_name}.png"
    dialog.grab().save(str(path))
    dialog.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    parser.add_argument("--one", nargs=2, metavar=("THEME", "POINTS"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(shoot(args.out, args.one[0], float(args.one[1])))
        return
    # One process per shot: the application's font and theme are set once per process.
    for theme in ("light", "dark"):
        for points in ("9", "13.5"):
            cmd = [sys.executable, __file__, "--out", str(args.out), "--one", theme, points]
            subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
