"""Start-up as run_gui does it: first launch builds the demo, failures are plain
choices, never tracebacks; and the frozen build's self-test."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import create_engine, text

from app.gui.application import (
    CHOICE_EMPTY,
    CHOICE_OPEN,
    CHOICE_QUIT,
    GuiController,
    make_controller,
)
from app.gui.demo_workspace import first_launch_needs_demo
from app.gui.selftest import run_self_test
from app.workspace import Workspace, open_workspace, to_url, workspace_exists
from views.shell.main_window import KEY_TAB, TAB_ALERTS, TAB_CUSTOMERS, TAB_DASHBOARD


class Chooser:
    """Answers the "what now?" question like a user would, and remembers it was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str, tuple[str, ...]]] = []

    def __call__(self, title: str, text: str, options: Sequence[str]) -> str:
        self.asked.append((title, text, tuple(options)))
        return self.answers.pop(0)


@pytest.fixture
def make_gui(
    qapp: QApplication, ui_settings: QSettings, presented_errors: list[str]
) -> Iterator[Callable[..., GuiController]]:
    made: list[GuiController] = []

    def make(**kwargs: object) -> GuiController:
        controller = make_controller(qapp, ui_settings, **kwargs)  # type: ignore[arg-type]
        controller.presenter.error_presented.connect(
            lambda title, text: presented_errors.append(f"{title}: {text}")
        )
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.shutdown()
        controller.window.close()
        controller.window.deleteLater()
        controller.deleteLater()


def populated(controller: GuiController) -> bool:
    window = controller.window
    return (
        window.customers_pane.model.rowCount() > 0
        and window.detail_pane.detail is not None
        and window.summary is not None
    )


