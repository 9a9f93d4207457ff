"""The flow layout keeps the height and the rows it worked out for a width until something
in it changes (a theme change asks each flow the same question hundreds of times): a
widget shown or hidden, added or taken, or grown, gives the new height and the new
places at once."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel, QSpacerItem, QWidget

from views.kit.flow import FlowLayout

WIDTH = 200


def _flow(qtbot) -> tuple[QWidget, FlowLayout, list[QLabel]]:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    layout = FlowLayout(host)
    labels = [QLabel(f"a label of some width {k}") for k in range(4)]
    for label in labels:
        layout.addWidget(label)
    host.resize(WIDTH, 400)
    host.show()
    qtbot.waitExposed(host)
    return host, layout, labels


def test_the_height_follows_a_widget_hidden_and_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    _host, layout, labels = _flow(qtbot)
    every = layout.heightForWidth(WIDTH)
    assert layout.heightForWidth(WIDTH) == every  # asked again: the same
    for label in labels[1:]:
        label.hide()
    one = layout.heightForWidth(WIDTH)
    assert one < every
    labels[2].show()
    assert one < layout.heightForWidth(WIDTH) < every


def test_the_height_follows_a_widget_added_taken_or_grown(qtbot) -> None:  # type: ignore[no-untyped-def]
    _host, layout, labels = _flow(qtbot)
    before = layout.heightForWidth(WIDTH)
    layout.addItem(QSpacerItem(WIDTH, 30))  # a row of its own
    added = layout.heightForWidth(WIDTH)
    assert added > before
    item = layout.takeAt(layout.count() - 1)
    assert item is not None
    assert layout.heightForWidth(WIDTH) == before
    labels[0].setText("a label\nnow three\nlines tall")
    assert layout.heightForWidth(WIDTH) > before


def test_the_places_follow_a_widget_hidden_or_grown(qtbot) -> None:  # type: ignore[no-untyped-def]
    _host, layout, labels = _flow(qtbot)
    area = QRect(0, 0, WIDTH, layout.heightForWidth(WIDTH))
    layout.setGeometry(area)
    assert labels[1].geometry().top() > labels[0].geometry().top()  # a row each
    labels[0].hide()
    layout.setGeometry(area)
    assert labels[1].geometry().top() == 0  # moved up into the first row
    labels[0].show()
    labels[0].setText("a label\nnow three\nlines tall")
    layout.setGeometry(area)
    assert labels[1].geometry().top() >= labels[0].geometry().bottom()
