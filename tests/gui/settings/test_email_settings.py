"""Settings ▸ Email drafting and Sending email, end to end: a real OpenAI-wire server on
loopback, the real client on the job runner's workers, an in-memory keyring (or none at
all), and a real workspace whose settings table must never see a secret."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import keyring.backends.fail
import keyring.errors
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from app.gui.context import WindowContext
from app.gui.email_settings import EmailSettingsActions, SecretsNotStored
from app.gui.settings_controller import SettingsController, setting_fields, validate
from app.workspace import Workspace
from services.core import credentials
from services.core.credentials import SERVICE, llm_key_name, resolve_api_key, smtp_key_name
from services.core.personal import personal_path
from services.llm import client as llm
from services.llm.providers import ProviderConfig
from services.mail.message import send_smtp
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.openai_server import FakeOpenAIServer
from tests.support.smtp_server import PASSWORD as SERVER_PASSWORD
from tests.support.smtp_server import USER as SERVER_USER
from tests.support.smtp_server import SMTPServer
from views.kit.jobs import JobRunner
from views.settings import email_pages as email_pages
from views.settings.dialog import SettingsDialog

KEY = "sk-test-Q7w9ZpL2xV4r"
WRONG_KEY = "sk-test-wrong-000000"
SMTP_PASSWORD = "hunter2-but-longer-Xk9"

Serve = Callable[..., FakeOpenAIServer]


@pytest.fixture(autouse=True)
def _clean_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    credentials.clear_session_secrets()
    yield
    credentials.clear_session_secrets()
    llm.close_clients()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def no_keyring() -> Iterator[keyring.backends.fail.Keyring]:
    with installed_keyring(keyring.backends.fail.Keyring()) as backend:
        yield backend


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Fake servers for one test; all stopped (threads joined) at its end."""
    servers: list[FakeOpenAIServer] = []

    def start(**behaviour: Any) -> FakeOpenAIServer:
        server = FakeOpenAIServer(**behaviour).start()
        servers.append(server)
        return server

    yield start
    llm.close_clients()
    for server in servers:
        server.stop()


