"""Starting with one's own workspace, and who the user is.

- File ▸ New workspace… (Ctrl+Shift+N): an empty workspace in a new file (an existing
  file is refused, never replaced), opened at once.
- The first run (no workspace at the default path): the welcome offers the demo or an
  empty workspace of one's own.
- The getting-started checklist above the tabs of a workspace that is not the demo:
  import customers, import orders, score, say who I am, set up email drafting; its facts
  come from services/usecases/checklist.py on the database worker, and it follows imports,
  scorings and settings changes. "Hide for now" keeps it away (per workspace, UI state in
  QSettings) until Help ▸ Getting started.
- File ▸ Who I am…: the user's name and email (services/core/profile.py, per person); the
  actor of everything done in the window ("Name <email>", with the database account of a
  team workspace), the default From of their emails, and whom "Mine" means.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from app.gui.context import GuiContext
from app.workspace import (
    Workspace,
    create_workspace,
    new_workspace_path,
    refuse_existing_file,
    to_url,
)
from models.errors import WorkspaceError
from services.core.profile import (
    Profile,
    ProfileError,
    actor_name,
    email_problem,
    load_profile,
    make_profile,
    name_problem,
    save_profile,
)
from views.kit.jobs import Operation
from views.shell.main_window import KEY_OWNER, WORKSPACE_FILTER
from views.workspace.checklist_card import ChecklistCard
from views.workspace.identity_dialog import IdentityAnswer, IdentityPrompt, ask_identity

if TYPE_CHECKING:
    # The checklist's queries import services.demo (and pandas with it): loaded by the jobs
    # that run them, after the window has shown its table, not with the window.
    from services.usecases.checklist import ChecklistStep, WorkspaceFacts
from views.kit.file_dialogs import save_file_name
from views.workspace.menu_entries import WorkspaceMenuEntries
from views.workspace.welcome_dialog import (
    WELCOME_DEMO,
    WELCOME_EMPTY,
    WELCOME_OPEN,
    WelcomeFn,
    ask_welcome,
)

log = logging.getLogger(__name__)

# QSettings (UI state): the workspaces whose checklist the user hid for now.
KEY_CHECKLIST_HIDDEN = "checklist/hidden"
NO_WORKSPACE_MESSAGE = (
    "No workspace is open: File ▸ New workspace… (Ctrl+Shift+N) starts one, "
    "File ▸ Open workspace… opens a file."
)
DRAFTING_PAGE = "Email drafting"

NewPathFn = Callable[[], str | None]


def validate_identity(name: str, email: str) -> str | None:
    """What is wrong with a typed identity, as a sentence; None when it is acceptable."""
    problem = name_problem(name) or email_problem(email)
    return problem[0].upper() + problem[1:] + "." if problem else None


class WorkspaceController(QObject):
    """New workspace, first run, the checklist and the identity, for one window.

    The application refreshes the checklist (``refresh_checklist``) after an import, a
    scoring or a change of settings; ``open_settings(page)`` opens File ▸ Settings… on a
    page.

    Signals:
        checklist_updated(steps): the checklist's steps were read again (a list of
            services.usecases.checklist.ChecklistStep; empty for a demo workspace).
        identity_changed(actor): the user said who they are (the new actor string).
    """

    checklist_updated = Signal(list)
    identity_changed = Signal(str)

    def __init__(
        self,
        context: GuiContext,
        settings: QSettings,
        *,
        open_settings: Callable[[str], None],
        welcome: WelcomeFn | None = None,
        ask_identity_fn: IdentityPrompt | None = None,
        ask_new_path: NewPathFn | None = None,
        prompt_open_path: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._settings = settings
        self._open_settings = open_settings
        window = context.window
        self._welcome = welcome or (lambda: ask_welcome(window))
        self._ask_identity = ask_identity_fn or (
            lambda name, email, owners, account: ask_identity(
                window, validate_identity, name, email, owners, account
            )
        )
        self._ask_new_path = ask_new_path or self._ask_new_workspace_path
        self._prompt_open_path = prompt_open_path
        loaded = load_profile()
        self.profile: Profile = loaded.profile
        self.profile_problem = loaded.problem
        if loaded.problem:
            log.warning("%s", loaded.problem)
        # The database login of a team workspace (PostgreSQL), recorded with the identity.
        self.account: str | None = None
        self.steps: list[ChecklistStep] = []

        self.menu = WorkspaceMenuEntries(window, window.menus)
        self.menu.new_action.triggered.connect(self._on_new_action_triggered)
        self.menu.identity_action.triggered.connect(self._on_identity_action_triggered)
        self.menu.checklist_action.triggered.connect(self._on_checklist_action_triggered)
        self.card = ChecklistCard(window)
        self.card.hide()
        self.card.step_requested.connect(self._on_card_step_requested)
        self.card.hide_requested.connect(self._on_card_hide_requested)
        window.add_banner(self.card)
        # "Mine" the first time, with no identity yet: the same question as Who I am.
        window.when_screens_built(
            lambda: window.alerts_view.alerts_pane.set_owner_prompt(self._ask_owner_for_mine)
        )

        context.workspace_opened.connect(self._on_gui_workspace_opened)

    # -- who I am --------------------------------------------------------------------------

    def actor(self) -> str:
        """Who the history names for what the user does: "Name <email>" (with the team
        workspace's account), or the OS login until they say who they are."""
        return actor_name(self.profile, self.account)

    def owner_name(self) -> str | None:
        """Whom "Mine" means: the identity's name (None until it is set)."""
        return self.profile.name or None

    def own_address(self) -> str | None:
        """The user's own From address ("Name <email>"), if they gave an email."""
        return self.profile.sender

    def show_profile_problem(self) -> None:
        """Say in the status bar that the profile file could not be used (once)."""
        if self.profile_problem:
            self._context.window.statusBar().showMessage(self.profile_problem, 20_000)
            self.profile_problem = None

    def ask_who_i_am(self, owners: Sequence[str] = ()) -> Profile | None:
        """Ask the user's name and email (offering the owners' names) and keep them."""
        # Before Who I am, "Mine" remembered an owner name in the UI state: offered first.
        earlier = str(self._settings.value(KEY_OWNER, "") or "")
        name = self.profile.name or earlier
        answer = self._ask_identity(name, self.profile.email, owners, self.account)
        if answer is None:
            return None
        return self.set_identity(answer)

    def set_identity(self, answer: IdentityAnswer) -> Profile | None:
        """Check, save and use an identity; a refusal is shown in plain words."""
        try:
            profile = make_profile(answer.name, answer.email)
            save_profile(profile)
        except ProfileError as exc:
            self._context.present(exc)
            return None
        self.profile = profile
        self._context.window.set_owner_name(profile.name)
        self._context.window.statusBar().showMessage(
            f"You are {self.actor()}: the history records your actions under this name.",
            10_000,
        )
        self.identity_changed.emit(self.actor())
        self.refresh_checklist()
        return profile

    def _on_owners_read(self, owners: list[str]) -> None:
        self.ask_who_i_am(owners)

    def _ask_owner_for_mine(self, owners: Sequence[str]) -> str | None:
        profile = self.ask_who_i_am(owners)
        return profile.name if profile is not None else None

    def _on_identity_action_triggered(self) -> None:
        workspace = self._context.workspace()
        if workspace is None:
            self.ask_who_i_am()
            return
        (
            self._context.jobs.operation(
                lambda _state: _owner_names(workspace),
                parent=self,
                key=("workspace.owners", id(self)),
                label="read the owners",
            )
            .success(self._on_owners_read)
            .run()
        )

    # -- new workspace and first run -------------------------------------------------------

    def _ask_new_workspace_path(self) -> str | None:
        window = self._context.window
        source = window.source
        start = (
            Path(source.display_name).parent
            if source is not None and source.can_back_up
            else Path.home()
        )
        path, _ = save_file_name(
            window,
            "New workspace",
            str(start / "my-customers.radar.sqlite"),
            WORKSPACE_FILTER,
            # A new workspace never replaces a file: refused below, in plain words.
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return path or None

    def _on_new_action_triggered(self) -> None:
        path = self._ask_new_path()
        if path:
            self.create_workspace_at(path)

    def create_workspace_at(
        self, location: str, *, startup: bool = False
    ) -> Operation[Workspace] | None:
        """Create an empty workspace at location (refusing an existing file) and open it."""
        try:
            path = new_workspace_path(location)
            url = to_url(str(path))
            # Said at once, before any work: nothing is touched.
            refuse_existing_file(path)
        except WorkspaceError as exc:
            self._context.present(exc)
            return None
        self._unhide(str(path))
        return self._context.open_url(url, startup=startup, opener=lambda: create_workspace(url))

    def first_run(self, url: str, *, demo_customers: int) -> None:
        """No workspace at the default path yet: the demo, or an empty one of one's own."""
        answer = self._welcome()
        if answer == WELCOME_DEMO:
            self._context.build_demo(url, customers=demo_customers, startup=True)
        elif answer == WELCOME_EMPTY:
            self._context.open_url(url, startup=True, opener=lambda: create_workspace(url))
        elif answer == WELCOME_OPEN:
            path = self._prompt_open_path()
            if path:
                self._context.open_url(to_url(path), startup=True)
            else:
                self.first_run(url, demo_customers=demo_customers)
        else:
            self._context.window.statusBar().showMessage(NO_WORKSPACE_MESSAGE)

    # -- the checklist ---------------------------------------------------------------------

    def _on_gui_workspace_opened(self, _name: str) -> None:
        self.account = None
        # After the opening's own status message is cleared (next turn of the loop).
        QTimer.singleShot(0, self.show_profile_problem)
        workspace = self._context.workspace()
        self.menu.checklist_action.setEnabled(workspace is not None)
        if workspace is not None and workspace.path is None:
            (
                self._context.jobs.operation(
                    lambda _state: _account_and_role(workspace),
                    parent=self,
                    label="read the database account",
                )
                .success(lambda found: self._on_account_read(workspace, *found))
                .run()
            )
        self.refresh_checklist()

    def _on_account_read(self, workspace: Workspace, account: str | None, role: str | None) -> None:
        if workspace is self._context.workspace():
            self.account = account
            self._context.window.set_team_role(role)

    def refresh_checklist(self, *, force: bool = False) -> Operation[WorkspaceFacts] | None:
        """Read the checklist's facts again on the database worker and show them.

        ``force``: show the card even if hidden for now or complete (Help ▸ Getting
        started)."""
        workspace = self._context.workspace()
        if workspace is None:
            self.card.hide()
            return None
        return (
            self._context.jobs.operation(
                lambda _state: _workspace_facts(workspace),
                parent=self,
                key=("workspace.checklist", id(self)),
                label="read the getting-started checklist",
            )
            .success(lambda facts: self._show_checklist(workspace, facts, force=force))
            .failure(self._on_checklist_failed)
            .run()
        )

    def _show_checklist(self, workspace: Workspace, facts: WorkspaceFacts, *, force: bool) -> None:
        if workspace is not self._context.workspace():
            return  # another workspace was opened meanwhile
        from services.usecases.checklist import checklist_steps

        self.steps = checklist_steps(facts, identity_set=self.profile.is_set)
        key = workspace.display_name
        if force:
            self._unhide(key)
        complete = all(step.done for step in self.steps)
        hidden = key in self._hidden()
        self.menu.checklist_action.setEnabled(bool(self.steps))
        if self.steps and (force or not (complete or hidden)):
            self.card.set_steps(self.steps)
            self.card.show()
        else:
            self.card.hide()
        self.checklist_updated.emit(self.steps)

    def _on_checklist_failed(self, error: BaseException) -> None:
        # The checklist is a help, not the work: it goes, and the reason goes to the log.
        log.warning("The getting-started checklist could not be read", exc_info=error)
        self.card.hide()

    def _on_card_step_requested(self, key: str) -> None:
        menus = self._context.window.menus
        if key in ("customers", "orders"):
            menus.import_action.trigger()
        elif key == "score":
            if menus.score_action.isEnabled():
                menus.score_action.trigger()
        elif key == "identity":
            self._on_identity_action_triggered()
        elif key == "drafting":
            self._open_settings(DRAFTING_PAGE)

    def _on_card_hide_requested(self) -> None:
        workspace = self._context.workspace()
        if workspace is not None:
            hidden = self._hidden()
            if workspace.display_name not in hidden:
                self._settings.setValue(KEY_CHECKLIST_HIDDEN, [*hidden, workspace.display_name])
        self.card.hide()
        self._context.window.statusBar().showMessage(
            "The checklist is hidden; Help ▸ Getting started shows it again.", 8000
        )

    def _on_checklist_action_triggered(self) -> None:
        self.refresh_checklist(force=True)

    def _hidden(self) -> list[str]:
        value = self._settings.value(KEY_CHECKLIST_HIDDEN, [])
        if isinstance(value, str):  # QSettings gives a lone entry as a string
            return [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def _unhide(self, key: str) -> None:
        hidden = self._hidden()
        if key in hidden:
            self._settings.setValue(KEY_CHECKLIST_HIDDEN, [k for k in hidden if k != key])


def _account_and_role(workspace: Workspace) -> tuple[str | None, str | None]:
    """The database account of a shared workspace and what it may do there (blocking)."""
    from services.core.access import team_role
    from services.usecases.checklist import database_account

    return database_account(workspace.engine), team_role(workspace.engine)


def _owner_names(workspace: Workspace) -> list[str]:
    """The owners named in the workspace (blocking: a job's)."""
    from services.usecases.checklist import owner_names

    return owner_names(workspace.engine)


def _workspace_facts(workspace: Workspace) -> WorkspaceFacts:
    """What the getting-started checklist checks (blocking: a job's)."""
    from services.usecases.checklist import workspace_facts

    return workspace_facts(workspace.engine)


def install(
    ctx: GuiContext,
    *,
    open_settings: Callable[[str], None],
    prompt_open_path: Callable[[], str | None],
    welcome: WelcomeFn | None = None,
    ask_identity: IdentityPrompt | None = None,
    ask_new_path: NewPathFn | None = None,
) -> WorkspaceController:
    """File ▸ New workspace…, the first-run welcome, the getting-started checklist and
    File ▸ Who I am… (the actor of everything done here, the sender, "Mine"). The
    questions are asked with dialogs unless given (tests answer them)."""
    return WorkspaceController(
        ctx,
        ctx.settings,
        open_settings=open_settings,
        welcome=welcome,
        ask_identity_fn=ask_identity,
        ask_new_path=ask_new_path,
        prompt_open_path=prompt_open_path,
        parent=ctx.parent,
    )
