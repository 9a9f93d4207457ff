"""The main window's demo banner and status bar: the workspace's name, the busy bar, the
count of customers and the demo badge. Built here so that the window module stays small;
the window shows and fills them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QProgressBar, QWidget

DEMO_BANNER_TEXT = (
    "<b>Demo data.</b> These customers are made up, for trying Account Radar. "
    "To work with your own data, start an empty workspace with "
    "<b>File ▸ New workspace…</b> (or <b>File ▸ Open workspace…</b> for one you "
    "already have)."
)


def demo_banner(parent: QWidget) -> QFrame:
    """The banner above the tabs in a demo workspace (hidden until one is open)."""
    banner = QFrame(parent)
    banner.setObjectName("demoBanner")
    text = QLabel(DEMO_BANNER_TEXT, banner)
    text.setObjectName("demoBannerText")
    text.setWordWrap(True)
    layout = QHBoxLayout(banner)
    layout.setContentsMargins(12, 6, 12, 6)
    layout.addWidget(text)
    banner.hide()
    return banner


@dataclass(frozen=True)
class StatusWidgets:
    """What the window's status bar holds."""

    busy_bar: QProgressBar
    demo_badge: QLabel
    workspace_label: QLabel
    count_label: QLabel


def build_status_bar(window: QMainWindow) -> StatusWidgets:
    """The workspace's name on the left; the busy bar, the count and the badge on the right."""
    bar = window.statusBar()
    bar.setSizeGripEnabled(True)
    busy_bar = QProgressBar(window)
    busy_bar.setObjectName("busyBar")
    busy_bar.setRange(0, 0)  # indeterminate: "working"
    busy_bar.setTextVisible(False)
    busy_bar.setFixedWidth(90)
    busy_bar.hide()
    demo_badge = QLabel("DEMO DATA", window)
    demo_badge.setObjectName("demoBadge")
    demo_badge.setToolTip("This workspace holds made-up demo customers.")
    demo_badge.hide()
    workspace_label = QLabel("No workspace", window)
    workspace_label.setObjectName("workspaceLabel")
    workspace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    count_label = QLabel("", window)
    count_label.setObjectName("customerCount")
    bar.addPermanentWidget(busy_bar)
    bar.addPermanentWidget(count_label)
    bar.addPermanentWidget(demo_badge)
    bar.addWidget(workspace_label, 1)
    return StatusWidgets(busy_bar, demo_badge, workspace_label, count_label)
