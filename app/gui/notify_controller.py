"""Slack and Teams from the window, and the accountradar:// links it is asked to open.

After each load of the alert list (a scoring, a refresh) the new critical alerts and the
alerts newly past their time to act are posted (services/notify/run.py): read on the
database worker, posted on the network pool with the setting's time-out, remembered on
the database worker once they went. A failure (no network, a refusal, no answer in
time) is said in the status bar and the log, and the next round tries again; the window
never waits. Before the first post to a webhook the preview shows exactly that post and
asks (once a session: a "not now" is not asked again until the next start).

Links: a start with ``accountradar://alert/<id>`` or ``accountradar://customer/<id>``
opens the window on it once the workspace is open; a later start hands its link to this
window (app/gui/single_instance.py). A malformed link, or one naming an alert or customer
that is not in the workspace or not the person's to see, is said in plain words and
opens nothing.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from app.gui.context import GuiContext, WindowContext
from app.gui.notify_settings import NotifySettingsActions
from services.notify.links import BadLink, Link, link_target, not_found_words, parse_link
from services.notify.records import Post
from services.notify.run import Setup, approved, pending_posts, read_setup
from views.settings.email_pages import Tone

log = logging.getLogger(__name__)

SHOWN_MS = 15_000
# Only macOS hands a link to the running app as an event (QFileOpenEvent). An application-wide
# event filter sees every event of every widget (about 27,000 while Settings opens), so it is
# installed only there.
FILE_OPEN_EVENTS = sys.platform == "darwin"


class NotifyController(QObject):
    """Posts after each alert refresh, and opens the links it is given."""

    def __init__(self, ctx: WindowContext, actions: NotifySettingsActions) -> None:
        super().__init__(ctx.window)
        self._ctx = ctx
        self._window = ctx.window
        self._jobs = ctx.jobs
        self._actions = actions
        self._busy = False
        self._declined: set[str] = set()  # webhooks whose first post was put off this session
        self._pending_link: str | None = None
        self._opened = False
        self.server: QObject | None = None  # app/gui/single_instance.py's InstanceServer
        self.last_message = ""
        self._window.when_screens_built(self._connect_screens)

    def _connect_screens(self) -> None:
        self._window.alerts_view.alerts_pane.alerts_loaded.connect(self._on_alerts_loaded)

    def _say(self, text: str, _tone: Tone = "muted") -> None:
        self.last_message = text
        self._window.statusBar().showMessage(text, SHOWN_MS)

    # -- posting --------------------------------------------------------------------------

    def _on_alerts_loaded(self, _count: int = 0) -> None:
        self.post_round()

    def post_round(self) -> None:
        """Post what is new now (nothing when no webhook is set, or a round is running)."""
        workspace = self._ctx.workspace()
        if workspace is None or self._busy:
            return
        self._busy = True

        def task(_state: object) -> tuple[Setup, bool, list[Post]]:
            setup = read_setup(workspace.engine)
            if setup.url is None or not setup.anything:
                return setup, False, []
            return setup, approved(workspace.engine, setup), pending_posts(workspace.engine, setup)

        def ready(result: tuple[Setup, bool, list[Post]]) -> None:
            setup, ok, posts = result
            if not posts or (not ok and setup.hook in self._declined):
                self._busy = False
                return
            if ok:
                self._actions.send(workspace, setup, posts, self, self._done)
                return
            self._declined.add(setup.hook)  # asked once a session
            # Still busy until done: a list loaded meanwhile must not post the same again.
            self._actions.approve_and_send(workspace, setup, posts, self._window, self._done)

        (
            self._jobs.operation(task, parent=self, key=("notify.round", id(self)))
            .success(ready)
            .failure(self._failed)
            .run()
        )

    def _done(self, text: str, tone: Tone) -> None:
        self._busy = False
        if text != "Nothing was sent.":
            self._say(text, tone)
        if tone == "critical":
            log.warning("notify: %s", text)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._say(f"Not posted to Slack or Teams: {exc}", "critical")

    # -- links ----------------------------------------------------------------------------

    def listen(self) -> bool:
        """Take links from later starts of the app (False when another window listens),
        and from macOS, which hands a link to the running app as an event, not an argument."""
        app = QApplication.instance()
        if app is not None and FILE_OPEN_EVENTS:
            app.installEventFilter(self)
        try:
            from app.gui.single_instance import InstanceServer
        except ImportError:  # a build without QtNetwork: each start opens its own window
            log.warning("Links from later starts are not taken: QtNetwork is missing")
            return False
        server = InstanceServer(self)
        server.link_received.connect(self.open_link)
        self.server = server
        return server.listen()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            url = event.url().toString()
            if url.lower().startswith("accountradar:"):
                self.open_link(url)
                return True
        return super().eventFilter(watched, event)

    def workspace_opened(self, _name: str = "") -> None:
        self._opened = True
        self._declined.clear()
        if self._pending_link is not None:
            text, self._pending_link = self._pending_link, None
            self.open_link(text)

    def open_link(self, text: str) -> None:
        """Open what ``text`` links to, or say why not."""
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
        try:
            link = parse_link(text)
        except BadLink as exc:
            self._say(str(exc), "warning")
            return
        workspace = self._ctx.workspace()
        if workspace is None or not self._opened:
            self._pending_link = text  # once the workspace is open
            return
        (
            self._jobs.operation(lambda _s: link_target(workspace.engine, link), parent=self)
            .success(lambda target: self._open(link, target))
            .failure(self._failed_link)
            .run()
        )

    def _open(self, link: Link, target: tuple[int | None, int] | None) -> None:
        if target is None:
            self._say(not_found_words(link), "warning")
            return
        alert_id, customer_id = target
        if alert_id is None:
            self._window.open_customer(customer_id)
        else:
            # The window's own way to show an alert in its tab (as a notification's click),
            # once the Alerts screen is built (after the first paint at start-up).
            self._window.when_screens_built(
                lambda: self._window.my_work.open_requested.emit(alert_id, customer_id)
            )
        self._say(f"Opened {link.text}.")
        log.info("Opened %s (customer %s)", link.text, customer_id)

    def _failed_link(self, exc: BaseException) -> None:
        self._say(f"The link could not be opened: {exc}", "warning")


def install(ctx: GuiContext) -> NotifyController:
    """Posts to Slack or Teams after each alert refresh, and the links' opening."""
    controller = NotifyController(ctx, NotifySettingsActions(ctx.jobs, ctx.workspace))
    ctx.workspace_opened.connect(controller.workspace_opened)
    return controller
