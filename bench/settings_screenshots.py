"""Render Settings ▸ Email drafting (and Sending email), light and dark, offscreen.

    .venv/bin/python bench/settings_screenshots.py [--out docs] [--all]

The drafting page is shown set up for Ollama, after "List models" and "Test connection"
ran for real against the loopback OpenAI-wire server of the tests
(tests/support/openai_server.py) listening on Ollama's port 11434 (another free port
when 11434 is taken). Secrets live in an in-memory keyring; nothing touches the user's.

Writes docs/settings-email-{light,dark}.png; with --all also the sending page and the
no-keyring variants (in nokey/), to the same folder, for checking by eye.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.gui.email_settings import EmailSettingsActions  # noqa: E402
from app.gui.settings_controller import setting_fields, validate  # noqa: E402
from services.core.credentials import SERVICE, llm_key_name, smtp_key_name  # noqa: E402
from tests.support import openai_server  # noqa: E402
from tests.support.memory_keyring import use_memory_keyring, use_no_keyring  # noqa: E402
from views.kit.jobs import JobRunner  # noqa: E402
from views.kit.theme import ThemeManager, ThemeMode  # noqa: E402
from views.settings.dialog import SettingsDialog  # noqa: E402

SIZE = (920, 1010)
OLLAMA_PORT = 11434
MODELS = ["llama3.2:latest", "mistral-nemo:latest", "qwen2.5:7b"]
SMTP_HOST = "smtp.office365.com"
SMTP_USER = "ana.lopez@northwind.example"


def start_server() -> openai_server.FakeOpenAIServer:
    """The fake server on Ollama's port if it is free (the page then reads as it would
    with Ollama running), else on any free port."""

    class OnOllamaPort(openai_server._Server):
        def server_bind(self) -> None:
            self.server_address = ("127.0.0.1", OLLAMA_PORT)
            super().server_bind()

    plain = openai_server._Server
    openai_server._Server = OnOllamaPort  # type: ignore[misc]
    try:
        return openai_server.FakeOpenAIServer(models=MODELS, reply="OK").start()
    except OSError:
        openai_server._Server = plain  # type: ignore[misc]
        return openai_server.FakeOpenAIServer(models=MODELS, reply="OK").start()
    finally:
        openai_server._Server = plain  # type: ignore[misc]


def settle(app: QApplication, jobs: JobRunner, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        if jobs.is_idle():
            break
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def render(app: QApplication, mode: str, url: str, out: Path, *, extra: bool) -> list[Path]:
    ThemeManager(app, ThemeMode(mode))
    jobs = JobRunner()
    values = {f.key: f.default for f in setting_fields()}
    values.update(
        {
            "llm.preset": "ollama",
            "llm.base_url": url,
            "outreach.brand_voice": "Plain and warm, first names, no exclamation marks.",
            "outreach.signature": "Best regards,\n{owner}\nNorthwind Outdoor",
            "smtp.host": SMTP_HOST,
            "smtp.user": SMTP_USER,
            "smtp.from_address": "Ana Lopez <ana.lopez@northwind.example>",
        }
    )
    dialog = SettingsDialog(setting_fields(), values, validate, email=EmailSettingsActions(jobs))
    dialog.resize(*SIZE)
    dialog.show()
    dialog.show_group_named("Email drafting")
    settle(app, jobs)
    tools = dialog.drafting
    assert tools is not None
    tools.list_button.click()
    settle(app, jobs)
    tools.test_button.click()
    settle(app, jobs)
    written = [out / f"settings-email-{mode}.png"]
    save(dialog, written[0])
    if extra:
        dialog.show_group_named("Sending email")
        settle(app, jobs)
        written.append(out / f"sending-{mode}.png")
        save(dialog, written[-1])
    dialog.close()
    dialog.deleteLater()
    jobs.shutdown()
    return written


def save(widget: QWidget, path: Path) -> None:
    """Save a screenshot, making its folder; fail loudly rather than print a path that
    was not written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")


def render_gateway(app: QApplication, out: Path) -> Path:
    """The drafting page for OpenAI through an address that is not OpenAI's (light)."""
    ThemeManager(app, ThemeMode("light"))
    jobs = JobRunner()
    values = {f.key: f.default for f in setting_fields()}
    values.update(
        {
            "llm.preset": "openai",
            "llm.base_url": "https://llm-gateway.northwind.example/v1",
            "llm.model": "gpt-4o-mini",
        }
    )
    dialog = SettingsDialog(setting_fields(), values, validate, email=EmailSettingsActions(jobs))
    dialog.resize(*SIZE)
    dialog.show()
    dialog.show_group_named("Email drafting")
    settle(app, jobs)
    save(dialog, out)
    dialog.close()
    dialog.deleteLater()
    jobs.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--all", action="store_true", help="also the sending page, no keyring")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    server = start_server()
    url = f"http://localhost:{server.port}/v1"
    try:
        memory = use_memory_keyring()
        # A stored SMTP password, so the sending page shows it and its Forget button.
        memory.passwords[(SERVICE, smtp_key_name(SMTP_HOST, SMTP_USER))] = "not-a-real-password"
        for mode in ("light", "dark"):
            for path in render(app, mode, url, args.out, extra=args.all):
                print(path)
        if args.all:
            # OpenAI with a stored key and an address that is not OpenAI's: the warning.
            memory.passwords[(SERVICE, llm_key_name("openai"))] = "sk-not-a-real-key"
            print(render_gateway(app, args.out / "openai-gateway.png"))
        if args.all:
            use_no_keyring()
            for mode in ("light", "dark"):
                target = args.out / "nokey"
                for path in render(app, mode, url, target, extra=False):
                    print(path)
    finally:
        from services.llm.client import close_clients

        close_clients()
        server.stop()


if __name__ == "__main__":
    main()
