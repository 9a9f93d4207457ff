"""Light and dark themes: a QPalette, a style sheet and the colours charts and delegates use.

The style sheet lives in ``resources/styles/app.qss`` with ``$name`` placeholders filled
from the active :class:`Theme`. "System" follows the OS colour scheme live through
``QStyleHints.colorSchemeChanged``.
"""

from __future__ import annotations

import enum
import re
import string
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from services.core.safe_read import TEMPLATE_LIMIT, read_text

# Brand and severity colours (docs/design.md section 8), the same in both themes.
# How often a theme change waits again for an open menu to close (ms).
MENU_WAIT_MS = 50
PRIMARY = "#2f5fb3"
CRITICAL = "#d6453d"
WARNING = "#e0822b"
OPPORTUNITY = "#e8a317"
POSITIVE = "#3f9d5a"


def resources_dir() -> Path:
    """The resources folder, in a checkout and in a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


class ThemeMode(enum.StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True)
class Theme:
    """Named colours of one theme (hex strings, usable in QSS and QColor alike)."""

    name: str
    is_dark: bool
    window: str
    surface: str
    surface_alt: str
    text: str
    muted: str
    border: str
    primary: str
    accent: str  # primary as a line/text colour with enough contrast on `surface`
    on_primary: str
    selection: str
    selection_text: str
    hover: str
    critical: str
    warning: str
    opportunity: str
    positive: str
    banner_bg: str
    banner_text: str
    chip_bg: str
    danger_bg: str
    chart_bg: str
    chart_grid: str

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))


LIGHT = Theme(
    name="light",
    is_dark=False,
    window="#eef1f6",
    surface="#ffffff",
    surface_alt="#f6f8fb",
    text="#1d2530",
    muted="#5d6877",
    border="#d8dde6",
    primary=PRIMARY,
    accent=PRIMARY,
    on_primary="#ffffff",
    selection="#d6e3f8",
    selection_text="#13203a",
    hover="#eef3fb",
    critical=CRITICAL,
    warning="#c96d17",  # a shade darker than the brand orange: readable as text on white
    opportunity=OPPORTUNITY,
    positive=POSITIVE,
    banner_bg="#fff3d1",
    banner_text="#6a4a00",
    chip_bg="#e9eef6",
    danger_bg="#fbe4e2",
    chart_bg="#ffffff",
    chart_grid="#e7ebf1",
)

DARK = Theme(
    name="dark",
    is_dark=True,
    window="#171b21",
    surface="#20252d",
    surface_alt="#252b34",
    text="#e4e8ee",
    muted="#9aa5b4",
    border="#353d49",
    primary=PRIMARY,
    accent="#7ea4ec",  # the deep blue is too dark to read on a dark surface
    on_primary="#ffffff",
    selection="#2c4a7d",
    selection_text="#ffffff",
    hover="#28303b",
    critical="#ec6a62",
    warning="#f0964a",
    opportunity="#f2b93b",
    positive="#5cbf78",
    banner_bg="#3a3016",
    banner_text="#f5d98f",
    chip_bg="#2d3440",
    danger_bg="#4a2422",
    chart_bg="#20252d",
    chart_grid="#2f3641",
)


@cache
def _stylesheet_template() -> string.Template:
    path = resources_dir() / "styles" / "app.qss"
    return string.Template(read_text(path, TEMPLATE_LIMIT))


# The text size the style sheet's font sizes are written for (the window's 9 pt).
SHEET_POINTS = 9.0
_POINTS = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)pt")


def text_growth() -> float:
    """How many points larger than SHEET_POINTS the application's text is (0 when not
    larger): 150 % or 200 % text makes the style sheet's headings and notes as much
    larger, each keeping its difference from the body text."""
    points = QApplication.font().pointSizeF()
    return max(0.0, points - SHEET_POINTS) if points > 0 else 0.0


def stylesheet(theme: Theme, growth: float | None = None) -> str:
    """The application style sheet for a theme (``$icons``: the icons folder, for the
    check mark), its font sizes grown with the application's text (``growth`` points:
    text_growth() unless given), as a style sheet's point sizes do not by themselves."""
    icons = (resources_dir() / "icons").as_posix()
    sheet = _stylesheet_template().substitute(asdict(theme) | {"icons": icons})
    more = text_growth() if growth is None else growth
    if more == 0.0:
        return sheet
    return _POINTS.sub(lambda m: f"font-size: {float(m.group(1)) + more:.1f}pt", sheet)


