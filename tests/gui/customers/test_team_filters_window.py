"""Team filters in the window, on a private copy of the scored demo workspace: the
Customers list's Views shares the view shown now with the team (asking before replacing
one), lists the team filters after the person's own views, marked as the team's, applies
one when chosen (the rows its members are), deletes one (asking) and restores it; a
person who may not change them sees the actions disabled with the reason. Settings ▸ Per
segment offers "Team filter" as a kind with the team filters' names, and says when a
rule names one that no longer exists."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.settings_controller import read_segment_page, validate_rules
from app.workspace import Workspace, open_workspace, to_url
from services.core.customer_filter import CustomerFilter
from services.segment_policy.team_filters import list_filters, members, save_filter
from services.settings import set_setting
from tests.gui.conftest import RecordingPresenter
from tests.gui.customers.test_customers_views import (
    choose,
    make_pane,
    settings_at,
    shown_ids,
)
from views.customers import pane as customers_pane
from views.customers.pane import CustomersPane
from views.kit.jobs import JobRunner
from views.kit.undo import UndoHistory
from views.settings.segment_page import SegmentPage

TEAM = "Team: "
TONE = "outreach.default_tone"
REFUSAL = "The team filters are changed by a team lead or an admin."


@pytest.fixture
def scored(alerts_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "scored.radar.sqlite"
    shutil.copy(alerts_file, target)
    workspace = open_workspace(to_url(str(target)), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture(autouse=True)
def _prepare_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customers_pane, "PREPARE_DELAY_MS", 0)


class Prompts:
    """The answers a person gives, and the questions asked."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.answers: list[bool] = []
        self.asked: list[str] = []
        self.errors: list[BaseException] = []

    def name(self, _suggested: str) -> str | None:
        return self.names.pop(0)

    def confirm(self, question: str) -> bool:
        self.asked.append(question)
        return self.answers.pop(0)


def _open(qtbot, jobs: JobRunner, tmp_path: Path, source: object, prompts: Prompts):  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, jobs, settings_at(tmp_path / "ui.ini"),
                     ask_view_name=prompts.name, confirm=prompts.confirm)  # fmt: skip
    pane.set_source(source)  # type: ignore[arg-type]
    qtbot.waitUntil(
        lambda: pane.model.rowCount() > 0 and pane.model.table.prepared and jobs.is_idle(),
        timeout=15_000,
    )
    return pane


def _items(pane: CustomersPane) -> list[str]:
    combo = pane.views_bar.combo
    return [combo.itemText(i) for i in range(combo.count())]


def _members(workspace: Workspace, name: str) -> set[int]:
    with workspace.sessions() as session:
        return {int(i) for i in members(session, [name])[name]}


def _choose_view(pane: CustomersPane, text: str) -> None:
    index = _items(pane).index(text)
    pane.views_bar.combo.setCurrentIndex(index)
    pane.views_bar.combo.activated.emit(index)


def test_share_list_apply_delete_and_restore_a_team_filter(
    qtbot, jobs: JobRunner, tmp_path: Path, scored: Workspace
) -> None:
    prompts = Prompts()
    pane = _open(qtbot, jobs, tmp_path, WorkspaceCustomerSource(scored), prompts)
    team = pane.views_bar.team
    assert team.share_action.isEnabled()
    assert not team.delete_action.isEnabled()  # no team filter chosen
    everyone = pane.model.rowCount()
    choose(pane.filter_bar.segment_combo, "Champions")
    pane.search_box.setText("a")
    qtbot.waitUntil(lambda: 0 < pane.model.rowCount() < everyone, timeout=10_000)
    shown = shown_ids(pane)

    prompts.names.append("Champions with an a")
    team.share_action.trigger()
    assert _items(pane)[-1] == TEAM + "Champions with an a"
    assert pane.views_bar.combo.currentText() == TEAM + "Champions with an a"
    assert _members(scored, "Champions with an a") == shown  # one definition, both sides
    assert team.delete_action.isEnabled()
    assert "Champions with an a" in team.delete_action.text()

    # Chosen from "All customers", the team filter brings its rows back.
    _choose_view(pane, "All customers")
    qtbot.waitUntil(lambda: pane.model.rowCount() == everyone, timeout=10_000)
    _choose_view(pane, TEAM + "Champions with an a")
    qtbot.waitUntil(lambda: shown_ids(pane) == shown, timeout=10_000)
    assert pane.search_box.text() == "a"

    # Sharing again under the same name asks first; "no" keeps the team's.
    choose(pane.filter_bar.segment_combo, "Loyal")
    prompts.names.append("champions WITH an a")
    prompts.answers.append(False)
    team.share_action.trigger()
    assert "Replace the team filter “Champions with an a”" in prompts.asked[-1]
    assert _members(scored, "Champions with an a") == shown

    # Deleting asks; "yes" deletes it for everyone, and Restore puts it back.
    _choose_view(pane, TEAM + "Champions with an a")
    qtbot.waitUntil(lambda: shown_ids(pane) == shown, timeout=10_000)
    prompts.answers.append(True)
    team.delete_action.trigger()
    assert "for everyone in the workspace" in prompts.asked[-1]
    with scored.sessions() as session:
        assert list_filters(session) == ()
    assert not any(item.startswith(TEAM) for item in _items(pane))
    assert team.restore_action.isVisible()
    team.restore_action.trigger()
    assert _members(scored, "Champions with an a") == shown
    assert _items(pane)[-1] == TEAM + "Champions with an a"
    assert not team.restore_action.isVisible()


