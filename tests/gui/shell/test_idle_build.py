"""views/shell/screens.py IdleBuild: the Alerts, Dashboard and My work screens are built
once the customers table has been left alone a moment; each sort or search starts the
wait again, so they are not built under a user working in the table."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from views.shell.screens import IdleBuild


class _Table(QObject):
    sorted = Signal()
    searched = Signal()


def test_each_sort_or_search_starts_the_wait_again(qtbot) -> None:
    table, parent, built = _Table(), QObject(), []
    idle = IdleBuild(parent, lambda: built.append(1), 60_000, (table.sorted, table.searched))
    assert idle.waiting
    start = idle.remaining_ms
    qtbot.waitUntil(lambda: idle.remaining_ms < start - 30, timeout=5_000)  # time passes
    table.sorted.emit()
    after_sort = idle.remaining_ms
    assert after_sort > start - 30  # from the sort, the whole wait again
    qtbot.waitUntil(lambda: idle.remaining_ms < after_sort - 30, timeout=5_000)
    table.searched.emit()
    assert idle.remaining_ms > after_sort - 30
    assert built == []


def test_built_once_when_left_alone_and_not_again(qtbot) -> None:
    table, parent, built = _Table(), QObject(), []
    idle = IdleBuild(parent, lambda: built.append(1), 50, (table.sorted,))
    qtbot.waitUntil(lambda: built == [1], timeout=5_000)
    assert not idle.waiting
    table.sorted.emit()  # after the build, a sort does not start another wait
    assert not idle.waiting
    assert built == [1]
