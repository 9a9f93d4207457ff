"""Results ▸ Early warning's view of a workspace (implements
views.results.early_warning_source.EarlyWarningSource). The replay itself runs on the job
runner's thread for long analyses, the rest on its database worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.workspace import Workspace
from services.alerts.proof import Proof
from services.alerts.signal_records import SignalReport
from services.learn.replay_records import ReplayReport, Suggestion


class WorkspaceEarlyWarningSource:
    """The alert replay of one open workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def load_replay(self) -> tuple[ReplayReport | None, bool]:
        from services.learn.alert_replay import last_replay

        return last_replay(self.workspace.engine)

    def run_replay(
        self, weeks: int, progress: Callable[[float, str], None], cancelled: Callable[[], bool]
    ) -> ReplayReport:
        from services.learn.alert_replay import replay_alerts

        engine = self.workspace.engine
        return replay_alerts(engine, weeks=weeks, progress=progress, cancelled=cancelled)

    def keep_replay(self, report: ReplayReport) -> None:
        from services.alerts.config import default_actor
        from services.learn.alert_replay import save_replay

        save_replay(self.workspace.engine, report, actor=default_actor())

    def apply_thresholds(self, suggestions: tuple[Suggestion, ...]) -> dict[str, Any]:
        from services.alerts.config import default_actor
        from services.learn.replay_suggest import apply_suggestions

        return apply_suggestions(self.workspace.engine, suggestions, actor=default_actor())

    def undo_thresholds(self, values: dict[str, Any]) -> None:
        from services.alerts.config import default_actor
        from services.learn.replay_suggest import restore_settings

        restore_settings(self.workspace.engine, values, actor=default_actor())

    def load_signals(self) -> tuple[SignalReport, dict[str, Proof]]:
        from services.alerts.config import default_actor
        from services.alerts.signal_proofs import measure_and_keep

        return measure_and_keep(self.workspace.engine, actor=default_actor())