def test_first_launch_is_detected_from_the_url(tmp_path: Path) -> None:
    url = to_url(str(tmp_path / "default.radar.sqlite"))
    assert first_launch_needs_demo(url, default_url=url)
    assert not first_launch_needs_demo(url, default_url=to_url(str(tmp_path / "other.sqlite")))
    (tmp_path / "default.radar.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert not first_launch_needs_demo(url, default_url=url)


def test_first_launch_builds_the_demo_with_progress_then_shows_it(
    qtbot, make_gui, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "default.radar.sqlite"
    url = to_url(str(path))
    controller = make_gui()
    controller.window.show()
    controller.start(url, first_launch_demo=first_launch_needs_demo(url, url), demo_customers=150)
    dialog = controller.progress_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.labelText().startswith("Building the demo workspace")
    qtbot.waitUntil(lambda: populated(controller), timeout=30_000)
    assert controller.progress_dialog is None
    window = controller.window
    assert window.customers_pane.model.rowCount() == 150
    assert window.summary is not None
    assert window.summary.is_demo
    assert window.demo_banner.isVisible()
    assert workspace_exists(url)
    assert sorted(p.name for p in path.parent.iterdir() if "building" in p.name) == []
    qtbot.waitUntil(controller.jobs.is_idle)
    # The demo opens scored: every customer has a churn risk to look at.
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(text("select count(*) from scoring_runs")).scalar_one()
            scored = conn.execute(text("select count(*) from score_snapshots")).scalar_one()
    finally:
        engine.dispose()
    assert (runs, scored) == (1, 150)


def test_cancelled_first_launch_leaves_nothing_and_asks_what_now(
    qtbot, make_gui, tmp_path: Path
) -> None:
    path = tmp_path / "default.radar.sqlite"
    chooser = Chooser(CHOICE_QUIT)
    controller = make_gui(choose=chooser)
    controller.window.show()
    controller.start(to_url(str(path)), first_launch_demo=True, demo_customers=3000)
    dialog = controller.progress_dialog
    assert dialog is not None
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button is not None
    assert cancel_button.text() == "Cancel"
    with qtbot.waitSignal(controller.quit_requested, timeout=30_000) as quit_signal:
        qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    assert quit_signal.args == [0]  # the user's own choice, not a failure
    assert chooser.asked
    assert chooser.asked[0][2] == (CHOICE_EMPTY, CHOICE_OPEN, CHOICE_QUIT)
    assert list(tmp_path.iterdir()) == []  # no half-built default workspace
    qtbot.waitUntil(controller.jobs.is_idle)


def test_a_file_that_is_not_a_workspace_gives_a_plain_choice(
    qtbot, make_gui, tmp_path: Path, demo_copy: Path
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("shopping list\n", encoding="utf-8")
    shown: list[str] = []
    chooser = Chooser(CHOICE_OPEN)
    controller = make_gui(choose=chooser, prompt_open_path=lambda: str(demo_copy))
    controller.presenter.error_presented.connect(lambda _title, text: shown.append(text))
    controller.window.show()
    controller.start(to_url(str(bogus)), first_launch_demo=False)
    qtbot.waitUntil(lambda: populated(controller), timeout=30_000)
    title, text, options = chooser.asked[0]
    assert options == (CHOICE_OPEN, CHOICE_QUIT)
    assert "not an Account Radar workspace" in text
    assert "Traceback" not in text
    assert shown == []  # an environment fault: no "something went wrong" box
    assert bogus.read_text(encoding="utf-8") == "shopping list\n"  # left untouched
    assert controller.window.workspace_label.text() == str(demo_copy)
    qtbot.waitUntil(controller.jobs.is_idle)


def test_quit_after_a_failed_open(qtbot, make_gui, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.radar.sqlite"
    folder.mkdir()
    chooser = Chooser(CHOICE_QUIT)
    controller = make_gui(choose=chooser)
    with qtbot.waitSignal(controller.quit_requested, timeout=10_000) as quit_signal:
        controller.start(to_url(str(folder)), first_launch_demo=False)
    assert "is a folder" in chooser.asked[0][1]
    assert quit_signal.args == [1]  # the process exits with 1 after a failed start
    qtbot.waitUntil(controller.jobs.is_idle)


def test_a_new_non_default_path_opens_an_empty_workspace(qtbot, make_gui, tmp_path: Path) -> None:
    url = to_url(str(tmp_path / "fresh.radar.sqlite"))
    controller = make_gui()
    controller.window.show()
    controller.start(url, first_launch_demo=first_launch_needs_demo(url, default_url="sqlite://"))
    qtbot.waitUntil(lambda: controller.window.summary is not None, timeout=20_000)
    assert controller.window.summary is not None
    assert controller.window.summary.customers == 0
    assert not controller.window.summary.is_demo
    qtbot.waitUntil(controller.jobs.is_idle)


def test_switching_workspaces_from_the_menu_signal(
    qtbot, make_gui, demo_copy: Path, tmp_path: Path
) -> None:
    controller = make_gui()
    controller.window.show()
    controller.start(to_url(str(tmp_path / "empty.radar.sqlite")), first_launch_demo=False)
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=20_000)
    first = controller.workspace
    controller.window.open_workspace_requested.emit(str(demo_copy))
    qtbot.waitUntil(
        lambda: populated(controller) and controller.workspace is not first, timeout=20_000
    )
    assert controller.window.customers_pane.model.rowCount() == 300
    qtbot.waitUntil(controller.jobs.is_idle)


def test_self_test_passes(capsys) -> None:
    assert run_self_test() == 0
    out = capsys.readouterr().out
    # From a checkout there is no bill of materials to name (a packaged build's is named
    # by its hash: tests/packaging/test_sbom.py), and it says so before the summary.
    sbom, summary = out.splitlines()[:2]
    assert sbom.startswith("software bill of materials: none (run from a checkout"), out
    assert re.match(
        r"self-test ok: 300 customers, [1-9]\d* alerts, a template email draft, window ", summary
    ), out
    # Then started again on the workspace it built, as main.py starts it, and it answered.
    assert "reopened: 300 customers on the existing workspace" in out, out


@pytest.mark.parametrize(
    ("logged", "code", "reason"),
    [
        ("WARNING qt [MainThread] WARNING: QApplication was not created in the main() thread.",
         0, "off the main thread"),
        ("WARNING qt [MainThread] QBasicTimer::start: Timers cannot be started from another thread",
         0, "off the main thread"),
        ("", 3, "failed (exit 3): self-test failed: the reopened window did not answer"),
    ],
)  # fmt: skip
def test_the_self_test_fails_when_the_reopened_window_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logged: str, code: int, reason: str
) -> None:
    """The second start's verdict: a Qt thread warning in its log, or its exit code."""
    import sys

    import app.gui.selftest as selftest

    script = tmp_path / "reopen.py"
    script.write_text(
        "import os, pathlib, sys\n"
        "log = pathlib.Path(os.environ['ACCOUNT_RADAR_LOG_DIR']) / 'account-radar.log'\n"
        "log.parent.mkdir(parents=True, exist_ok=True)\n"
        f"log.write_text({logged!r} + '\\n')\n"
        "print('self-test reopen ok: 300 customers on the existing workspace')\n"
        "print('self-test failed: the reopened window did not answer', file=sys.stderr)\n"
        f"sys.exit({code})\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(selftest, "relaunch_command", lambda *_a: [sys.executable, str(script)])
    with pytest.raises(RuntimeError, match=re.escape(reason)):
        selftest._reopen(tmp_path, tmp_path / "w.radar.sqlite")


def test_start_up_uses_the_preloaded_workspace_and_table(qtbot, make_gui, tmp_path: Path) -> None:
    from app.gui.preload import start_preload
    from app.workspace import open_workspace
    from services.demo import build_demo

    url = to_url(str(tmp_path / "pre.radar.sqlite"))

    ws = open_workspace(url)
    build_demo(ws.engine, customers=40, seed=2)
    ws.close()

    preload = start_preload(str(tmp_path / "pre.radar.sqlite"))
    assert preload is not None
    assert preload.url == url
    preloaded_workspace = preload.workspace.result(timeout=60)
    controller = make_gui(show_dialogs=False)
    controller.start(url, first_launch_demo=False, preload=preload)
    qtbot.waitUntil(lambda: populated(controller), timeout=20_000)
    # The window got the very workspace and table the preload opened and read.
    assert controller.workspace is preloaded_workspace
    assert preload.columns.done()
    assert controller.window.customers_pane.model.rowCount() == 40
    model = controller.window.customers_pane.model
    shown = sorted(model.customer_id(row) for row in range(model.rowCount()))
    assert shown == sorted(preload.columns.result()["id"].tolist())


def test_start_up_shows_the_saved_tab_at_once_and_the_other_screens_after_the_table(
    qtbot, make_gui, ui_settings: QSettings, tmp_path: Path
) -> None:
    from app.gui.preload import start_preload
    from app.workspace import open_workspace
    from services.demo import build_demo

    path = tmp_path / "pre.radar.sqlite"
    ws = open_workspace(to_url(str(path)))
    build_demo(ws.engine, customers=40, seed=2)
    ws.close()
    ui_settings.setValue(KEY_TAB, "dashboard")  # the tab open when the window last closed
    preload = start_preload(str(path))
    controller = make_gui(show_dialogs=False)
    window = controller.window
    seen: list[tuple[int, bool]] = []
    built: list[bool] = []

    def on_table_loaded(_rows: int) -> None:
        seen.append((window.tabs.currentIndex(), window.alert_source is None))
        built.append(window.screens_built)
        window.tabs.setCurrentIndex(TAB_CUSTOMERS)  # the user goes to the customers meanwhile

    window.customers_pane.table_loaded.connect(on_table_loaded)
    controller.start(to_url(str(path)), first_launch_demo=False, preload=preload)
    qtbot.waitUntil(
        lambda: populated(controller) and window.alert_source is not None, timeout=20_000
    )
    # The saved tab showed at once; the alerts were handed over once the table was shown.
    assert seen == [(TAB_DASHBOARD, True)]
    # Its screen (and the alerts', My work's) was built after the table, not before it.
    assert built == [False]
    assert window.tabs.widget(TAB_DASHBOARD).screen_widget is window.dashboard
    # The tab chosen while the table loaded stays, and is the one remembered.
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    assert ui_settings.value(KEY_TAB) == "customers"


@pytest.mark.parametrize("switch_to_alerts", [True, False])
def test_in_the_customers_tab_the_other_screens_wait_past_a_first_sort_then_come_with_their_alerts(
    qtbot, make_gui, ui_settings: QSettings, tmp_path: Path, switch_to_alerts: bool
) -> None:
    from app.gui.preload import start_preload
    from app.workspace import open_workspace
    from services.demo import build_demo

    path = tmp_path / "pre.radar.sqlite"
    ws = open_workspace(to_url(str(path)))
    build_demo(ws.engine, customers=40, seed=2)
    ws.close()
    ui_settings.setValue(KEY_TAB, "customers")  # where the user works
    preload = start_preload(str(path))
    controller = make_gui(show_dialogs=False)
    window = controller.window
    controller.start(to_url(str(path)), first_launch_demo=False, preload=preload)
    qtbot.waitUntil(
        lambda: window.customers_pane.model.rowCount() > 0 and window.alert_source is not None,
        timeout=20_000,
    )
    # The table is filled and the alerts are handed over (the detail pane's read may still
    # be running on a busy machine, past the screens' idle wait), but a first sort or
    # search in the table does not wait for the Alerts, Dashboard and My work screens.
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    assert not window.screens_built
    if switch_to_alerts:
        window.tabs.setCurrentIndex(TAB_ALERTS)  # built at once when their tab is shown
        assert window.screens_built
    else:  # or a moment later on their own
        qtbot.waitUntil(lambda: window.screens_built, timeout=10_000)
    # Either way they show the workspace's alerts (the list reads them from its source).
    assert window.tabs.widget(TAB_ALERTS).screen_widget is window.alerts_view
    assert window.alerts_view.alerts_pane._source is window.alert_source


def test_preload_skips_first_launch_and_bad_locations(tmp_path: Path) -> None:
    from app.gui.preload import start_preload

    assert start_preload(str(tmp_path / "missing.radar.sqlite")) is None
    assert start_preload("nonsense://::") is None


def test_a_bug_at_start_up_asks_one_question_and_exits_with_1(
    qtbot, make_gui, tmp_path: Path, presented_errors: list[str]
) -> None:
    def broken_open() -> Workspace:
        raise RuntimeError("a bug while opening")

    chooser = Chooser(CHOICE_QUIT)
    controller = make_gui(choose=chooser)
    controller.window.show()
    with qtbot.waitSignal(controller.quit_requested, timeout=10_000) as quit_signal:
        controller.open_url(
            to_url(str(tmp_path / "x.radar.sqlite")), startup=True, opener=broken_open
        )
    # One dialog: the question, which also says it was a bug and where the log is.
    assert len(chooser.asked) == 1
    assert "could not be opened" in chooser.asked[0][1]
    assert "Something went wrong" in chooser.asked[0][1]
    assert "Traceback" not in chooser.asked[0][1]
    assert presented_errors == []
    assert controller.presenter.current_box() is None
    assert quit_signal.args == [1]
    qtbot.waitUntil(controller.jobs.is_idle)


def test_launch_exits_with_1_when_the_user_quits_after_a_failed_start(
    qtbot, make_gui, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.gui import application as gui

    calls: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: calls.append(code)))
    folder = tmp_path / "a-folder.radar.sqlite"
    folder.mkdir()
    made: list[GuiController] = []

    def make_controller(app: QApplication, settings: QSettings, **kwargs: object) -> GuiController:
        controller = make_gui(choose=Chooser(CHOICE_QUIT), show_dialogs=False)
        made.append(controller)
        return controller

    monkeypatch.setattr(gui, "make_controller", make_controller)
    # launch() also sets up the process (log file, Qt message handler, excepthook):
    # not for a test process.
    monkeypatch.setattr(gui.ErrorPresenter, "install_excepthook", lambda self: None)
    monkeypatch.setattr(gui, "_setup_logging", lambda: None)
    monkeypatch.setattr(gui, "route_qt_messages", lambda: None)
    gui.launch(str(folder), QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.waitUntil(lambda: calls == [1], timeout=10_000)
    qtbot.waitUntil(made[0].jobs.is_idle)


def test_the_demo_never_replaces_real_data_and_says_so_in_window_words(
    qtbot, make_gui, tmp_path: Path, presented_errors: list[str]
) -> None:
    mine = tmp_path / "mine.radar.sqlite"
    workspace = open_workspace(to_url(str(mine)))
    workspace.close()
    with sqlite3.connect(mine) as con:
        columns = {row[1]: row for row in con.execute("PRAGMA table_info(customers)")}
        required = [n for n, r in columns.items() if r[3] and r[4] is None and not r[5]]
        values = {n: "x" for n in required}
        values["name"] = "My real customer"
        con.execute(
            f"INSERT INTO customers ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
    controller = make_gui(show_dialogs=False)
    controller.window.show()
    controller.start(to_url(str(tmp_path / "other.radar.sqlite")), first_launch_demo=False)
    qtbot.waitUntil(lambda: controller.workspace is not None, timeout=20_000)
    controller.window.demo_workspace_requested.emit(str(mine))
    qtbot.waitUntil(lambda: bool(presented_errors), timeout=30_000)
    (shown,) = presented_errors
    assert "your own data" in shown
    assert "--db" not in shown
    presented_errors.clear()  # expected
    with sqlite3.connect(mine) as con:
        assert con.execute("SELECT name FROM customers").fetchall() == [("My real customer",)]
    qtbot.waitUntil(controller.jobs.is_idle)


def test_draft_email_in_the_customers_tab_opens_the_composer_for_that_customer(
    qtbot, make_gui, demo_copy: Path
) -> None:
    controller = make_gui(show_dialogs=False)
    controller.window.show()
    controller.start(to_url(str(demo_copy)), first_launch_demo=False)
    qtbot.waitUntil(lambda: populated(controller), timeout=20_000)
    window = controller.window
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    detail = window.detail_pane
    qtbot.waitUntil(lambda: detail.draft_button.isVisible(), timeout=10_000)
    shown = detail.detail
    assert shown is not None
    # Pick one who may be written to without a question (not do not contact, not held out,
    # no quiet period or unsubscribe holding the email back).
    model = window.customers_pane.model
    ids = iter([model.customer_id(row) for row in range(model.rowCount())])
    while shown.do_not_contact or shown.holdout or shown.outreach_blocked:
        before = shown
        window.customers_pane.select_customer(next(i for i in ids if i != before.id))
        qtbot.waitUntil(lambda b=before: detail.detail is not b, timeout=10_000)
        shown = detail.detail
        assert shown is not None
    qtbot.waitUntil(detail.draft_button.isEnabled, timeout=10_000)
    detail.draft_button.click()
    composer = controller.composer
    qtbot.waitUntil(
        lambda: composer.dialog is not None and composer.request is not None, timeout=20_000
    )
    assert composer.request is not None
    assert composer.request.context.customer_id == shown.id
    composer.close()
    qtbot.waitUntil(controller.jobs.is_idle, timeout=20_000)
