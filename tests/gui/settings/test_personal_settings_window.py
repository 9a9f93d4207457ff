"""File ▸ Settings… says which settings are the person's own (they follow them to every
workspace) and which stay with the workspace, and saving the provider in one workspace
shows it in another: in the Settings dialog and in the command line's ``config show``. Real
workspace files, the real controller and dialog."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.cli.main import main
from app.gui.context import WindowContext
from app.gui.settings_controller import SettingsController, setting_fields, validate
from app.workspace import Workspace, open_workspace, to_url
from services.core.personal import personal_path
from views.kit.jobs import JobRunner
from views.settings.dialog import SettingsDialog
from views.settings.scope import MIXED_NOTE, THIS_WORKSPACE, YOURS


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    a = open_workspace(to_url(str(tmp_path / "a.radar.sqlite")), backup=False)
    b = open_workspace(to_url(str(tmp_path / "b.radar.sqlite")), backup=False)
    yield a, b
    a.close()
    b.close()


def controller_for(qtbot, jobs: JobRunner, workspace: Workspace, show) -> SettingsController:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    return SettingsController(
        WindowContext(jobs, parent, lambda: workspace), user=lambda: "ana", show=show
    )


def tags(dialog: SettingsDialog, page: str) -> list[tuple[str, str]]:
    """(the title beside it, the tag) of each scope tag on a page, top to bottom."""
    dialog.show_group_named(page)  # a page is built once shown (or once all are needed)
    scroll = dialog.pages.widget(dialog.group_names.index(page))
    found = []
    for tag in scroll.findChildren(QLabel, "scopeTag"):
        row = tag.parentWidget()
        title = next(w for w in row.findChildren(QLabel) if w is not tag)
        found.append((title.text(), tag.text()))
    return found


def notes(dialog: SettingsDialog, page: str) -> list[str]:
    dialog.show_group_named(page)
    scroll = dialog.pages.widget(dialog.group_names.index(page))
    return [label.text() for label in scroll.findChildren(QLabel, "scopeNote")]


def test_each_page_says_whose_its_settings_are(qtbot) -> None:
    dialog = SettingsDialog(setting_fields(), {}, validate)
    qtbot.addWidget(dialog)
    # A page of one kind: one tag beside its title, and a line saying what it means.
    assert tags(dialog, "Sending email") == [("Sending email", YOURS)]
    assert "follow you to every workspace" in notes(dialog, "Sending email")[0]
    assert tags(dialog, "Alerts") == [("Alerts", THIS_WORKSPACE)]
    assert "stay with this workspace" in notes(dialog, "Alerts")[0]
    # Email drafting mixes both: a tag per section, and the line explaining the two.
    assert tags(dialog, "Email drafting") == [
        ("Who writes the drafts", YOURS),
        ("Privacy", THIS_WORKSPACE),
        ("What the drafts say", THIS_WORKSPACE),
        ("Your name and signature", YOURS),
    ]
    assert notes(dialog, "Email drafting") == [MIXED_NOTE]
    # Every page says it.
    for page in dialog.group_names:
        assert len(notes(dialog, page)) == 1, page


def test_a_mixed_section_tags_each_of_its_settings(qtbot) -> None:
    from views.settings.dialog import SettingField

    fields = [
        SettingField("a.mine", "Mine", "Page", "text", "", section="One", personal=True),
        SettingField("a.ours", "Ours", "Page", "text", "", section="One"),
        SettingField("a.also", "Also ours", "Page", "text", "", section="Two"),
    ]
    dialog = SettingsDialog(fields, {}, lambda _k, _v: None)
    qtbot.addWidget(dialog)
    assert tags(dialog, "Page") == [
        ("<b>Mine</b>", YOURS),
        ("<b>Ours</b>", THIS_WORKSPACE),
        ("Two", THIS_WORKSPACE),
    ]


def test_the_provider_saved_in_one_workspace_is_there_in_another(
    qtbot, jobs: JobRunner, two: tuple[Workspace, Workspace]
) -> None:
    a, b = two

    def set_provider(d: SettingsDialog) -> bool:
        preset = d.editor("llm.preset")
        assert isinstance(preset, QComboBox)
        preset.setCurrentIndex(preset.findData("ollama"))
        url = d.editor("llm.base_url")
        assert isinstance(url, QLineEdit)
        url.setText("http://localhost:11434/v1")
        model = d.editor("llm.model")
        assert isinstance(model, QComboBox)
        model.setEditText("llama3.2")
        signature = d.editor("outreach.signature")
        assert isinstance(signature, QPlainTextEdit)
        signature.setPlainText("Best,\n{owner}")
        voice = d.editor("outreach.brand_voice")
        assert isinstance(voice, QPlainTextEdit)
        voice.setPlainText("Plain and warm.")
        return True

    in_a = controller_for(qtbot, jobs, a, set_provider)
    with qtbot.waitSignal(in_a.settings_saved, timeout=30_000):
        in_a.open()
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    assert personal_path().is_file()

    seen: dict[str, object] = {}

    def look(d: SettingsDialog) -> bool:
        seen.update(d.values())
        return False

    in_b = controller_for(qtbot, jobs, b, look)
    in_b.open()
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    assert seen["llm.preset"] == "ollama"
    assert seen["llm.base_url"] == "http://localhost:11434/v1"
    assert seen["llm.model"] == "llama3.2"
    assert seen["outreach.signature"] == "Best,\n{owner}"
    # The brand voice is the workspace's: B has its own (none).
    assert seen["outreach.brand_voice"] == ""

    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", b.url, "config", "show", "--sources"], out=out, err=err) == 0
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    assert '"ollama"' in lines["llm.preset"]
    assert "your own setting (every workspace)" in lines["llm.preset"]
    assert '"llama3.2"' in lines["llm.model"]
    assert lines["outreach.brand_voice"].split()[1] == '""'
