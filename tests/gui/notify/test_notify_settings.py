"""Settings ▸ Slack and Teams on real widgets: the webhook box and its checks, the keyring,
the IT lock, and the preview whose bytes a real webhook on loopback receives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from app.gui.notify_settings import NotifySettingsActions
from app.gui.settings_controller import setting_fields, validate
from app.workspace import Workspace, open_workspace, to_url
from services.core.credentials import clear_session_secrets, get_session_secret
from services.core.policy import reload_policy
from services.notify.log import posted_keys
from services.notify.run import read_setup
from services.notify.webhook import SECRET_NAME, url_hash
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.notify_book import fill_notify_book, webhook_server
from views.kit.jobs import JobRunner
from views.settings.dialog import SettingsDialog
from views.settings.notify_page import PostPreviewDialog

SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"
PAGE = "Slack and Teams"


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend
    clear_session_secrets()


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    fill_notify_book(workspace.engine)
    yield workspace
    workspace.close()


class Asked:
    """Answers the preview for the person, keeping what it showed."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.shown: list[tuple[str, str, str]] = []
        self.titles: list[str] = []

    def __call__(self, dialog: PostPreviewDialog) -> bool:
        where = dialog.findChild(QLabel, "postPreviewWhere")
        assert where is not None
        self.shown.append((where.text(), dialog.readable.toPlainText(), dialog.sent.toPlainText()))
        self.titles.append(dialog.windowTitle())
        return self.answer


@pytest.fixture
def make_dialog(qtbot, jobs: JobRunner, ws: Workspace) -> Iterator[Callable[..., SettingsDialog]]:
    def make(ask: Asked | None = None, **values: Any) -> SettingsDialog:
        fields = setting_fields()
        opened = {f.key: f.default for f in fields} | {
            k.replace("__", "."): v for k, v in values.items()
        }
        actions = NotifySettingsActions(jobs, lambda: ws, ask=ask or Asked(False))
        dialog = SettingsDialog(fields, opened, validate, notify=actions)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.show_group_named(PAGE)
        return dialog

    yield make
    qtbot.waitUntil(jobs.is_idle, timeout=20_000)


def _box(dialog: SettingsDialog) -> QLineEdit:
    box = dialog.findChild(QLineEdit, "notifyWebhookAddress")
    assert box is not None
    return box


def _label(dialog: SettingsDialog, name: str) -> QLabel:
    label = dialog.findChild(QLabel, name)
    assert label is not None
    return label


def _button(dialog: SettingsDialog, name: str) -> QPushButton:
    button = dialog.findChild(QPushButton, name)
    assert button is not None
    return button


def test_the_page_checks_the_address_as_it_is_typed(qtbot, make_dialog, keyring_backend) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog()
    assert PAGE in dialog.group_names
    qtbot.waitUntil(lambda: "No webhook is kept yet" in _label(dialog, "notifyState").text())
    assert _box(dialog).echoMode() == QLineEdit.EchoMode.Password  # a secret on screen too
    _box(dialog).setText("http://hooks.slack.com/services/T/B/X")
    assert "unencrypted" in _label(dialog, "notifyWhere").text()
    assert not _button(dialog, "notifyKeep").isEnabled()
    _box(dialog).setText("https://chat.corp.example/hooks/1")
    assert _label(dialog, "notifyWhere").text() == (
        "Posts go to chat.corp.example, which is not Slack's own server: check it is yours."
    )
    _box(dialog).setText(SLACK)
    assert _label(dialog, "notifyWhere").text() == "Posts go to Slack (hooks.slack.com)."
    service = dialog.editor("notify.service")
    assert isinstance(service, QComboBox)
    assert [service.itemText(i) for i in range(service.count())] == ["Slack", "Microsoft Teams"]


def test_keep_stores_the_address_in_the_keyring_only(qtbot, make_dialog, keyring_backend) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog()
    _box(dialog).setText(SLACK)
    _button(dialog, "notifyKeep").click()
    qtbot.waitUntil(lambda: "kept in the system keyring" in _label(dialog, "notifyState").text())
    assert keyring_backend.passwords[("Account Radar", SECRET_NAME)] == SLACK
    assert _box(dialog).text() == ""  # not left on screen
    assert "hooks.slack.com" in _label(dialog, "notifyState").text()
    assert "XXXX" not in _label(dialog, "notifyState").text()
    assert all(SLACK not in str(v) for v in dialog.changes().values())  # never a setting


def test_with_no_keyring_keep_holds_it_for_the_session_and_says_so(qtbot, make_dialog) -> None:  # type: ignore[no-untyped-def]
    with installed_keyring(keyring.backends.fail.Keyring()):
        try:
            dialog = make_dialog()
            qtbot.waitUntil(lambda: "no system keyring" in _label(dialog, "notifyState").text())
            _box(dialog).setText(SLACK)
            _button(dialog, "notifyKeep").click()
            state = _label(dialog, "notifyState")
            qtbot.waitUntil(lambda: "A webhook on hooks.slack.com" in state.text())
            assert "kept in memory for this session only" in state.text()
            assert get_session_secret(SECRET_NAME) == SLACK  # usable now, in no file
            assert all(SLACK not in str(v) for v in dialog.changes().values())
        finally:
            clear_session_secrets()


