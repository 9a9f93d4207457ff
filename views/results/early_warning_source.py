"""What Results ▸ Early warning needs from a workspace, as a protocol: app/ implements it
(app/gui/early_warning_source.py). Every method may be slow and touch the database: the
section calls them only inside operations of the job runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from services.alerts.proof import Proof
from services.alerts.signal_records import SignalReport
from services.learn.replay_records import ReplayReport, Suggestion

__all__ = ["EarlyWarningSource", "ReplayReport", "Suggestion"]


class EarlyWarningSource(Protocol):
    """Replays the alert rules of one workspace and keeps the last replay."""

    def load_replay(self) -> tuple[ReplayReport | None, bool]:
        """The last replay kept (None: never replayed), and whether it is up to date."""
        ...

    def run_replay(
        self, weeks: int, progress: Callable[[float, str], None], cancelled: Callable[[], bool]
    ) -> ReplayReport:
        """Replay the past ``weeks`` weeks (minutes, mostly computing: it runs on a thread
        of its own, with its own connections, not on the database worker) and return it."""
        ...

    def keep_replay(self, report: ReplayReport) -> None:
        """Keep a replay as the last one (a quick write, on the database worker)."""
        ...

    def apply_thresholds(self, suggestions: tuple[Suggestion, ...]) -> dict[str, Any]:
        """Store the applicable suggested values; returns the values they replaced."""
        ...

    def undo_thresholds(self, values: dict[str, Any]) -> None:
        """Put back the values ``apply_thresholds`` replaced."""
        ...

    def load_signals(self) -> tuple[SignalReport, dict[str, Proof]]:
        """The relationship signals replayed on the past year (kept for the same data,
        else measured now, seconds, and kept), and each signal's proof."""
        ...
