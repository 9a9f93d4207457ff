"""What the Results tab needs from a workspace, as a protocol: app/ implements it.

The method may be slow and touch the database: the pane calls it only inside an
operation of the job runner. It returns the frozen records of services.learn.records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from services.accuracy.records import AccuracyReport
from services.alerts.experiment_records import ExperimentChoices, ExperimentSpec
from services.learn.experiments_records import ExperimentsReport
from services.learn.records import EffectivenessReport
from services.learn.response_records import ResponseReport
from services.learn.roi_records import RoiReport
from services.learn.satisfaction_records import SatisfactionReport
from services.learn.segments_records import MigrationMatrix, SegmentsOverTime
from services.learn.uplift_records import UpliftReport
from services.lifecycle.records import LifecycleResults
from services.renewals.records import RenewalsReport
from services.replies.records import ReplyReport
from services.retention.records import RetentionReport
from services.support.records import SupportReport

__all__ = [
    "EffectivenessReport",
    "ResponseReport",
    "ResultsSource",
    "RoiReport",
    "SatisfactionReport",
    "UpliftReport",
]


class ResultsSource(Protocol):
    """Reads the effectiveness report of one workspace."""

    def load_report(
        self, since: dt.date | None, until: dt.date | None, by: str | None
    ) -> EffectivenessReport:
        """The report of the exposures that started in the period, broken down by ``by``."""
        ...

    def load_response(self, since: dt.date | None, until: dt.date | None) -> ResponseReport:
        """Time to action of the alerts raised in the period (services.learn.response)."""
        ...

    def load_satisfaction(self, since: dt.date | None, until: dt.date | None) -> SatisfactionReport:
        """NPS and CSAT by month and after outreach (services.learn.satisfaction)."""
        ...

    def load_return(self, since: dt.date | None, until: dt.date | None, by: str) -> RoiReport:
        """The return on outreach of the period, broken down by ``by`` (services.learn.roi)."""

    def load_uplift(self, cancelled: Callable[[], bool] | None = None) -> UpliftReport:
        """Who to contact: the uplift model's Qini curves and today's estimates
        (services.learn.uplift; slow: fits the model, stopping once ``cancelled`` says so)."""

    def load_segments(self) -> SegmentsOverTime:
        """Each segment per finished scoring run (services.learn.segments_over_time)."""
        ...

    def load_migration(self, earlier_id: int, later_id: int) -> MigrationMatrix:
        """Segment migration between two scoring runs."""
        ...

    def migration_customers(
        self, earlier_id: int, later_id: int, before: str, after: str
    ) -> tuple[int, ...]:
        """The customers of one cell of the migration matrix."""
        ...

    # Results ▸ Retention (views/results/retention.py).
    def load_retention(
        self, since: dt.date | None, until: dt.date | None, basis: str, cohort_size: str
    ) -> RetentionReport:
        """Retention of the period's months (services.retention.report)."""
        ...

    # Results ▸ Support (views/results/support.py).
    def load_support(self, since: dt.date | None, until: dt.date | None) -> SupportReport:
        """The help desk's tickets of the period (services.support.report)."""
        ...

    # Results ▸ Replies (views/results/replies.py).
    def load_replies(self, since: dt.date | None, until: dt.date | None) -> ReplyReport:
        """Replies to the emails sent in the period (services.replies.report)."""
        ...

    # Results ▸ Stages (views/results/stages.py).
    def load_stages(self, since: dt.date | None, until: dt.date | None) -> LifecycleResults:
        """The stages today, the health profiles' verdict and the best times to reach out
        from the emails of the period (services.lifecycle.results)."""
        ...

    # Results ▸ Renewals (views/results/renewals.py).
    def load_renewals(
        self,
        since: dt.date | None,
        until: dt.date | None,
        owner: str | None,
        segment: str | None,
    ) -> RenewalsReport:
        """The renewal pipeline, the upcoming renewals, the backtest and forecast against
        actual, for one owner or segment when given (services.renewals.report)."""
        ...

    # Results ▸ Model check (views/results/accuracy.py).
    def load_accuracy(self) -> AccuracyReport:
        """Every past scoring run against what followed (services.accuracy.report)."""
        ...

    # Results ▸ Experiments (views/results/experiments.py).
    def load_experiments(self) -> ExperimentsReport:
        """Every strategy experiment and its comparison (services.learn.experiments)."""
        ...

    def experiment_choices(self) -> ExperimentChoices:
        """The strategies, rules and bands a new experiment may use."""
        ...

    def start_experiment(self, spec: ExperimentSpec) -> int:
        """Start an experiment (audited); returns its id."""
        ...

    def end_experiment(self, experiment_id: int) -> None:
        """End a running experiment (audited)."""
        ...
