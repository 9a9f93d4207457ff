"""A workspace of one's own, from the window: File ▸ New workspace…, the first-run
welcome (the demo or an empty workspace), the getting-started checklist, and File ▸ Who
I am… (the actor of what the user does, and whom Mine means)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel

from app.gui.application import GuiController
from app.gui.context import WindowContext
from app.gui.demo_workspace import first_launch_needs_demo
from app.gui.digest_controller import DigestController
from app.workspace import default_workspace_path, to_url, workspace_exists
from services.core.profile import load_profile
from services.importing.service import run_import
from tests.support.paths import DATA as TEST_DATA
from views.workspace.identity_dialog import IdentityAnswer
from views.workspace.welcome_dialog import WELCOME_DEMO, WELCOME_EMPTY

DATA = TEST_DATA / "samples" / "generic"
ALL_STEPS = ["customers", "orders", "score", "identity", "drafting"]
TIMEOUT_MS = 60_000


class Identity:
    """Answers Who I am like a user would, and remembers what it was offered."""

    def __init__(self, name: str, email: str) -> None:
        self.answer: IdentityAnswer | None = IdentityAnswer(name, email)
        self.offered: list[list[str]] = []

    def __call__(
        self, _name: str, _email: str, owners: Sequence[str], _account: str | None
    ) -> IdentityAnswer | None:
        self.offered.append(list(owners))
        return self.answer


def wait_checklist(qtbot, controller: GuiController, done: set[str]) -> None:
    """The card shows exactly these steps as done, and nothing is in flight."""
    card = controller.workspaces.card
    qtbot.waitUntil(
        lambda: set(card.done_keys()) == done and controller.jobs.is_idle(), timeout=TIMEOUT_MS
    )


def audit_actors(path: Path, action: str) -> list[str]:
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT actor FROM audit_events WHERE action = ?", (action,))
        return [row[0] for row in rows]


# -- File ▸ New workspace… ------------------------------------------------------------------


def test_new_workspace_creates_an_empty_file_opens_it_and_shows_the_checklist(
    qtbot, make_gui, tmp_path: Path
) -> None:
    controller = make_gui(ask_new_workspace_path=lambda: str(tmp_path / "acme"))
    window = controller.window
    window.show()
    menu = controller.workspaces.menu
    assert menu.new_action.shortcut().toString() == "Ctrl+Shift+N"
    assert window.menus.file_menu.actions()[0] is menu.new_action
    menu.new_action.trigger()
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=TIMEOUT_MS)
    target = tmp_path / "acme.radar.sqlite"
    assert controller.workspace is not None
    assert controller.workspace.path == target
    assert workspace_exists(to_url(str(target)))
    card = controller.workspaces.card
    qtbot.waitUntil(card.isVisible, timeout=TIMEOUT_MS)
    wait_checklist(qtbot, controller, set())
    assert card.pending_keys() == ALL_STEPS
    assert sorted(card.buttons) == sorted(ALL_STEPS)
    assert card.progress.text() == "0 of 5 done"
    qtbot.waitUntil(lambda: window.summary is not None, timeout=TIMEOUT_MS)
    assert window.summary is not None
    assert (window.summary.customers, window.summary.is_demo) == (0, False)
    assert not window.demo_banner.isVisible()
    assert "acme.radar.sqlite" in window.windowTitle()
    with sqlite3.connect(target) as con:
        assert con.execute("SELECT COUNT(*) FROM customers").fetchone() == (0,)
    # The Customers tab says how to fill it (not how to make a demo).
    qtbot.waitUntil(lambda: window.customers_pane.empty_label.text() != "", timeout=TIMEOUT_MS)
    assert "Import your customers" in window.customers_pane.empty_label.text()
    assert "Ctrl+I" in window.customers_pane.empty_label.text()
    assert "demo" not in window.customers_pane.empty_label.text()
    # "Since yesterday" does not pop up over the checklist of a workspace with no customers.
    morning = DigestController(
        WindowContext(controller.jobs, window, lambda: controller.workspace),
        QSettings(str(tmp_path / "digest.ini"), QSettings.Format.IniFormat),
    )
    morning.workspace_opened()
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(100)
    assert morning.dialog is None
    assert card.isVisible()


@pytest.mark.presents_errors
def test_new_workspace_refuses_an_existing_file_and_leaves_it_alone(
    qtbot, make_gui, tmp_path: Path, presented_errors: list[str]
) -> None:
    mine = tmp_path / "mine.radar.sqlite"
    mine.write_bytes(b"my notes, not a workspace")
    controller = make_gui(ask_new_workspace_path=lambda: str(mine))
    controller.window.show()
    controller.workspaces.menu.new_action.trigger()
    qtbot.waitUntil(lambda: bool(presented_errors), timeout=TIMEOUT_MS)
    (shown,) = presented_errors
    assert "already exists and was left as it is" in shown
    assert "new file name" in shown
    assert mine.read_bytes() == b"my notes, not a workspace"
    assert controller.workspace is None
    qtbot.waitUntil(controller.jobs.is_idle)


def test_the_demo_banner_points_at_new_workspace(qtbot, make_gui, demo_copy: Path) -> None:
    controller = make_gui()
    controller.window.show()
    controller.start(to_url(str(demo_copy)), first_launch_demo=False)
    qtbot.waitUntil(controller.window.demo_banner.isVisible, timeout=TIMEOUT_MS)
    label = controller.window.demo_banner.findChild(QLabel, "demoBannerText")
    assert label is not None
    assert "File ▸ New workspace…" in label.text()
    assert "File ▸ Open workspace…" in label.text()
    # A demo has no checklist.
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert controller.workspaces.steps == []
    assert not controller.workspaces.card.isVisible()


# -- first run ------------------------------------------------------------------------------


@pytest.fixture
def default_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user data folder (where the default workspace lives) moved under tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv("ACCOUNT_RADAR_DB", raising=False)
    path = default_workspace_path()
    assert str(path).startswith(str(tmp_path))
    return path


def test_first_run_start_with_my_data_makes_an_empty_default_workspace(
    qtbot, make_gui, default_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.gui import application as gui

    asked: list[str] = []

    def welcome() -> str:
        asked.append("welcome")
        return WELCOME_EMPTY

    made: list[GuiController] = []

    def fake_make_controller(
        _app: QApplication, _settings: QSettings, **_kwargs: object
    ) -> GuiController:
        controller = make_gui(welcome=welcome)
        made.append(controller)
        return controller

    # launch() as run_gui calls it, with no --db: the default workspace, which is missing.
    monkeypatch.setattr(gui, "make_controller", fake_make_controller)
    monkeypatch.setattr(gui.ErrorPresenter, "install_excepthook", lambda self: None)
    monkeypatch.setattr(gui, "_setup_logging", lambda: None)
    monkeypatch.setattr(gui, "route_qt_messages", lambda: None)
    gui.launch(None, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    (controller,) = made
    assert asked == ["welcome"]
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=TIMEOUT_MS)
    assert controller.workspace is not None
    assert controller.workspace.path == default_home
    wait_checklist(qtbot, controller, set())
    assert controller.workspaces.card.isVisible()
    assert not controller.progress_dialog
    with sqlite3.connect(default_home) as con:
        assert con.execute("SELECT COUNT(*) FROM customers").fetchone() == (0,)
    # The next launch finds it: no welcome again.
    assert not first_launch_needs_demo(to_url(str(default_home)))


def test_first_run_try_the_demo_builds_it(qtbot, make_gui, default_home: Path) -> None:
    controller = make_gui(welcome=lambda: WELCOME_DEMO)
    controller.window.show()
    url = to_url(str(default_home))
    controller.start(
        url, first_launch_demo=False, first_run=first_launch_needs_demo(url), demo_customers=120
    )
    qtbot.waitUntil(controller.window.demo_banner.isVisible, timeout=TIMEOUT_MS)
    # The table is read on the database worker after the workspace opens (first screenful,
    # then the whole table): the demo's customers arrive there.
    qtbot.waitUntil(
        lambda: controller.window.customers_pane.model.rowCount() == 120, timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert controller.window.customers_pane.model.rowCount() == 120
    assert not controller.workspaces.card.isVisible()


def test_a_db_given_on_the_command_line_is_never_a_first_run(
    qtbot, make_gui, default_home: Path, tmp_path: Path
) -> None:
    asked: list[str] = []
    controller = make_gui(welcome=lambda: asked.append("welcome") or WELCOME_DEMO)
    url = to_url(str(tmp_path / "given.radar.sqlite"))
    controller.start(url, first_launch_demo=False, first_run=first_launch_needs_demo(url))
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=TIMEOUT_MS)
    assert asked == []
    assert not default_home.exists()
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


# -- the checklist --------------------------------------------------------------------------


def test_the_checklist_follows_imports_scoring_identity_and_drafting(
    qtbot, make_gui, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = Identity("Ana Lopez", "ana.lopez@example.com")
    controller = make_gui(
        ask_new_workspace_path=lambda: str(tmp_path / "mine.radar.sqlite"),
        ask_identity=identity,
    )
    controller.window.show()
    controller.workspaces.menu.new_action.trigger()
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=TIMEOUT_MS)
    wait_checklist(qtbot, controller, set())
    workspace = controller.workspace
    assert workspace is not None
    card = controller.workspaces.card

    # Customers, then orders, through the import service; the import controller says
    # the workspace changed, as after any import.
    assert run_import(workspace.engine, [DATA / "customers.csv"]).landed
    controller.imports.workspace_changed.emit()
    wait_checklist(qtbot, controller, {"customers"})
    assert run_import(workspace.engine, [DATA / "orders.csv"]).landed
    controller.imports.workspace_changed.emit()
    wait_checklist(qtbot, controller, {"customers", "orders"})

    # Score now, from the card's own button (today, the workspace's horizon).
    controller.scoring.ask_parameters = lambda defaults: defaults
    with qtbot.waitSignal(controller.scoring.scoring_finished, timeout=TIMEOUT_MS):
        card.buttons["score"].click()
    wait_checklist(qtbot, controller, {"customers", "orders", "score"})

    # Who I am, from the card: saved in the profile, offered the workspace's owners.
    card.buttons["identity"].click()
    wait_checklist(qtbot, controller, {"customers", "orders", "score", "identity"})
    assert identity.offered
    assert load_profile().profile.name == "Ana Lopez"

    # Set up…: Settings opens on its Email drafting page.
    pages: list[str] = []

    def show(dialog) -> bool:
        pages.append(dialog.current_group())
        return False

    controller.settings._show = show
    card.buttons["drafting"].click()
    qtbot.waitUntil(lambda: pages == ["Email drafting"], timeout=TIMEOUT_MS)
    # A provider from the environment counts as set up; then every step is done and
    # the card goes away.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_MODEL", "tiny")
    controller.workspaces.refresh_checklist()
    qtbot.waitUntil(lambda: not card.isVisible() and controller.jobs.is_idle(), timeout=TIMEOUT_MS)
    assert all(step.done for step in controller.workspaces.steps)
    # Help ▸ Getting started shows it again, complete.
    controller.workspaces.menu.checklist_action.trigger()
    qtbot.waitUntil(card.isVisible, timeout=TIMEOUT_MS)
    assert card.progress.text() == "5 of 5 done"
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


def test_hide_for_now_is_remembered_until_help_shows_it(
    qtbot, make_gui, tmp_path: Path, ui_settings: QSettings
) -> None:
    path = tmp_path / "mine.radar.sqlite"
    controller = make_gui(ask_new_workspace_path=lambda: str(path))
    controller.window.show()
    controller.workspaces.menu.new_action.trigger()
    card = controller.workspaces.card
    qtbot.waitUntil(card.isVisible, timeout=TIMEOUT_MS)
    card.hide_button.click()
    assert not card.isVisible()
    # Opened again later: still hidden.
    controller.open_url(to_url(str(path)))
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert not card.isVisible()
    assert controller.workspaces.steps  # read, just not shown
    controller.workspaces.menu.checklist_action.trigger()
    qtbot.waitUntil(card.isVisible, timeout=TIMEOUT_MS)
    controller.open_url(to_url(str(path)))
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert card.isVisible()


# -- who I am -------------------------------------------------------------------------------


@pytest.fixture
def alerts_copy(alerts_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "alerts.radar.sqlite"
    shutil.copy(alerts_file, target)
    return target


def open_alerts(qtbot, controller: GuiController, path: Path) -> None:
    controller.window.show()
    controller.start(to_url(str(path)), first_launch_demo=False)
    view = controller.window.alerts_view
    qtbot.waitUntil(
        lambda: (
            view.action_pane.alert is not None
            and view.detail_pane.detail is not None
            and controller.jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def test_who_i_am_names_the_actor_of_alert_actions(qtbot, make_gui, alerts_copy: Path) -> None:
    identity = Identity("Ana Lopez", "ana.lopez@example.com")
    controller = make_gui(ask_identity=identity)
    open_alerts(qtbot, controller, alerts_copy)
    controller.workspaces.menu.identity_action.trigger()
    qtbot.waitUntil(lambda: load_profile().profile.is_set, timeout=TIMEOUT_MS)
    # The workspace's owners were offered to pick from.
    with sqlite3.connect(alerts_copy) as con:
        owners = sorted(r[0] for r in con.execute("SELECT DISTINCT owner FROM customers") if r[0])
    assert identity.offered == [owners]
    view = controller.window.alerts_view
    first = view.alerts_pane.current_alert_id
    view.action_pane.snooze("1w")
    qtbot.waitUntil(
        lambda: bool(audit_actors(alerts_copy, "alert.snoozed")) and controller.jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert first is not None
    # Every alert of the card (a card may hold two) snoozed in the user's name.
    assert set(audit_actors(alerts_copy, "alert.snoozed")) == {"Ana Lopez <ana.lopez@example.com>"}
    # The composer's From, when Sending email names none, is the user's own address.
    assert controller.workspaces.own_address() == "Ana Lopez <ana.lopez@example.com>"


def test_mine_asks_who_i_am_once_and_uses_the_identity_name(
    qtbot, make_gui, alerts_copy: Path
) -> None:
    with sqlite3.connect(alerts_copy) as con:
        owner, _count = con.execute(
            "SELECT c.owner, COUNT(*) FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.owner IS NOT NULL GROUP BY c.owner ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
    identity = Identity(owner, "")
    controller = make_gui(ask_identity=identity)
    open_alerts(qtbot, controller, alerts_copy)
    pane = controller.window.alerts_view.alerts_pane
    everyone = pane.model.rowCount()
    pane.mine_button.click()
    assert pane.mine_button.isChecked()
    assert len(identity.offered) == 1
    assert owner in identity.offered[0]
    assert load_profile().profile.name == owner
    assert pane.current_filter().mine_owner == owner
    assert 0 < pane.model.rowCount() < everyone
    # Asked once: the second time, Mine just filters.
    pane.mine_button.click()
    pane.mine_button.click()
    assert len(identity.offered) == 1
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


def test_the_identity_is_the_owner_mine_means_in_the_next_session(
    qtbot, make_gui, alerts_copy: Path
) -> None:
    from services.core.profile import Profile, save_profile

    save_profile(Profile("Nobody Here", "nobody@example.com"))
    asked = Identity("x", "")
    controller = make_gui(ask_identity=asked)
    open_alerts(qtbot, controller, alerts_copy)
    pane = controller.window.alerts_view.alerts_pane
    pane.mine_button.click()
    assert asked.offered == []  # not asked: the identity is known
    assert "Nobody Here" in pane.mine_button.toolTip()
    assert pane.model.rowCount() == 0  # no alert is owned by that name
    assert controller.workspaces.actor() == "Nobody Here <nobody@example.com>"
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


def test_the_composer_sends_from_the_identity_when_no_from_address_is_set(
    qtbot, make_gui, alerts_copy: Path
) -> None:
    from services.core.profile import Profile, save_profile
    from services.settings import set_settings
    from tests.gui.shell.test_undo import show_contactable_card
    from tests.support.memory_keyring import MemoryKeyring, installed_keyring

    save_profile(Profile("Ana Lopez", "ana.lopez@example.com"))
    controller = make_gui()
    open_alerts(qtbot, controller, alerts_copy)
    workspace = controller.workspace
    assert workspace is not None
    # An SMTP server with neither a From address nor a user name that is one.
    with workspace.sessions() as session, session.begin():
        set_settings(session, {"smtp.host": "127.0.0.1", "smtp.port": 2525})
    alert = show_contactable_card(qtbot, controller.window, controller.jobs)
    with installed_keyring(MemoryKeyring()):
        controller.composer.open(alert.id, alert.customer_id)
        dialog = controller.composer.dialog
        assert dialog is not None
        qtbot.waitUntil(lambda: bool(dialog.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
        smtp = controller.composer.smtp
        assert smtp is not None
        assert smtp.sender == "Ana Lopez <ana.lopez@example.com>"
        assert dialog.smtp_button.isEnabled()
        controller.composer.close()
        qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


def test_the_test_email_goes_from_the_identity_when_no_from_address_is_set() -> None:
    from app.gui.email_settings import send_test_email

    sent: list[object] = []

    def sender(host, port, security, user, secret, message) -> None:  # noqa: ANN001
        sent.append(message)

    values = {"smtp.host": "127.0.0.1", "smtp.port": 2525, "smtp.security": "none"}
    refused = send_test_email(values, sender=sender)
    assert not refused.ok
    assert "From address" in refused.text
    outcome = send_test_email(values, sender=sender, own_address="Ana Lopez <ana@example.com>")
    assert outcome.ok, outcome.text
    (message,) = sent
    assert message["From"] == "Ana Lopez <ana@example.com>"  # type: ignore[index]
    # A From address in the settings still wins.
    send_test_email(
        {**values, "smtp.from_address": "team@example.com"},
        sender=sender,
        own_address="Ana Lopez <ana@example.com>",
    )
    assert sent[1]["From"] == "team@example.com"  # type: ignore[index]


def test_a_damaged_profile_is_said_once_and_the_os_login_acts_meanwhile(
    qtbot, make_gui, tmp_path: Path
) -> None:
    from services.core.profile import os_login, profile_path

    profile_path().parent.mkdir(parents=True, exist_ok=True)
    profile_path().write_text("{half a file", encoding="utf-8")
    controller = make_gui(ask_new_workspace_path=lambda: str(tmp_path / "mine"))
    controller.window.show()
    assert controller.workspaces.actor() == os_login()
    controller.workspaces.menu.new_action.trigger()
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=TIMEOUT_MS)
    bar = controller.window.statusBar()
    qtbot.waitUntil(lambda: "is damaged" in bar.currentMessage(), timeout=TIMEOUT_MS)
    message = bar.currentMessage()
    assert "File ▸ Who I am…" in message
    # Saying who one is replaces the damaged file.
    controller.workspaces.set_identity(IdentityAnswer("Ana Lopez", ""))
    assert load_profile().profile.name == "Ana Lopez"
    assert controller.workspaces.actor() == "Ana Lopez"
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


def test_first_run_can_open_an_existing_workspace_or_start_with_none(
    qtbot, make_gui, default_home: Path, demo_copy: Path
) -> None:
    from views.workspace.welcome_dialog import WELCOME_NONE, WELCOME_OPEN

    url = to_url(str(default_home))
    closed = make_gui(welcome=lambda: WELCOME_NONE)
    closed.start(url, first_launch_demo=False, first_run=True)
    # Closed without a choice: nothing is made, the window says where to start.
    assert closed.workspace is None
    assert not default_home.exists()
    assert "File ▸ New workspace…" in closed.window.statusBar().currentMessage()

    opened = make_gui(welcome=lambda: WELCOME_OPEN, prompt_open_path=lambda: str(demo_copy))
    opened.start(url, first_launch_demo=False, first_run=True)
    qtbot.waitUntil(lambda: opened.workspace is not None, timeout=TIMEOUT_MS)
    assert opened.workspace is not None
    assert opened.workspace.path == demo_copy
    assert not default_home.exists()
    qtbot.waitUntil(opened.jobs.is_idle, timeout=TIMEOUT_MS)
