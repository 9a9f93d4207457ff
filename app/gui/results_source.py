"""The Results tab's view of a workspace (implements views.results.source.ResultsSource).
Runs on the job runner's database worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

from app.gui.early_warning_source import WorkspaceEarlyWarningSource
from app.workspace import Workspace
from services.accuracy.records import AccuracyReport
from services.alerts.experiment_records import ExperimentChoices, ExperimentSpec
from services.core.data_state import kept_result
from services.learn.experiments_records import ExperimentsReport
from services.learn.records import EffectivenessReport
from services.learn.response_records import ResponseReport
from services.learn.roi_records import RoiReport
from services.learn.satisfaction_records import SatisfactionReport
from services.learn.uplift_records import UpliftReport
from services.lifecycle.records import LifecycleResults
from services.renewals.records import RenewalsReport
from services.replies.records import ReplyReport
from services.retention.records import RetentionReport
from services.support.records import SupportReport

T = TypeVar("T")

if TYPE_CHECKING:
    # Its module imports the RFM scoring (pandas): loaded when the tab asks for it.
    from services.learn.segments_over_time import MigrationMatrix, SegmentsOverTime


class WorkspaceResultsSource:
    """The Results reports of one open workspace, each kept per state of its data
    (services/core/data_state.py): a section shown again with nothing changed opens at
    once, and an import, a scoring or any recorded action has it computed afresh."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def _kept(self, report: str, args: Hashable, compute: Callable[[], T]) -> T:
        return kept_result(self.workspace.engine, report, args, compute)

    def load_report(
        self, since: dt.date | None, until: dt.date | None, by: str | None
    ) -> EffectivenessReport:
        from services.learn.effectiveness import effectiveness_report

        return self._kept(
            "effectiveness",
            (since, until, by),
            lambda: effectiveness_report(self.workspace.engine, since, until, by),
        )

    def load_response(self, since: dt.date | None, until: dt.date | None) -> ResponseReport:
        from services.learn.response import response_report

        return self._kept(
            "response", (since, until), lambda: response_report(self.workspace.engine, since, until)
        )

    def load_satisfaction(self, since: dt.date | None, until: dt.date | None) -> SatisfactionReport:
        from services.learn.satisfaction import satisfaction_report

        return self._kept(
            "satisfaction",
            (since, until),
            lambda: satisfaction_report(self.workspace.engine, since, until),
        )

    def load_return(self, since: dt.date | None, until: dt.date | None, by: str) -> RoiReport:
        from services.learn.roi import roi_report

        return self._kept(
            "return",
            (since, until, by),
            lambda: roi_report(self.workspace.engine, since, until, by),
        )

    def load_uplift(self, cancelled: Callable[[], bool] | None = None) -> UpliftReport:
        from services.learn.uplift_cache import cached_uplift_report

        return cached_uplift_report(self.workspace.engine, cancelled)

    def load_segments(self) -> SegmentsOverTime:
        from services.learn.segments_over_time import segments_over_time

        return self._kept("segments", (), lambda: segments_over_time(self.workspace.engine))

    def load_migration(self, earlier_id: int, later_id: int) -> MigrationMatrix:
        from services.learn.segments_over_time import migration_matrix

        return self._kept(
            "migration",
            (earlier_id, later_id),
            lambda: migration_matrix(self.workspace.engine, earlier_id, later_id),
        )

    def migration_customers(
        self, earlier_id: int, later_id: int, before: str, after: str
    ) -> tuple[int, ...]:
        from services.learn.segments_over_time import migration_customers

        return migration_customers(self.workspace.engine, earlier_id, later_id, before, after)

    def load_retention(
        self, since: dt.date | None, until: dt.date | None, basis: str, cohort_size: str
    ) -> RetentionReport:
        from services.retention.report import retention_report

        return self._kept(
            "retention",
            (since, until, basis, cohort_size),
            lambda: retention_report(
                self.workspace.engine, since, until, basis=basis, cohort_size=cohort_size
            ),
        )

    def load_support(self, since: dt.date | None, until: dt.date | None) -> SupportReport:
        from services.support.report import support_report

        return self._kept(
            "support", (since, until), lambda: support_report(self.workspace.engine, since, until)
        )

    def load_replies(self, since: dt.date | None, until: dt.date | None) -> ReplyReport:
        from services.replies.report import replies_report

        return self._kept(
            "replies", (since, until), lambda: replies_report(self.workspace.engine, since, until)
        )

    def load_stages(self, since: dt.date | None, until: dt.date | None) -> LifecycleResults:
        from services.lifecycle.results import lifecycle_results

        return self._kept(
            "stages", (since, until), lambda: lifecycle_results(self.workspace.engine, since, until)
        )

    def load_renewals(
        self,
        since: dt.date | None,
        until: dt.date | None,
        owner: str | None,
        segment: str | None,
    ) -> RenewalsReport:
        from services.renewals.report import renewals_report

        return self._kept(
            "renewals",
            (since, until, owner, segment),
            lambda: renewals_report(
                self.workspace.engine, since=since, until=until, owner=owner, segment=segment
            ),
        )

    def load_accuracy(self) -> AccuracyReport:
        from services.accuracy.report import accuracy_report

        return self._kept("accuracy", (), lambda: accuracy_report(self.workspace.engine))

    def early_warning(self) -> WorkspaceEarlyWarningSource:
        """Results ▸ Early warning's source (the alert replay)."""
        return WorkspaceEarlyWarningSource(self.workspace)

    def load_experiments(self) -> ExperimentsReport:
        from services.learn.experiments import experiments_report

        return self._kept("experiments", (), lambda: experiments_report(self.workspace.engine))

    def experiment_choices(self) -> ExperimentChoices:
        from services.learn.experiments import experiment_choices

        return experiment_choices(self.workspace.engine)

    def start_experiment(self, spec: ExperimentSpec) -> int:
        from services.alerts.experiments import start_experiment

        return start_experiment(self.workspace.engine, spec)

    def end_experiment(self, experiment_id: int) -> None:
        from services.alerts.experiments import end_experiment

        end_experiment(self.workspace.engine, experiment_id)