def test_ctrl_z_puts_a_deleted_team_filter_back_where_it_stood(
    qtbot, jobs: JobRunner, presenter: RecordingPresenter, tmp_path: Path, scored: Workspace
) -> None:
    lost = CustomerFilter(segments=frozenset({"Lost"}))
    with scored.sessions() as session, session.begin():
        save_filter(session, "Lost ones", lost)
        save_filter(session, "Healthy", CustomerFilter(health=(70.0, 100.0)), "a")
        save_filter(session, "Last", CustomerFilter(health=(0.0, 20.0)))
    source = WorkspaceCustomerSource(scored)
    prompts = Prompts()
    pane = _open(qtbot, jobs, tmp_path, source, prompts)
    team = pane.views_bar.team
    history = UndoHistory(jobs, pane)
    history.set_undoer(source.undo_change)
    team.set_undo_history(history)
    healthy = _members(scored, "Healthy")

    _choose_view(pane, TEAM + "Healthy")
    prompts.answers.append(True)
    team.delete_action.trigger()
    with scored.sessions() as session:
        assert [f.name for f in list_filters(session)] == ["Lost ones", "Last"]
    assert history.last_label == "Deleted team filter “Healthy”"

    with qtbot.waitSignal(history.undone, timeout=30_000) as undone:
        history.undo_last()
    assert undone.args == ["Undone: deleted team filter “Healthy”"]
    with scored.sessions() as session:
        back = list_filters(session)
    assert [f.name for f in back] == ["Lost ones", "Healthy", "Last"]  # in its place
    assert back[1].search == "a"
    assert _members(scored, "Healthy") == healthy
    assert [i for i in _items(pane) if i.startswith(TEAM)] == [
        TEAM + "Lost ones", TEAM + "Healthy", TEAM + "Last",
    ]  # fmt: skip
    assert not team.restore_action.isVisible()  # nothing left to restore

    # Deleted again, and another shared under its name since: Ctrl+Z is refused in
    # words and changes nothing.
    _choose_view(pane, TEAM + "Lost ones")
    prompts.answers.append(True)
    team.delete_action.trigger()
    with scored.sessions() as session, session.begin():
        save_filter(session, "LOST ONES", CustomerFilter(health=(0.0, 50.0)))
    with qtbot.waitSignal(history.changed, timeout=30_000):
        history.undo_last()
    qtbot.waitUntil(lambda: bool(presenter.errors), timeout=10_000)
    (refused,) = presenter.take()
    assert "was shared since" in str(refused)
    with scored.sessions() as session:
        now = list_filters(session)
    assert [f.name for f in now] == ["Healthy", "Last", "LOST ONES"]
    assert now[2].filter == CustomerFilter(health=(0.0, 50.0))


class RefusedSource(WorkspaceCustomerSource):
    def team_refusal(self) -> str:
        return REFUSAL


def test_a_person_who_may_not_change_them_sees_why(
    qtbot, jobs: JobRunner, tmp_path: Path, scored: Workspace
) -> None:
    with scored.sessions() as session, session.begin():
        save_filter(session, "Lost ones", CustomerFilter(segments=frozenset({"Lost"})))
    pane = _open(qtbot, jobs, tmp_path, RefusedSource(scored), Prompts())
    team = pane.views_bar.team
    assert TEAM + "Lost ones" in _items(pane)  # listed and usable all the same
    _choose_view(pane, TEAM + "Lost ones")
    lost = _members(scored, "Lost ones")
    qtbot.waitUntil(lambda: shown_ids(pane) == lost, timeout=10_000)
    for action in (team.share_action, team.delete_action):
        assert not action.isEnabled()
        assert action.toolTip() == REFUSAL
    # Said in the menu itself too, as a greyed line.
    assert team.note_action.isVisible()
    assert team.note_action.text() == REFUSAL


def test_the_per_segment_page_offers_team_filters_and_says_when_one_is_gone(
    qtbot, scored: Workspace
) -> None:
    with scored.sessions() as session, session.begin():
        save_filter(session, "Big spenders", CustomerFilter(health=(70.0, 100.0)))
        set_setting(session, "segments.rules", [
            {"kind": "filter", "name": "Big spenders", "values": {TONE: "concise"}},
            {"kind": "filter", "name": "Gone", "values": {TONE: "friendly"}},
        ])  # fmt: skip
    parent = QWidget()
    qtbot.addWidget(parent)
    page = SegmentPage(read_segment_page(scored), validate_rules, parent)
    assert page.kind.findText("Team filter") >= 0
    cells = [str(page.model.index(r, 0).data()) for r in range(page.model.rowCount())]
    assert cells[0] == "1. Team filter: Big spenders"
    assert cells[1] == "2. No such team filter: Gone"
    page.table.selectRow(0)
    page.table.setCurrentIndex(page.model.index(0, 0))
    names = [page.segment_name.itemText(i) for i in range(page.segment_name.count())]
    assert names == ["Big spenders"]
