"""A review pack as a PDF (Qt's QPdfWriter): A4, or Letter where the locale measures in
inches; a title page, then each section on a page of its own (a long one runs on to the
next), its text real text a reader can select and search, its charts the pictures the
app's own charts drew (pictures.py); every page numbered "Page 2 of 6" at its foot.

Drawing on a QPdfWriter needs no window, so this may run on a worker thread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QLocale, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)

from services.packs.records import Pack, Section
from views.kit.theme import LIGHT

A4, LETTER = "a4", "letter"
PAGE_SIZES = {A4: QPageSize.PageSizeId.A4, LETTER: QPageSize.PageSizeId.Letter}
RESOLUTION = 300  # dots an inch
MARGIN_MM = 18.0
TEXT, MUTED, ACCENT = QColor(LIGHT.text), QColor(LIGHT.muted), QColor(LIGHT.accent)


def locale_page_size(locale: QLocale | None = None) -> str:
    """Letter where the locale measures in inches (the United States and a few others),
    A4 everywhere else."""
    system = (locale or QLocale.system()).measurementSystem()
    return LETTER if system == QLocale.MeasurementSystem.ImperialUSSystem else A4


def _font(points: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(["Helvetica", "Arial", "DejaVu Sans", "Liberation Sans"])
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


@dataclass(frozen=True)
class _Item:
    kind: str  # "figures", "line", "chart"
    text: str = ""
    image: QImage | None = None
    cells: tuple[tuple[str, str], ...] = ()  # a row of figures: (label, value)


def _items(section: Section, images: Mapping[str, QImage]) -> list[_Item]:
    figures = [(f.label, f.value) for f in section.figures]
    # Three figures a row; two when a value is long (a trend, an interval).
    across = 3 if all(len(value) <= 24 for _label, value in figures) else 2
    items = [
        _Item("figures", cells=tuple(figures[i : i + across]))
        for i in range(0, len(figures), across)
    ]
    items += [_Item("line", line) for line in section.lines]
    charts = [c for c in section.charts if c.key in images]
    items += [_Item("chart", c.title, image=images[c.key]) for c in charts]
    return items


class _Pages:
    """Lays the pack out page by page on the writer (``draw``: False only measures)."""

    def __init__(self, writer: QPdfWriter, painter: QPainter | None, pack: Pack) -> None:
        self.writer, self.painter, self.pack = writer, painter, pack
        layout = writer.pageLayout()
        rect = layout.paintRectPixels(RESOLUTION)
        self.width, self.height = float(rect.width()), float(rect.height())
        self.dpi = float(RESOLUTION)
        self.page = 0
        self.total = 0
        self.y = 0.0
        self.section = ""

    def pt(self, points: float) -> float:
        return points * self.dpi / 72.0

    def _text(self, text: str, font: QFont, colour: QColor, x: float, width: float) -> float:
        """Draw wrapped text at the cursor; its height."""
        metrics = QFontMetricsF(font, self.writer)
        flags = int(Qt.TextFlag.TextWordWrap)
        box = metrics.boundingRect(QRectF(0, 0, width, 1e6), flags, text)
        if self.painter is not None:
            self.painter.setFont(font)
            self.painter.setPen(colour)
            self.painter.drawText(QRectF(x, self.y, width, box.height()), flags, text)
        return box.height()

    def new_page(self, heading: str) -> None:
        if self.page > 0:
            self.footer()
            if self.painter is not None:
                self.writer.newPage()
        self.page += 1
        self.y = 0.0
        self.y += self._text(heading, _font(20, bold=True), ACCENT, 0, self.width) + self.pt(14)

    def footer(self) -> None:
        if self.painter is None:
            return
        words = f"{self.pack.title} · {self.pack.subtitle}"
        font = _font(8)
        metrics = QFontMetricsF(font, self.writer)
        y = self.height - metrics.height()
        self.painter.setFont(font)
        self.painter.setPen(MUTED)
        self.painter.drawText(QRectF(0, y, self.width, metrics.height()), 0, words)
        self.painter.drawText(QRectF(0, y, self.width, metrics.height()),
                              int(Qt.AlignmentFlag.AlignRight),
                              f"Page {self.page} of {self.total}")  # fmt: skip

    @property
    def bottom(self) -> float:
        return self.height - self.pt(24)

    def title_page(self) -> None:
        pack = self.pack
        self.page = 1
        self.y = self.height * 0.28
        self.y += self._text(pack.subtitle.upper(), _font(12, bold=True), MUTED, 0, self.width)
        self.y += self.pt(6)
        self.y += self._text(pack.title, _font(30, bold=True), TEXT, 0, self.width) + self.pt(18)
        for line in pack.title_lines:
            self.y += self._text(line, _font(13), TEXT, 0, self.width) + self.pt(4)

    def section_pages(self, section: Section, images: Mapping[str, QImage]) -> None:
        self.new_page(section.title)
        for item in _items(section, images):
            self._item(section.title, item)

    def _item(self, title: str, item: _Item) -> None:
        if item.kind == "chart" and item.image is not None:
            image = item.image
            ratio = image.height() / max(image.width(), 1)
            width = self.width
            height = width * ratio
            room = self.bottom - self.y
            if height > room:
                if room >= height * 0.6:  # a little smaller still reads well
                    width, height = room / ratio, room
                else:
                    self.new_page(f"{title} (continued)")
            if self.painter is not None:
                self.painter.drawImage(QRectF(0, self.y, width, height), image)
            self.y += height + self.pt(10)
            return
        if item.kind == "figures":
            self._figures(title, item.cells)
            return
        if self.y + self._measure(item.text, _font(11)) > self.bottom:
            self.new_page(f"{title} (continued)")
        self.y += self._text(item.text, _font(11), TEXT, 0, self.width) + self.pt(4)

    def _figures(self, title: str, cells: tuple[tuple[str, str], ...]) -> None:
        """One row of figures: each its label small above its value."""
        gap = self.pt(12)
        across = 3 if len(cells) == 3 or all(len(v) <= 24 for _l, v in cells) else 2
        width = (self.width - gap * (across - 1)) / across
        label_font, value_font = _font(8.5, bold=True), _font(13, bold=True)
        # The values side by side on one line, under the row's tallest label.
        labels = max(self._measure(label.upper(), label_font, width) for label, _v in cells)
        values = max(self._measure(value, value_font, width) for _l, value in cells)
        height = labels + values
        if self.y + height > self.bottom:
            self.new_page(f"{title} (continued)")
        top = self.y
        for i, (label, value) in enumerate(cells):
            x = i * (width + gap)
            self.y = top
            self._text(label.upper(), label_font, MUTED, x, width)
            self.y = top + labels
            self._text(value, value_font, TEXT, x, width)
        self.y = top + height + self.pt(8)

    def _measure(self, text: str, font: QFont, width: float | None = None) -> float:
        metrics = QFontMetricsF(font, self.writer)
        flags = int(Qt.TextFlag.TextWordWrap)
        box = QRectF(0, 0, width or self.width, 1e6)
        return metrics.boundingRect(box, flags, text).height()


def _writer(target: str | QBuffer, pack: Pack, page_size: str) -> QPdfWriter:
    writer = QPdfWriter(target)
    writer.setResolution(RESOLUTION)
    writer.setPageSize(QPageSize(PAGE_SIZES[page_size]))
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    writer.setPageMargins(margins, QPageLayout.Unit.Millimeter)
    writer.setTitle(f"{pack.subtitle}: {pack.title}")
    writer.setCreator("Account Radar")
    return writer


def write_pdf(
    pack: Pack, images: Mapping[str, QImage], path: Path, page_size: str | None = None
) -> int:
    """Write the pack as a PDF to ``path``; its number of pages."""
    size = page_size or locale_page_size()
    # Measure first, so that every page can say how many there are.
    scratch = QBuffer()
    scratch.open(QIODevice.OpenModeFlag.WriteOnly)
    measuring = _Pages(_writer(scratch, pack, size), None, pack)
    measuring.title_page()
    for section in pack.sections:
        measuring.section_pages(section, images)
    writer = _writer(str(path), pack, size)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"could not write the PDF {path.name}")
    try:
        pages = _Pages(writer, painter, pack)
        pages.total = measuring.page
        pages.title_page()
        for section in pack.sections:
            pages.section_pages(section, images)
        pages.footer()
    finally:
        painter.end()
    return measuring.page