class Recorder:
    """Wraps the real client calls and notes the thread each ran on."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def list_models(self, config: ProviderConfig, key: str | None) -> list[str]:
        self.threads.append(threading.current_thread())
        return llm.list_models(config, key)

    def test_connection(self, config: ProviderConfig, key: str | None) -> str:
        self.threads.append(threading.current_thread())
        return llm.test_connection(config, key)

    def send(self, *args: Any, **kwargs: Any) -> None:
        self.threads.append(threading.current_thread())
        send_smtp(*args, **kwargs)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_dialog(
    qtbot, jobs: JobRunner, recorder: Recorder
) -> Iterator[Callable[..., SettingsDialog]]:
    def make(**values: Any) -> SettingsDialog:
        opened = {f.key: f.default for f in setting_fields()}
        opened.update({k.replace("__", "."): v for k, v in values.items()})
        actions = EmailSettingsActions(
            jobs, lister=recorder.list_models, tester=recorder.test_connection, sender=recorder.send
        )
        d = SettingsDialog(setting_fields(), opened, validate, email=actions)
        qtbot.addWidget(d)
        d.show()
        d.show_group_named("Email drafting")
        return d

    yield make
    qtbot.waitUntil(jobs.is_idle, timeout=20_000)


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def choose(d: SettingsDialog, preset: str) -> None:
    combo = d.editor("llm.preset")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(preset))


def url_box(d: SettingsDialog) -> QLineEdit:
    box = d.editor("llm.base_url")
    assert isinstance(box, QLineEdit)
    return box


def model_box(d: SettingsDialog) -> QComboBox:
    box = d.editor("llm.model")
    assert isinstance(box, QComboBox)
    return box


def all_label_texts(widget: QWidget) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in widget.findChildren(QLabel))


# -- the provider and its address -----------------------------------------------------------


def test_choosing_a_preset_fills_its_address(make_dialog, memory_keyring) -> None:
    d = make_dialog()
    assert url_box(d).text() == ""
    expected = {
        "ollama": "http://localhost:11434/v1",
        "lmstudio": "http://localhost:1234/v1",
        "llamacpp": "http://localhost:8080/v1",
        "vllm": "http://localhost:8000/v1",
        "openai": "https://api.openai.com/v1",
    }
    for preset, url in expected.items():
        choose(d, preset)
        assert url_box(d).text() == url, preset
        assert d.value("llm.base_url") == url
    # Azure's address is the user's own resource: emptied, with a hint of its shape, and the
    # API version appears only for Azure.
    choose(d, "azure")
    assert url_box(d).text() == ""
    assert "openai.azure.com" in url_box(d).placeholderText()
    assert not d.field_block("llm.azure_api_version").isHidden()
    choose(d, "ollama")
    assert d.field_block("llm.azure_api_version").isHidden()


def test_an_openai_key_bound_for_another_host_is_warned_of_on_the_page(
    make_dialog, memory_keyring
) -> None:
    d = make_dialog(llm__preset="openai")
    tools = d.drafting
    assert tools is not None
    assert tools.key_box.warning.isHidden()
    url_box(d).setText("https://llm.example.net/v1")
    assert not tools.key_box.warning.isHidden()
    assert "llm.example.net" in tools.key_box.warning.text()
    assert tools.key_box.warning.property("tone") == "warning"
    url_box(d).setText("https://api.openai.com/v1")
    assert tools.key_box.warning.isHidden()
    choose(d, "ollama")  # no key goes anywhere: no warning
    assert tools.key_box.warning.isHidden()


def test_an_address_the_user_typed_is_kept(make_dialog, memory_keyring) -> None:
    d = make_dialog()
    choose(d, "vllm")
    url_box(d).setText("http://gpu-box.lan:8000/v1")
    model_box(d).setEditText("Qwen/Qwen2.5-7B-Instruct")
    assert url_box(d).text() == "http://gpu-box.lan:8000/v1"
    choose(d, "ollama")
    assert url_box(d).text() == "http://gpu-box.lan:8000/v1"
    assert d.value("llm.model") == "Qwen/Qwen2.5-7B-Instruct"
    assert d.changes()["llm.base_url"] == "http://gpu-box.lan:8000/v1"


def test_no_provider_greys_out_the_provider_tools(make_dialog, memory_keyring) -> None:
    d = make_dialog()
    assert d.value("llm.preset") == "none"
    tools = d.drafting
    assert tools is not None
    assert not tools.test_button.isEnabled()
    assert not tools.key.isEnabled()
    assert not url_box(d).isEnabled()
    choose(d, "ollama")
    assert tools.test_button.isEnabled()
    assert url_box(d).isEnabled()


# -- list models ----------------------------------------------------------------------------


def test_list_models_fills_the_model_box(
    qtbot, make_dialog, serve, recorder: Recorder, memory_keyring
) -> None:
    server = serve(models=["qwen2.5:7b", "llama3.2:latest"])
    d = make_dialog(llm__preset="other", llm__base_url=server.base_url)
    tools = d.drafting
    assert tools is not None
    assert model_box(d).count() == 0
    tools.list_button.click()
    qtbot.waitUntil(lambda: "found" in tools.models_status.text(), timeout=10_000)
    assert [model_box(d).itemText(i) for i in range(model_box(d).count())] == [
        "llama3.2:latest",
        "qwen2.5:7b",
    ]
    assert d.value("llm.model") == "llama3.2:latest"
    assert tools.models_status.text().startswith("2 models found")
    assert [r.path for r in server.requests] == ["/v1/models"]
    assert recorder.threads
    assert all(t is not threading.main_thread() for t in recorder.threads)


def test_list_models_says_so_when_the_server_lists_none(
    qtbot, make_dialog, serve, memory_keyring
) -> None:
    server = serve(models=None)  # /v1/models answers 404, as on some servers
    d = make_dialog(llm__preset="other", llm__base_url=server.base_url, llm__model="mine")
    tools = d.drafting
    assert tools is not None
    tools.list_button.click()
    qtbot.waitUntil(lambda: "lists no models" in tools.models_status.text(), timeout=10_000)
    assert "Type the model's name" in tools.models_status.text()
    assert model_box(d).count() == 0
    assert d.value("llm.model") == "mine"
    assert tools.list_button.isEnabled()


# -- test connection ------------------------------------------------------------------------


def test_test_connection_succeeds_on_a_worker_while_the_window_keeps_working(
    qtbot, make_dialog, serve, recorder: Recorder, memory_keyring
) -> None:
    server = serve(models=["test-model"], first_token_delay_s=0.4)
    d = make_dialog(llm__preset="other", llm__base_url=server.base_url, llm__model="test-model")
    tools = d.drafting
    assert tools is not None
    ticks: list[int] = []
    timer = QTimer(d)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    tools.test_button.click()
    assert not tools.test_button.isEnabled()
    assert tools.test_result.text() == "Testing…"
    # The event loop keeps turning while the server sits on the request.
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5_000)
    assert tools.test_result.text() == "Testing…"
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    timer.stop()
    assert tools.test_result.text().startswith(f"Connected to {server.base_url}")
    assert "test-model" in tools.test_result.text()
    assert tools.test_result.property("tone") == "positive"
    assert recorder.threads
    assert all(t is not threading.main_thread() for t in recorder.threads)
    assert len(server.chat_requests) == 1


def test_a_wrong_key_shows_the_bad_key_message(qtbot, make_dialog, serve, memory_keyring) -> None:
    server = serve(api_key=KEY)
    d = make_dialog(llm__preset="openai", llm__base_url=server.base_url, llm__model="test-model")
    tools = d.drafting
    assert tools is not None
    tools.key.setText(WRONG_KEY)
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    assert "refused the API key (401)" in tools.test_result.text()
    assert tools.test_result.property("tone") == "critical"
    assert server.requests[0].headers["authorization"] == f"Bearer {WRONG_KEY}"
    # Testing a typed key does not store it.
    assert memory_keyring.passwords == {}
    # The right key passes.
    tools.key.setText(KEY)
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    assert tools.test_result.text().startswith("Connected to")


def test_nothing_listening_says_nothing_is_answering(qtbot, make_dialog, memory_keyring) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    d = make_dialog(llm__preset="llamacpp", llm__base_url=url, llm__model="m")
    tools = d.drafting
    assert tools is not None
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=15_000)
    assert f"Nothing is answering at {url}" in tools.test_result.text()
    assert "llama-server" in tools.test_result.text()  # how to start that server


def test_missing_address_or_model_is_said_before_any_request(
    qtbot, make_dialog, memory_keyring
) -> None:
    d = make_dialog(llm__preset="azure", llm__model="drafts")
    tools = d.drafting
    assert tools is not None
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=5_000)
    assert "Azure OpenAI resource endpoint" in tools.test_result.text()
    choose(d, "ollama")
    model_box(d).setEditText("")
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=5_000)
    assert "Choose a model first" in tools.test_result.text()


# -- the API key ----------------------------------------------------------------------------


def test_local_presets_need_no_key(qtbot, make_dialog, memory_keyring) -> None:
    d = make_dialog(llm__preset="ollama", llm__base_url="http://localhost:11434/v1")
    tools = d.drafting
    assert tools is not None
    assert tools.key_box.note.text() == "No key needed for a server on this computer."
    choose(d, "openai")
    assert "OPENAI_API_KEY" in tools.key_box.note.text()
    assert "keyring" in tools.key_box.note.text()


def test_the_page_says_where_the_key_comes_from_never_the_key(
    qtbot, make_dialog, memory_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = make_dialog(llm__preset="openai")
    tools = d.drafting
    assert tools is not None
    qtbot.waitUntil(lambda: tools.key_box.state.text() == "No key is stored yet.", timeout=5_000)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    tools.refresh_key_state()
    qtbot.waitUntil(lambda: "environment variable" in tools.key_box.state.text(), timeout=5_000)
    assert "OPENAI_API_KEY" in tools.key_box.state.text()
    memory_keyring.passwords[(SERVICE, llm_key_name("openai"))] = "sk-from-keyring-123"
    tools.refresh_key_state()
    qtbot.waitUntil(lambda: "system keyring" in tools.key_box.state.text(), timeout=5_000)
    shown = all_label_texts(d)
    assert KEY not in shown
    assert "sk-from-keyring-123" not in shown
    assert tools.key_box.problem.isHidden()
    assert tools.key_box.session_button.isHidden()


def test_without_a_keyring_the_page_says_so_and_session_only_works(
    qtbot, make_dialog, no_keyring
) -> None:
    d = make_dialog(llm__preset="openai")
    tools = d.drafting
    assert tools is not None
    box = tools.key_box
    qtbot.waitUntil(lambda: not box.problem.isHidden(), timeout=5_000)
    assert "No system keyring is available" in box.problem.text()
    assert "OPENAI_API_KEY" in box.problem.text()
    assert not box.session_button.isHidden()
    tools.key.setText(KEY)
    box.session_button.click()
    assert tools.key.text() == ""
    assert d.pending_secrets() == {}
    assert resolve_api_key(llm_key_name("openai")) == (KEY, "session")
    qtbot.waitUntil(lambda: "this session only" in box.state.text(), timeout=5_000)


def save_through_the_controller(
    qtbot,
    jobs: JobRunner,
    workspace: Workspace,
    fill: Callable[[SettingsDialog], None],
) -> SettingsController:
    parent = QWidget()
    qtbot.addWidget(parent)

    def answer(d: SettingsDialog) -> bool:
        fill(d)
        assert d.problems() == {}
        return True

    controller = SettingsController(
        WindowContext(jobs, parent, lambda: workspace), user=lambda: "dana.tester", show=answer
    )
    with qtbot.waitSignal(controller.settings_saved, timeout=30_000):
        controller.open()
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    return controller


def database_text(workspace: Workspace) -> str:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        settings = con.execute("SELECT key, value FROM settings").fetchall()
        audit = con.execute("SELECT details FROM audit_events").fetchall()
    finally:
        con.close()
    return "\n".join(str(v) for row in settings + audit for v in row)


def test_save_puts_the_key_in_the_keyring_and_nowhere_in_the_workspace(
    qtbot, jobs: JobRunner, demo_workspace: Workspace, memory_keyring
) -> None:
    def fill(d: SettingsDialog) -> None:
        choose(d, "openai")
        model_box(d).setEditText("gpt-4o-mini")
        assert d.drafting is not None
        d.drafting.key.setText(KEY)

    save_through_the_controller(qtbot, jobs, demo_workspace, fill)
    assert memory_keyring.passwords == {(SERVICE, llm_key_name("openai")): KEY}
    stored = database_text(demo_workspace)
    # The provider is the person's own: kept in their settings file, not the workspace.
    own = personal_path().read_text(encoding="utf-8")
    assert "gpt-4o-mini" in own
    assert "https://api.openai.com/v1" in own
    assert "gpt-4o-mini" not in stored
    assert KEY not in stored
    assert KEY not in own


def test_a_refused_key_is_reported_and_the_settings_are_saved_anyway(
    qtbot, jobs: JobRunner, presenter, demo_workspace: Workspace, no_keyring
) -> None:
    def fill(d: SettingsDialog) -> None:
        choose(d, "openai")
        model_box(d).setEditText("gpt-4o-mini")
        assert d.drafting is not None
        d.drafting.key.setText(KEY)

    save_through_the_controller(qtbot, jobs, demo_workspace, fill)
    errors = presenter.take()
    assert len(errors) == 1
    assert isinstance(errors[0], SecretsNotStored)
    assert "API key was not stored" in str(errors[0])
    assert "No system keyring" in str(errors[0])
    assert KEY not in str(errors[0])
    own = personal_path().read_text(encoding="utf-8")
    assert "gpt-4o-mini" in own
    assert KEY not in database_text(demo_workspace)
    assert KEY not in own


# -- sending email --------------------------------------------------------------------------


def test_the_smtp_password_goes_to_the_keyring_under_server_and_user(
    qtbot, jobs: JobRunner, demo_workspace: Workspace, memory_keyring
) -> None:
    def fill(d: SettingsDialog) -> None:
        d.show_group_named("Sending email")
        d.editor("smtp.host").setText("SMTP.Example.com")  # type: ignore[attr-defined]
        d.editor("smtp.user").setText("ana@example.com")  # type: ignore[attr-defined]
        assert d.sending is not None
        d.sending.password.setText(SMTP_PASSWORD)

    save_through_the_controller(qtbot, jobs, demo_workspace, fill)
    name = smtp_key_name("SMTP.Example.com", "ana@example.com")
    assert memory_keyring.passwords == {(SERVICE, name): SMTP_PASSWORD}
    stored = database_text(demo_workspace)
    own = personal_path().read_text(encoding="utf-8")
    assert "smtp.example.com" in own.lower()
    assert "smtp.example.com" not in stored.lower()
    assert SMTP_PASSWORD not in stored
    assert SMTP_PASSWORD not in own


def test_a_password_without_a_server_is_refused(qtbot, make_dialog, memory_keyring) -> None:
    d = make_dialog()
    d.show_group_named("Sending email")
    assert d.sending is not None
    d.sending.password.setText(SMTP_PASSWORD)
    with qtbot.assertNotEmitted(d.accepted):
        d.buttons.button(d.buttons.StandardButton.Save).click()
    assert d.current_group() == "Sending email"
    assert "SMTP server" in d._errors["smtp.host"].text()


def test_the_sending_page_shows_a_stored_password_and_follows_the_security_mode(
    qtbot, make_dialog, memory_keyring
) -> None:
    memory_keyring.passwords[(SERVICE, smtp_key_name("smtp.example.com", "ana"))] = "x"
    d = make_dialog(smtp__host="smtp.example.com", smtp__user="ana")
    assert d.sending is not None
    box = d.sending.password_box
    qtbot.waitUntil(lambda: "stored in the system keyring" in box.state.text(), timeout=5_000)
    security, port = d.editor("smtp.security"), d.editor("smtp.port")
    assert isinstance(security, QComboBox)
    assert isinstance(port, QSpinBox)
    security.setCurrentIndex(security.findData("ssl"))
    assert port.value() == 465
    port.setValue(2525)  # the user's own port stays
    security.setCurrentIndex(security.findData("starttls"))
    assert port.value() == 2525


def test_smtp_session_only_without_a_keyring(qtbot, make_dialog, no_keyring) -> None:
    d = make_dialog(smtp__host="smtp.example.com", smtp__user="ana")
    assert d.sending is not None
    box = d.sending.password_box
    qtbot.waitUntil(lambda: not box.problem.isHidden(), timeout=5_000)
    assert "No system keyring" in box.problem.text()
    assert "OPENAI_API_KEY" not in box.problem.text()
    d.sending.password.setText(SMTP_PASSWORD)
    box.session_button.click()
    name = smtp_key_name("smtp.example.com", "ana")
    assert credentials.resolve_secret(name) == (SMTP_PASSWORD, "session")
    assert d.pending_secrets() == {}


def test_no_keyring_matters_for_a_local_server_only_once_a_key_is_typed(
    qtbot, make_dialog, no_keyring
) -> None:
    d = make_dialog(llm__preset="ollama", llm__base_url="http://localhost:11434/v1")
    tools = d.drafting
    assert tools is not None
    box = tools.key_box
    qtbot.waitUntil(lambda: tools._state is not None, timeout=5_000)
    assert box.problem.isHidden()
    assert box.session_button.isHidden()
    tools.key.setText("local-secret")
    assert not box.problem.isHidden()
    assert not box.session_button.isHidden()
    assert "cannot be stored" in box.state.text()


# -- forgetting a stored secret -------------------------------------------------------------


class LockedOnDelete(MemoryKeyring):
    """Reads fine, but will not delete: a keyring that stays locked when asked to."""

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


def answer_forget(monkeypatch: pytest.MonkeyPatch, answer: bool) -> list[str]:
    """Make the "Forget the …" question answer ``answer``; returns what was asked about."""
    asked: list[str] = []

    def confirm(_parent: QWidget, words: str) -> bool:
        asked.append(words)
        return answer

    monkeypatch.setattr(email_pages, "confirm_forget", confirm)
    return asked


def test_forget_removes_the_stored_key_after_asking(
    qtbot, make_dialog, memory_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = (SERVICE, llm_key_name("openai"))
    memory_keyring.passwords[name] = KEY
    d = make_dialog(llm__preset="openai")
    tools = d.drafting
    assert tools is not None
    box = tools.key_box
    qtbot.waitUntil(lambda: "system keyring" in box.state.text(), timeout=5_000)
    assert not box.forget_button.isHidden()

    asked = answer_forget(monkeypatch, False)
    box.forget_button.click()
    assert asked == ["API key"]
    assert memory_keyring.passwords[name] == KEY  # cancelled: nothing removed

    answer_forget(monkeypatch, True)
    box.forget_button.click()
    qtbot.waitUntil(lambda: box.state.text() == "No key is stored yet.", timeout=5_000)
    assert name not in memory_keyring.passwords
    assert box.forget_button.isHidden()
    assert resolve_api_key(llm_key_name("openai")) == (None, "none")


def test_a_key_from_the_environment_cannot_be_forgotten_here(
    qtbot, make_dialog, memory_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    d = make_dialog(llm__preset="openai")
    tools = d.drafting
    assert tools is not None
    qtbot.waitUntil(lambda: "environment variable" in tools.key_box.state.text(), timeout=5_000)
    assert tools.key_box.forget_button.isHidden()


def test_forget_drops_a_password_held_for_this_session(
    qtbot, make_dialog, no_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = smtp_key_name("smtp.example.com", "ana")
    credentials.set_session_secret(name, SMTP_PASSWORD)
    d = make_dialog(smtp__host="smtp.example.com", smtp__user="ana")
    d.show_group_named("Sending email")
    assert d.sending is not None
    box = d.sending.password_box
    qtbot.waitUntil(lambda: "this session only" in box.state.text(), timeout=5_000)
    asked = answer_forget(monkeypatch, True)
    box.forget_button.click()
    assert asked == ["SMTP password"]
    qtbot.waitUntil(lambda: "No password is stored" in box.state.text(), timeout=5_000)
    assert credentials.resolve_secret(name) == (None, "none")
    assert box.forget_button.isHidden()


def test_a_keyring_that_will_not_delete_says_so_and_keeps_the_key(
    qtbot, make_dialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    with installed_keyring(LockedOnDelete()) as locked:
        name = (SERVICE, llm_key_name("openai"))
        locked.passwords[name] = KEY
        d = make_dialog(llm__preset="openai")
        tools = d.drafting
        assert tools is not None
        box = tools.key_box
        qtbot.waitUntil(lambda: "system keyring" in box.state.text(), timeout=5_000)
        answer_forget(monkeypatch, True)
        box.forget_button.click()
        qtbot.waitUntil(lambda: "was not removed" in box.state.text(), timeout=5_000)
        assert "Unlock the keyring" in box.state.text()
        assert box.state.property("tone") == "critical"
        assert box.forget_button.isEnabled()
        assert not box.forget_button.isHidden()
        assert locked.passwords[name] == KEY


# -- a test email ---------------------------------------------------------------------------


def sending_dialog(make_dialog, port: int, **values: Any) -> SettingsDialog:
    given: dict[str, Any] = {
        "smtp__host": "127.0.0.1",
        "smtp__port": port,
        "smtp__security": "none",  # a relay on this computer: the one place login may be plain
        "smtp__user": SERVER_USER,
        "smtp__from_address": "Maya Thompson <maya@fern.example>",
    }
    d = make_dialog(**(given | values))
    d.show_group_named("Sending email")
    return d


def test_send_a_test_email_goes_to_the_from_address_on_a_worker(
    qtbot, make_dialog, memory_keyring, recorder: Recorder
) -> None:
    with SMTPServer() as smtp:
        d = sending_dialog(make_dialog, smtp.port)
        tools = d.sending
        assert tools is not None
        tools.password.setText(SERVER_PASSWORD)  # typed, not saved yet: the test uses it
        tools.test_button.click()
        assert not tools.test_button.isEnabled()
        qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    assert "Sent a test email to Maya Thompson <maya@fern.example>" in tools.test_result.text()
    assert tools.test_result.property("tone") == "positive"
    assert recorder.threads
    assert recorder.threads[-1] is not threading.main_thread()
    assert smtp.received.auth == [(SERVER_USER, SERVER_PASSWORD)]
    assert [r.lower() for r in smtp.received.rcpt_to] == ["rcpt to:<maya@fern.example>"]
    message = smtp.received.data[0].decode()
    assert "Subject: Account Radar: test email" in message
    assert f"127.0.0.1:{smtp.port}" in message
    assert memory_keyring.passwords == {}  # testing stores nothing


def test_a_test_email_uses_the_stored_password_and_says_when_it_is_refused(
    qtbot, make_dialog, memory_keyring
) -> None:
    name = (SERVICE, smtp_key_name("127.0.0.1", SERVER_USER))
    memory_keyring.passwords[name] = "not-the-password"
    with SMTPServer() as smtp:
        d = sending_dialog(make_dialog, smtp.port)
        tools = d.sending
        assert tools is not None
        tools.test_button.click()
        qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    assert smtp.received.auth == [(SERVER_USER, "not-the-password")]
    assert "refused the user name or password" in tools.test_result.text()
    assert tools.test_result.property("tone") == "critical"
    assert smtp.received.data == []


def test_a_test_email_without_a_from_address_or_password_says_what_to_enter(
    qtbot, make_dialog, memory_keyring, recorder: Recorder
) -> None:
    d = sending_dialog(make_dialog, free_port(), smtp__from_address="", smtp__user="ana")
    tools = d.sending
    assert tools is not None
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    assert tools.test_result.text() == "Enter the From address first: the test email goes there."
    d.editor("smtp.from_address").setText("ana@fern.example")  # type: ignore[attr-defined]
    tools.test_button.click()
    qtbot.waitUntil(lambda: tools.test_button.isEnabled(), timeout=10_000)
    assert tools.test_result.text() == "Enter the password for ana first."
    assert recorder.threads == []  # nothing was sent anywhere
