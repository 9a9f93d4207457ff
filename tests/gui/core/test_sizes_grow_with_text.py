"""A window's first size grows with its text: at 150 % text an 820x560 dialog is
1230x840 (then fitted to the screen), at 100 % or smaller it keeps its size; and every
dialog given a fixed first size gets it that way and is kept within its screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from views.kit.geometry import resize_for_text, text_scale

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("points", "size"),
    [(13.5, (1230, 840)), (18.0, (1640, 1120)), (9.0, (820, 560)), (7.0, (820, 560))],
)
def test_a_first_size_grows_with_the_text(qtbot, points: float, size: tuple[int, int]) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    font = QFont(dialog.font())
    font.setPointSizeF(points)
    dialog.setFont(font)
    dpi = dialog.logicalDpiY()
    expected = max(1.0, points * dpi / 72.0 / 12.0)
    assert text_scale(dialog) == pytest.approx(expected)
    resize_for_text(dialog, 820, 560)
    assert (dialog.width(), dialog.height()) == (round(820 * expected), round(560 * expected))
    if dpi == 96:  # the offscreen platform's: the figures in the docstring
        assert (dialog.width(), dialog.height()) == size


def test_a_height_left_to_the_window_is_its_own(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    for n in range(6):
        layout.addWidget(QLabel(f"line {n}"))
    font = QFont(dialog.font())
    font.setPointSizeF(18.0)
    dialog.setFont(font)
    resize_for_text(dialog, 440)
    assert dialog.width() == round(440 * text_scale(dialog))
    assert dialog.height() == dialog.sizeHint().height()


def test_no_dialog_is_given_a_fixed_size_the_text_does_not_grow() -> None:
    # A literal size in a dialog's resize() stays put at 150 % text and cuts its labels.
    fixed = re.compile(r"self\.resize\(\s*\d+\s*,")
    offenders = []
    for path in sorted((ROOT / "views").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if fixed.search(text):
            offenders.append(str(path.relative_to(ROOT)))
        if "resize_for_text(self" in text and "FitsScreen(self" not in text:
            offenders.append(f"{path.relative_to(ROOT)} (not kept within its screen)")
    assert offenders == []
