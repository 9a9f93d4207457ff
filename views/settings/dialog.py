"""Settings: the alert rules, their thresholds, the daily cap, the quiet period after
contact, the score weights, email drafting and sending, edited in one dialog and checked
before they are saved.

The dialog is handed plain descriptions of the fields (app/ builds them from the
settings schema, services/settings/schema.py) and a ``validate(key, value)`` function that
returns what is wrong in plain words. Save is refused, with the reasons next to the
fields, while any value is wrong; otherwise ``changes()`` holds what to store.

With an ``email`` source (views/settings/email_pages.py, which knows the dialog only as
its ``SettingsForm``), the "Email drafting" and "Sending email" pages also get the
provider tools (List models, Test connection) and the API key and SMTP password boxes;
what was typed there is in ``pending_secrets()``, never in ``changes()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from services.core.policy import LOCKED_NOTE
from services.core.setting_spec import HOME_CURRENCY_UNIT
from views.kit.accessibility import name
from views.kit.geometry import FitsScreen, resize_for_text, text_scale
from views.settings.email_pages import DraftingTools, EmailSettingsSource, SendingTools
from views.settings.field_editor import FieldEditor as _Editor
from views.settings.notify_page import NotifySettingsSource, NotifyTools
from views.settings.scope import page_note, scope_tag, titled

ValidateFn = Callable[[str, Any], str | None]


class CustomPage(Protocol):
    """A page of its own editing one setting (views/settings/segment_page.py)."""

    def value(self) -> Any: ...
    def changed(self) -> bool: ...
    def problem(self) -> str | None: ...


# Kinds whose editor keeps its natural width (the rest stretch across the page).
_NARROW_KINDS = ("int", "float", "choice")
ITEM_PADDING = 10  # the pages' list's items' padding each side (app.qss, settingsGroups)


@dataclass(frozen=True)
class SettingField:
    """One editable setting, as the dialog shows it.

    ``kind``: "bool", "int", "float", "choice", "list" (texts, one per comma; whole
    numbers where the default is a list of them),
    "weights" (a dict of named numbers; ``components`` are the names), "text" (one
    line), "multiline" (a few lines), "suggest" (one line of text with suggestions to
    pick from, e.g. the models a server lists) or "fields" (a list of ``choices``, one
    checkbox each).

    ``choice_labels`` (same order as ``choices``) are what the user reads for a "choice"
    or "fields" value; without them the value itself is shown, capitalised.
    ``section`` starts a sub-heading on the page where it changes; ``placeholder`` is
    the grey hint of an empty text box.
    """

    key: str
    title: str
    group: str
    kind: str
    default: Any
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    components: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    section: str = ""
    placeholder: str = ""
    # Locked by the organisation's policy: shown greyed, with LOCKED_NOTE, never saved.
    locked: bool = False
    # The person's own (it follows them to every workspace), else the workspace's.
    personal: bool = False

    def label_of(self, choice: str) -> str:
        """What the user reads for one of ``choices``."""
        if len(self.choice_labels) == len(self.choices) and choice in self.choices:
            return self.choice_labels[self.choices.index(choice)]
        return choice.replace("_", " ").capitalize()


def _mixed_sections(fields: Sequence[SettingField]) -> set[str]:
    """The sections of a page whose settings are not all kept in the same place (their
    settings are tagged one by one)."""
    kinds: dict[str, set[bool]] = {}
    for f in fields:
        kinds.setdefault(f.section, set()).add(f.personal)
    return {section for section, found in kinds.items() if section and len(found) > 1}


def _by_group(fields: Sequence[SettingField]) -> dict[str, list[SettingField]]:
    """The fields by group, the groups in the order their first field comes."""
    by_group: dict[str, list[SettingField]] = {}
    for f in fields:
        by_group.setdefault(f.group, []).append(f)
    return by_group


class SettingsDialog(QDialog):
    """Groups on the left, their settings on the right; Save checks every value first.

    The pages are built as they are needed: the one shown first (and those a page tool
    or a caller asks for) at once, every other one after the dialog is painted, one per
    turn of the event loop, so that the first page shows without waiting for ~30 others.
    Whatever needs every field (its values, a Save, a search of its children) builds
    the pages still missing first.
    """

    def __init__(
        self,
        fields: Sequence[SettingField],
        values: Mapping[str, Any],
        validate: ValidateFn,
        parent: QWidget | None = None,
        *,
        email: EmailSettingsSource | None = None,
        notify: NotifySettingsSource | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._validate = validate
        self._values = dict(values)
        self._built_editors: dict[str, _Editor] = {}
        self._built_errors: dict[str, QLabel] = {}
        self._blocks: dict[str, QWidget] = {}
        self._rows: dict[str, QHBoxLayout] = {}
        self._columns: dict[int, QVBoxLayout] = {}
        self._group_of: dict[str, int] = {}
        self._fields = {f.key: f for f in fields}
        # Pages not built yet: their index, their group and its fields.
        self._unbuilt: dict[int, tuple[str, list[SettingField]]] = {}
        # Pages of their own (Per segment), by the setting each edits.
        self._custom: dict[str, CustomPage] = {}

        self.group_names: list[str] = []
        self.group_model = QStringListModel(self)
        self.groups = QListView(self)
        self.groups.setObjectName("settingsGroups")
        self.groups.setAccessibleName("Settings pages")
        self.groups.setModel(self.group_model)
        self.groups.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.groups.setMaximumWidth(round(230 * text_scale(self)))
        # A name longer than the list is wide wraps onto a second line, never cut.
        self.groups.setWordWrap(True)
        self.groups.setResizeMode(QListView.ResizeMode.Adjust)
        self.groups.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages = QStackedWidget(self)
        for group, grouped in _by_group(fields).items():
            self._add_placeholder(group, grouped)
        self.group_model.setStringList(self.group_names)
        self._fit_group_names()
        self.groups.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._on_group_changed(current.row())
        )
        self.show_group(0)

        self.summary = QLabel("", self)
        self.summary.setObjectName("settingsProblems")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.defaults_button = QPushButton("Restore defaults on this page", self)
        self.defaults_button.clicked.connect(self._on_defaults_button_clicked)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        body = QHBoxLayout()
        body.addWidget(self.groups)
        body.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.defaults_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.summary)
        layout.addLayout(bottom)
        resize_for_text(self, 820, 560)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

        self._add_tools(email, notify)

    def _add_tools(
        self, email: EmailSettingsSource | None, notify: NotifySettingsSource | None
    ) -> None:
        # The email pages' tools, added to the generic pages when their fields are shown.
        self.drafting: DraftingTools | None = None
        self.sending: SendingTools | None = None
        if email is not None and self.has_field("llm.preset"):
            self.drafting = DraftingTools(self, email, self)
        if email is not None and self.has_field("smtp.host"):
            self.sending = SendingTools(self, email, self)
        # Slack and Teams: the webhook's address (kept in the keyring at once) and its test.
        self.notify_tools: NotifyTools | None = None
        if notify is not None and self.has_field("notify.service"):
            self.notify_tools = NotifyTools(self, notify, self)

    # -- pages, built when needed -------------------------------------------------------

    @property
    def _editors(self) -> dict[str, _Editor]:
        """Every field's editor (the pages not built yet are built first)."""
        self.build_all_pages()
        return self._built_editors

    @property
    def _errors(self) -> dict[str, QLabel]:
        self.build_all_pages()
        return self._built_errors

    @property
    def pages_built(self) -> int:
        """How many of the pages are built."""
        return self.pages.count() - len(self._unbuilt)

    def build_all_pages(self) -> None:
        for index in list(self._unbuilt):
            self._build_page(index)

    def findChild(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        self.build_all_pages()
        return super().findChild(*args, **kwargs)

    def findChildren(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        self.build_all_pages()
        return super().findChildren(*args, **kwargs)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._unbuilt:
            # After the first paint (posted before this timer fires): the others.
            QTimer.singleShot(0, self, self._build_next_page)

    def _build_next_page(self) -> None:
        if not self.isVisible():  # closed: the rest when it is shown again, if ever
            return
        if self._unbuilt:
            self._build_page(next(iter(self._unbuilt)))
        if self._unbuilt:
            QTimer.singleShot(0, self, self._build_next_page)

    def _page_of(self, key: str) -> int:
        """The index of the page holding ``key``, built."""
        index = self._group_of[key]
        if index in self._unbuilt:
            self._build_page(index)
        return index

    def _editor_of(self, key: str) -> _Editor:
        if key not in self._built_editors:
            self._page_of(key)
        return self._built_editors[key]

    def _add_placeholder(self, group: str, fields: list[SettingField]) -> None:
        """The group's scroll area in the stack, empty until its page is built."""
        scroll = name(QScrollArea(self.pages), f"{group} settings")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        index = self.pages.addWidget(scroll)
        for f in fields:
            self._group_of[f.key] = index
        self._unbuilt[index] = (group, fields)
        self.group_names.append(group)

    def _build_page(self, index: int) -> None:
        # One block per setting, stacked: the title, the editor, what it does in a
        # sentence, and what is wrong with it (after a refused Save).
        group, fields = self._unbuilt.pop(index)
        scroll = cast("QScrollArea", self.pages.widget(index))
        # Built inside its scroll area: a page moved to another parent under the style
        # sheet would be polished again, every child of it too.
        page = QWidget(scroll.viewport())
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 0, 12, 8)
        column.setSpacing(14)
        heading = QLabel(group, page)
        heading.setObjectName("paneTitle")
        # Whose settings these are: one tag for a page of one kind, else one per
        # section of one kind, else one per setting.
        mixed = len({f.personal for f in fields}) > 1
        tagged = _mixed_sections(fields) if mixed else set()
        column.addWidget(titled(heading, None if mixed else scope_tag(fields[0].personal, page),
                                page))  # fmt: skip
        column.addWidget(page_note([f.personal for f in fields], page))
        section = ""
        for f in fields:
            if f.section and f.section != section:
                section = f.section
                sub = QLabel(section, page)
                # Muted and bold like the model report's parameter groups, and flush
                # with the settings' titles (sectionTitle is padded for cards).
                sub.setObjectName("paramGroup")
                tag = scope_tag(f.personal, page) if mixed and section not in tagged else None
                column.addWidget(titled(sub, tag, page))
            tag_it = mixed and (not f.section or f.section in tagged)
            column.addWidget(self._block(f, page, tag_it))
        column.addStretch(1)
        self._columns[index] = column
        scroll.setWidget(page)

    def _block(self, f: SettingField, page: QWidget, tag: bool) -> QWidget:
        """One setting's block: its title (with its scope ``tag``), editor, help, error."""
        editor = _Editor(f, page)
        editor.set_value(self._values.get(f.key, f.default))
        self._built_editors[f.key] = editor
        block_widget = QWidget(page)
        block_widget.setObjectName(f"settingBlock:{f.key}")
        block = QVBoxLayout(block_widget)
        block.setContentsMargins(0, 0, 0, 0)
        block.setSpacing(3)
        unit = self._unit(f)
        title = f"{f.title} ({unit})" if unit and f.kind != "weights" else f.title
        label = QLabel(f"<b>{title}</b>", block_widget)
        label.setWordWrap(True)
        label.setBuddy(editor.widget)
        if tag:
            label.setWordWrap(False)  # beside its tag: one line
            block.addWidget(titled(label, scope_tag(f.personal, block_widget), block_widget))
        else:
            block.addWidget(label)
        row = QHBoxLayout()
        narrow = f.kind in _NARROW_KINDS
        row.addWidget(editor.widget, 0 if narrow else 1)
        if narrow:
            editor.widget.setMinimumWidth(140)
            row.addStretch(1)
        block.addLayout(row)
        self._rows[f.key] = row
        if f.locked:
            editor.widget.setEnabled(False)
            label.setEnabled(False)
            lock = QLabel(LOCKED_NOTE, block_widget)
            lock.setObjectName("lockedNote")
            block.addWidget(lock)
        if f.help:
            note = QLabel(f.help, block_widget)
            note.setObjectName("muted")
            note.setWordWrap(True)
            block.addWidget(note)
        error = QLabel("", block_widget)
        error.setObjectName("settingError")
        error.setWordWrap(True)
        error.hide()
        block.addWidget(error)
        self._built_errors[f.key] = error
        self._blocks[f.key] = block_widget
        return block_widget

    def add_page(self, title: str, page: QWidget, key: str) -> None:
        """A page of its own (Settings ▸ Per segment) editing the setting ``key``: its
        ``value()``, ``changed()`` and ``problem()`` join the dialog's."""
        scroll = name(QScrollArea(self), f"{title} settings")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.pages.addWidget(scroll)
        self.group_names.append(title)
        self.group_model.setStringList(self.group_names)
        self._group_of[key] = self.pages.count() - 1
        self._custom[key] = cast("CustomPage", page)  # SegmentPage: value, changed, problem

    def _fit_group_names(self) -> None:
        """The pages' list as wide as its longest name (with the items' padding, the
        border and the scroll bar), up to 340 pixels at 100 % text: at 150 % text no
        page's name is cut."""
        self.groups.ensurePolished()  # the style sheet's font, border and scroll bar
        metrics = self.groups.fontMetrics()
        widest = max((metrics.horizontalAdvance(n) for n in self.group_names), default=0)
        bar = self.groups.verticalScrollBar().sizeHint().width()
        style = self.groups.style()
        # The style's own margin each side of an item's text, as it lays the text out.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.groups) + 1
        needed = widest + 2 * (ITEM_PADDING + margin) + bar + 2 * self.groups.frameWidth() + 12
        width = min(needed, round(340 * text_scale(self)))
        self.groups.setMinimumWidth(width)
        self.groups.setMaximumWidth(max(width, self.groups.maximumWidth()))

    def show_group(self, row: int) -> None:
        """Show one group's page (and select it in the list)."""
        self.groups.setCurrentIndex(self.group_model.index(row, 0))
        self._on_group_changed(row)

    def _on_group_changed(self, row: int) -> None:
        if row in self._unbuilt:
            self._build_page(row)
        self.pages.setCurrentIndex(row)
        if hasattr(self, "defaults_button"):  # a page of its own has no defaults to restore
            custom = {self._group_of[key] for key in self._custom}
            self.defaults_button.setVisible(row not in custom)

    def show_group_named(self, name: str) -> None:
        """Show the page of the group with this name."""
        self.show_group(self.group_names.index(name))

    def current_group(self) -> str:
        return self.group_names[self.pages.currentIndex()]

    # -- hooks for page tools -----------------------------------------------------------

    def _unit(self, f: SettingField) -> str:
        """A field's unit; money's is the workspace's home currency ("USD")."""
        home = self._values.get("workspace.home_currency")
        if f.unit == HOME_CURRENCY_UNIT and isinstance(home, str) and home:
            return home
        return f.unit

    def field_block(self, key: str) -> QWidget:
        """The widget holding one setting's title, editor, help and error (hide it to
        hide the setting)."""
        self._page_of(key)
        return self._blocks[key]

    def field_row(self, key: str) -> QHBoxLayout:
        """The row holding one setting's editor (add buttons next to it here)."""
        self._page_of(key)
        return self._rows[key]

    def insert_after(self, key: str, widget: QWidget) -> None:
        """Put a widget on a setting's page, right below that setting."""
        column = self._columns[self._page_of(key)]
        block = self._blocks[key]
        widget.setParent(block.parentWidget())
        column.insertWidget(column.indexOf(block) + 1, widget)

    def field(self, key: str) -> SettingField:
        return self._fields[key]

    # -- values -------------------------------------------------------------------------

    def editor(self, key: str) -> QWidget:
        return self._editor_of(key).widget

    def has_field(self, key: str) -> bool:
        return key in self._fields

    def value(self, key: str) -> Any:
        """One field's current value."""
        return self._editor_of(key).value()

    def set_field_value(self, key: str, value: Any) -> None:
        """Put a value in one field's editor (as if the user had entered it)."""
        self._editor_of(key).set_value(value)

    def values(self) -> dict[str, Any]:
        """Every field's current value (a page not built yet: the values it opened with,
        which nobody can have changed)."""
        values = {key: self._values.get(key, f.default) for key, f in self._fields.items()}
        values |= {key: editor.value() for key, editor in self._built_editors.items()}
        return values | {key: page.value() for key, page in self._custom.items()}

    def changes(self) -> dict[str, Any]:
        """The values that differ from what the dialog was opened with."""
        self.build_all_pages()  # every value as its editor reads it
        out = {key: page.value() for key, page in self._custom.items() if page.changed()}
        for key, value in self.values().items():
            if key in self._custom:
                continue
            editor = self._editors[key]
            before = self._values.get(key, editor.field.default)
            if not editor.same(value, before):
                out[key] = value
        return out

    def pending_secrets(self) -> dict[str, str]:
        """Secrets typed on the email pages, to store in the keyring on Save: "api_key"
        and/or "smtp_password". Never part of ``changes()``."""
        out: dict[str, str] = {}
        if self.drafting is not None:
            out.update(self.drafting.pending_secrets())
        if self.sending is not None:
            out.update(self.sending.pending_secrets())
        return out

    def problems(self) -> dict[str, str]:
        """What is wrong with each field that is wrong, in plain words."""
        self.build_all_pages()
        found = {key: p for key, page in self._custom.items() if (p := page.problem())}
        for key, value in self.values().items():
            if key in self._custom:
                continue
            problem = self._validate(key, value)
            if problem:
                found[key] = problem
        for tools in (self.drafting, self.sending):
            if tools is not None:
                for key, problem in tools.problems().items():
                    found.setdefault(key, problem)
        return found

    def _on_save(self) -> None:
        problems = self.problems()
        for key, label in self._errors.items():
            text = problems.get(key, "")
            if text.startswith("'") and "': " in text:
                text = text.split("': ", 1)[1]  # the title is right above it
            label.setText(text[:1].upper() + text[1:])
            label.setVisible(key in problems)
        if problems:
            first = next(iter(problems))
            self.show_group(self._group_of[first])
            self.summary.setText(
                f"{len(problems)} setting(s) need a change before saving: "
                + "; ".join(problems.values())
            )
            self.summary.show()
            return
        self.summary.hide()
        self.accept()

    def _on_defaults_button_clicked(self) -> None:
        page = self.pages.currentIndex()
        for key, editor in self._built_editors.items():  # the page shown is built
            if self._group_of[key] == page and not editor.field.locked:
                editor.set_value(editor.field.default)