def test_the_service_and_toggles_lock_when_it_sets_them(
    qtbot, jobs, ws, tmp_path, monkeypatch, keyring_backend
) -> None:  # type: ignore[no-untyped-def]
    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps({"locked": {"notify.service": "teams", "notify.digest": False}}))
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    try:
        fields = {f.key: f for f in setting_fields()}
        assert fields["notify.service"].locked
        assert fields["notify.digest"].locked
        assert not fields["notify.critical"].locked
        assert read_setup(ws.engine).service == "teams"
        values = {k: f.default for k, f in fields.items()}
        actions = NotifySettingsActions(jobs, lambda: ws)
        dialog = SettingsDialog(list(fields.values()), values, validate, notify=actions)
        qtbot.addWidget(dialog)
        assert not dialog.editor("notify.service").isEnabled()
        assert "notify.service" not in dialog.changes()
        qtbot.waitUntil(jobs.is_idle, timeout=20_000)
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


@pytest.mark.parametrize("service", ["slack", "teams"])
def test_the_preview_shows_what_the_webhook_receives(
    qtbot, make_dialog, ws, keyring_backend, service
) -> None:  # type: ignore[no-untyped-def]
    asked = Asked(True)
    with webhook_server() as hook:
        keyring_backend.set_password("Account Radar", SECRET_NAME, hook.url)
        dialog = make_dialog(ask=asked, notify__service=service)
        _button(dialog, "notifyTest").click()
        qtbot.waitUntil(lambda: "Posted to Slack or Teams" in _label(dialog, "notifyState").text(),
                        timeout=10_000)  # fmt: skip
        received = list(hook.bodies)
    assert len(asked.shown) == 1
    where, readable, pretty = asked.shown[0]
    assert where.startswith("Posts go to 127.0.0.1")
    assert readable.startswith("Account Radar is connected\n")
    assert "Acme Ltd (Jane)" in readable
    assert len(received) == 1
    assert json.loads(received[0]) == json.loads(pretty)
    assert (
        json.dumps(json.loads(pretty), ensure_ascii=False, separators=(",", ":")).encode()
        == received[0]
    )
    # The test post is no alert's: a round still posts A afterwards.
    with ws.sessions() as session:
        assert posted_keys(session, url_hash(hook.url)) == set()


def test_cancel_sends_nothing(qtbot, make_dialog, keyring_backend) -> None:  # type: ignore[no-untyped-def]
    asked = Asked(False)
    with webhook_server() as hook:
        keyring_backend.set_password("Account Radar", SECRET_NAME, hook.url)
        dialog = make_dialog(ask=asked)
        _button(dialog, "notifyTest").click()
        qtbot.waitUntil(lambda: _label(dialog, "notifyState").text() == "Nothing was sent.")
        assert hook.bodies == []
    assert len(asked.shown) == 1


def test_the_preview_dialog_shows_both_sides(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = PostPreviewDialog("Before the first post", "Posts go to Slack (hooks.slack.com).",
                               "Title\n", '{\n  "text": "Title"\n}')  # fmt: skip
    qtbot.addWidget(dialog)
    assert dialog.readable.isReadOnly()
    assert dialog.sent.toPlainText() == '{\n  "text": "Title"\n}'
    assert dialog.send_button.text() == "Send"


def test_a_test_post_after_the_first_is_previewed_as_itself_with_the_bullets_sent(  # type: ignore[no-untyped-def]
    qtbot, make_dialog, keyring_backend
) -> None:
    """The first test post asks before the first post to the webhook; once approved, the
    next one's preview is titled as the post, and each says its lines with the "•" sent."""
    asked = Asked(True)
    with webhook_server() as hook:
        keyring_backend.set_password("Account Radar", SECRET_NAME, hook.url)
        dialog = make_dialog(ask=asked, notify__service="slack")
        state = _label(dialog, "notifyState")
        for sent in (1, 2):
            _button(dialog, "notifyTest").click()
            qtbot.waitUntil(lambda n=sent: len(hook.bodies) == n, timeout=10_000)
            qtbot.waitUntil(lambda: "Posted to Slack or Teams" in state.text(), timeout=10_000)
            state.setText("")
        received = [json.loads(body) for body in hook.bodies]
    assert asked.titles == [
        "Before the first post to this webhook",
        "Preview: Account Radar is connected",
    ]
    assert "before you approve it" in asked.shown[0][0]
    assert "before you approve it" not in asked.shown[1][0]
    for (_where, readable, _pretty), body in zip(asked.shown, received, strict=True):
        assert "\n• This is a test: alerts will be posted here" in readable
        assert "\n- " not in readable
        said = " ".join(b["text"]["text"] for b in body["blocks"] if b["type"] == "section")
        assert "• This is a test: alerts will be posted here" in said


def test_a_typed_address_is_kept_before_a_test_is_sent_to_it(  # type: ignore[no-untyped-def]
    qtbot, make_dialog, keyring_backend
) -> None:
    """A test post goes to the kept address only: with another one typed and not kept,
    the page says to keep it first, and nothing is asked or posted."""
    asked = Asked(True)
    with webhook_server() as hook:
        dialog = make_dialog(ask=asked)
        _box(dialog).setText(hook.url)
        _button(dialog, "notifyTest").click()
        assert "Keep the address you typed first" in _label(dialog, "notifyState").text()
        assert asked.shown == []
        assert hook.bodies == []