def palette(theme: Theme) -> QPalette:
    """A complete QPalette so that widgets the style sheet does not touch match too."""
    c = theme.color
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c("window"),
        QPalette.ColorRole.WindowText: c("text"),
        QPalette.ColorRole.Base: c("surface"),
        QPalette.ColorRole.AlternateBase: c("surface_alt"),
        QPalette.ColorRole.ToolTipBase: c("surface"),
        QPalette.ColorRole.ToolTipText: c("text"),
        QPalette.ColorRole.PlaceholderText: c("muted"),
        QPalette.ColorRole.Text: c("text"),
        QPalette.ColorRole.Button: c("surface_alt"),
        QPalette.ColorRole.ButtonText: c("text"),
        QPalette.ColorRole.BrightText: c("critical"),
        QPalette.ColorRole.Highlight: c("selection"),
        QPalette.ColorRole.HighlightedText: c("selection_text"),
        QPalette.ColorRole.Link: c("accent"),
        QPalette.ColorRole.LinkVisited: c("accent"),
        QPalette.ColorRole.Light: c("surface").lighter(110),
        QPalette.ColorRole.Midlight: c("surface_alt"),
        QPalette.ColorRole.Mid: c("border"),
        QPalette.ColorRole.Dark: c("border").darker(130),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0, 90),
    }
    for role, color in roles.items():
        pal.setColor(role, color)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, c("muted"))
    # Keep the selection visible when the table loses focus to the detail pane.
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, c("selection"))
    pal.setColor(
        QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, c("selection_text")
    )
    return pal


def system_prefers_dark() -> bool:
    """The OS colour scheme; unknown (e.g. offscreen) counts as light."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


class ThemeManager(QObject):
    """Applies the chosen theme to the application and follows the OS in System mode.

    Signals:
        theme_changed(theme): the effective theme changed (charts and delegates recolour).
    """

    theme_changed = Signal(object)

    def __init__(self, app: QApplication, mode: ThemeMode = ThemeMode.SYSTEM) -> None:
        super().__init__(app)
        self._app = app
        self._mode = mode
        self._theme: Theme | None = None
        # Fusion draws from the palette on every platform, so both themes look the same
        # on Windows, macOS and Linux.
        app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            self._on_style_hints_color_scheme_changed
        )
        self._apply()

    @property
    def mode(self) -> ThemeMode:
        return self._mode

    @property
    def theme(self) -> Theme:
        assert self._theme is not None
        return self._theme

    def set_mode(self, mode: ThemeMode | str) -> None:
        self._mode = ThemeMode(mode)
        self._apply()

    def set_mode_soon(self, mode: ThemeMode | str) -> None:
        """``set_mode`` once the menu that chose it has closed, under a busy cursor: the
        style sheet restyles every widget of the application (1.5 to 3 s for a window of
        ~1,900 widgets), which must not hold a menu open on screen."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        QTimer.singleShot(0, self, lambda: self._set_mode_after_menus(ThemeMode(mode)))

    def _set_mode_after_menus(self, mode: ThemeMode) -> None:
        if QApplication.activePopupWidget() is not None:  # a menu still open: after it
            QTimer.singleShot(MENU_WAIT_MS, self, lambda: self._set_mode_after_menus(mode))
            return
        try:
            self.set_mode(mode)
        finally:
            QApplication.restoreOverrideCursor()

    def _effective(self) -> Theme:
        if self._mode is ThemeMode.DARK:
            return DARK
        if self._mode is ThemeMode.LIGHT:
            return LIGHT
        return DARK if system_prefers_dark() else LIGHT

    def _apply(self) -> None:
        theme = self._effective()
        if theme == self._theme:
            return
        first = self._theme is None
        self._theme = theme
        if not first:
            # Qt re-polishes a widget once per ancestor when a style sheet replaces
            # another (a widget deep in the window 8 times or more); cleared first and
            # set again, each widget is polished twice in all.
            self._app.setStyleSheet("")
        self._app.setPalette(palette(theme))
        self._app.setStyleSheet(stylesheet(theme))
        _recolour_links()
        self.theme_changed.emit(theme)

    @Slot(Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._mode is ThemeMode.SYSTEM:
            self._apply()


def _recolour_links() -> None:
    """A label's rich text takes its links' colour from the palette when the text is
    set, and keeps it through a palette change: each label showing a link sets its text
    again, so a theme changed while the window is open leaves no link in the old theme's
    colour (the light theme's blue is about 2.5:1 on the dark status bar)."""
    for widget in QApplication.allWidgets():
        if not isinstance(widget, QLabel) or widget.textFormat() == Qt.TextFormat.PlainText:
            continue
        text = widget.text()
        if "<a " in text:
            widget.setText("")  # the same text again would be ignored
            widget.setText(text)
