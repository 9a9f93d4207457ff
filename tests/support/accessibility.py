"""Walk Qt's accessibility tree as a screen reader does, and list the interactive elements
it would announce without a name.

The tree is the one assistive technology reads (``QAccessible.queryAccessibleInterface``,
then ``child(i)`` / ``childCount()``), not the widget tree: what a user of NVDA, VoiceOver
or Orca hears. It works on the offscreen platform as on a desktop.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QGraphicsView, QMenu, QMenuBar, QWidget

Role = QAccessible.Role

# What a user acts on: each needs a name a screen reader can say.
INTERACTIVE = frozenset(
    {
        Role.Button,
        Role.CheckBox,
        Role.RadioButton,
        Role.ComboBox,
        Role.EditableText,
        Role.SpinBox,
        Role.Slider,
        Role.Dial,
        Role.List,
        Role.Table,
        Role.Tree,
        Role.PageTab,
        Role.MenuItem,
        Role.ButtonMenu,
        Role.ButtonDropDown,
        Role.Link,
        Role.ListItem,
        Role.Cell,
        Role.TreeItem,
        Role.Graphic,
    }
)
# Items of a list or table: the first rows are read (a name missing on one is missing on
# all, and a 300-row table has thousands of cells).
ITEM_ROLES = frozenset({Role.ListItem, Role.Cell, Role.TreeItem, Role.Row})
ITEMS_READ = 60


@dataclass(frozen=True)
class Element:
    """One element of the tree: its role, name, and where it is (object names up to the
    window, so that an offender can be found)."""

    role: QAccessible.Role
    name: str
    description: str
    path: str
    visible: bool
    # The keyboard stops on it (Tab): whatever its role, a user lands on it and hears
    # its name (a clickable tile is a frame to Qt, a button to the user).
    focusable: bool = False

    def __str__(self) -> str:
        return f"{self.role.name} at {self.path}"


def _label(obj: QObject | None) -> str:
    if obj is None:
        return "item"
    name = obj.objectName()
    kind = type(obj).__name__
    text = ""
    for attr in ("text", "title", "windowTitle", "placeholderText"):
        getter = getattr(obj, attr, None)
        if callable(getter):
            try:
                value = getter()
            except TypeError:
                continue
            if isinstance(value, str) and value:
                text = value
                break
    bits = kind + (f"#{name}" if name else "")
    return bits + (f"[{text[:30]!r}]" if text else "")


def spoken_name(iface: QAccessibleInterface) -> str:
    """The name a screen reader says for the element.

    A combo box's Name on Linux is its current value (Qt then points to its label through
    a relation, as AT-SPI wants): an unlabelled combo box would pass as named by whatever
    it shows. Its name here is its own accessible name or the label that labels it.
    """
    obj = iface.object()
    if iface.role() == Role.ComboBox and isinstance(obj, QWidget):
        if obj.accessibleName():
            return obj.accessibleName()
        for other, _relation in iface.relations(QAccessible.Relation.Label):
            text = other.text(QAccessible.Text.Name)
            if text:
                return text
        return ""
    return iface.text(QAccessible.Text.Name).strip()


def _role(iface: QAccessibleInterface) -> QAccessible.Role:
    # A chart (pyqtgraph's PlotWidget, a QGraphicsView) reads as a plain client area:
    # it is a picture, and needs a name and a text summary as any graphic does.
    if isinstance(iface.object(), QGraphicsView):
        return Role.Graphic
    return iface.role()


def _takes_tab(obj: QObject | None) -> bool:
    """A widget Tab stops on (enabled, focus by Tab), unless it hands its focus to a
    proxy (a tab widget's tab bar), which is what the keyboard lands on and is read."""
    if not isinstance(obj, QWidget) or not obj.isEnabled():
        return False
    if not obj.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return False
    proxy = obj.focusProxy()
    # Kept: PySide6 6.12 may free a wrapper it made here with the C++ object behind it
    # (a flow layout's items were then found deleted).
    _PROXIES.append(proxy)
    return proxy is None


_PROXIES: list[object] = []


def walk(iface: QAccessibleInterface | None, path: str = "") -> list[Element]:
    """Every element under ``iface`` (itself included), depth first."""
    if iface is None or not iface.isValid():
        return []
    obj = iface.object()
    here = f"{path} > {_label(obj)}" if path else _label(obj)
    found = [
        Element(
            role=_role(iface),
            name=spoken_name(iface),
            description=iface.text(QAccessible.Text.Description),
            path=here,
            visible=not iface.state().invisible,
            focusable=_takes_tab(obj),
        )
    ]
    if iface.role() == Role.ComboBox:
        return found  # its popup list is the combo box's own, read as its value
    items = 0
    for i in range(iface.childCount()):
        child = iface.child(i)
        if child is None:
            continue
        if child.role() in ITEM_ROLES:
            items += 1
            if items > ITEMS_READ:
                continue
        found.extend(walk(child, here))
    return found


def menus_of(bar: QMenuBar) -> list[QMenu]:
    """The menus of a menu bar and their submenus (menus are windows of their own: the
    window's tree reaches their titles, not their entries)."""
    menus: list[QMenu] = []
    pending = [a.menu() for a in bar.actions() if a.menu() is not None]
    while pending:
        menu = pending.pop()
        if not isinstance(menu, QMenu) or menu in menus:
            continue
        menus.append(menu)
        pending.extend(a.menu() for a in menu.actions() if a.menu() is not None)
    return menus


def unnamed(widget: QWidget, *, include_hidden: bool = True) -> list[Element]:
    """The interactive elements of ``widget``'s tree (and its menus) with no name: those
    whose role is a control's, and any other the keyboard stops on."""
    elements = walk(QAccessible.queryAccessibleInterface(widget))
    bars = [widget] if isinstance(widget, QMenuBar) else widget.findChildren(QMenuBar)
    for bar in bars:
        for menu in menus_of(bar):
            elements.extend(walk(QAccessible.queryAccessibleInterface(menu)))
    return [
        e
        for e in elements
        if (e.role in INTERACTIVE or e.focusable) and not e.name and (include_hidden or e.visible)
    ]


def report(offenders: list[Element]) -> str:
    """One line per offender, each once."""
    lines = sorted({str(e) for e in offenders})
    return f"{len(lines)} interactive element(s) without an accessible name:\n  " + "\n  ".join(
        lines
    )
