"""Score, then raise alerts: the one sequence behind every "score" in the product.

The ``score`` command, the window's Score now, the first launch's demo and the self-test
and a file imported from the watched folder while the window is open all call
:func:`score_and_alert`, so a change to what follows a scoring (today: the lifecycle
stages stored with the scores, the segments' owners for customers without one, the
alerts, then the playbooks whose condition cleared, then the escalations) is made once.

:func:`stop_playbooks` is also what follows an import, whichever imports (the window's
import, the ``import`` command, the daily round's watched folder): a customer who ordered
since their playbook started stops it, before any scoring.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from models.errors import UserFacingError
from services.alerts.records import AlertRunResult
from services.core.records import ScoringSummary

log = logging.getLogger(__name__)

# The share of the progress bar the scores take; the alerts after them take the rest.
SCORES_SHARE = 0.92


@dataclass(frozen=True)
class RefreshResult:
    """What a scoring and the alerts after it did."""

    scores: ScoringSummary
    alerts: AlertRunResult | None  # None when the alerts could not be updated
    # Why the alerts were not updated (the scores landed all the same), else None.
    alerts_error: str | None = None
    # What the escalation rules raised, in lines (services/alerts/escalation.py).
    escalations: list[str] = field(default_factory=list)
    # Whether stage health profiles beat one profile, in words (services/lifecycle/health.py).
    stage_check: str = ""
    # How many customers without an owner took their segment's (services/segment_policy).
    owners: int = 0


def score_and_alert(
    engine: Engine,
    *,
    as_of: dt.date | None = None,
    horizon_days: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RefreshResult:
    """Score every customer and store the snapshot, then raise and refresh the alerts.

    Cancelling stops the scoring (``ScoringCancelled``, nothing written); the alerts are
    not cancellable (a few seconds at most): once the scores have landed, the alerts
    follow them. A failure of the alerts leaves the previous alerts and is returned in
    ``alerts_error`` (and logged): the next scoring tries again. The workspace's writer
    lock is held throughout (services/core/writing.py): an import or an undo between the
    scores and their alerts would leave alerts on customers that are gone.
    """
    from services.core.writing import workspace_writer

    with workspace_writer(engine, "scoring"):
        return _score_and_alert(
            engine, as_of=as_of, horizon_days=horizon_days, progress=progress, cancelled=cancelled
        )


def _score_and_alert(
    engine: Engine,
    *,
    as_of: dt.date | None,
    horizon_days: int | None,
    progress: Callable[[float, str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> RefreshResult:
    from services.alerts.generate import generate_alerts
    from services.scoring.run import score_workspace

    def scores_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction * SCORES_SHARE, message)

    def alerts_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(SCORES_SHARE + fraction * (1 - SCORES_SHARE), message)

    summary = score_workspace(
        engine,
        as_of=as_of,
        horizon_days=horizon_days,
        progress=scores_progress,
        cancelled=cancelled,
    )
    if progress is not None:
        progress(SCORES_SHARE, "Forecasting renewals")
    _forecast_renewals(engine, summary.run_id)
    _store_stages(engine, summary.run_id)
    stages = _check_stage_profiles(engine, summary.run_id)
    owners = _owners_from_rules(engine)
    if progress is not None:
        progress(SCORES_SHARE, "Updating the alerts")
    try:
        alerts = generate_alerts(engine, summary.run_id, progress=alerts_progress)
    except UserFacingError as exc:
        log.warning("The scores were stored but the alerts could not be updated", exc_info=True)
        return RefreshResult(summary, None, str(exc), stage_check=stages, owners=owners)
    log.info("; ".join(alerts.lines()))
    stop_playbooks(engine)
    escalated = _escalate(engine)
    return RefreshResult(summary, alerts, escalations=escalated, stage_check=stages, owners=owners)


def _store_stages(engine: Engine, run_id: int) -> None:
    """Each customer's lifecycle stage as of the run, stored with their scores
    (services/lifecycle/stored.py), before the alerts so that a rule reading a stage sees
    it; a failure is logged, never undoes the scores (the run then has no stages: the
    Stage column shows none until the next scoring)."""
    from services.lifecycle.stored import store_run_stages

    try:
        store_run_stages(engine, run_id)
    except Exception:
        log.exception("The lifecycle stages of scoring run %s could not be stored", run_id)


def _check_stage_profiles(engine: Engine, run_id: int) -> str:
    """Whether stage health profiles beat one profile (services/lifecycle/health.py), kept
    for the customer pane and said after the scores and in the run's notes; a failure is
    logged, never undoes the scores."""
    from services.lifecycle.health import record_stage_check

    try:
        return record_stage_check(engine, run_id)
    except Exception:
        log.exception("The stage health profiles could not be checked")
        return ""


def _owners_from_rules(engine: Engine) -> int:
    """Customers without an owner take the owner their segment's rule names, now that the
    RFM segments are known, before the alerts (which copy the customer's owner); a
    failure is logged, never undoes the scores."""
    from services.usecases.owners import owners_from_rules

    try:
        return owners_from_rules(engine).count
    except Exception:
        log.exception("The segments' owners could not be given")
        return 0


def _forecast_renewals(engine: Engine, run_id: int) -> None:
    """The run's renewal forecasts (services/renewals/store.py), before the alerts so that
    they can read them; a failure is logged and leaves the scores and the alerts as they
    are (the run then has no forecasts, which the renewal screens say)."""
    from services.renewals.store import store_forecasts

    try:
        store_forecasts(engine, run_id)
    except Exception:
        log.exception("The renewal forecasts of scoring run %s could not be stored", run_id)


def _escalate(engine: Engine) -> list[str]:
    """The escalation rules after the alerts (services/alerts/escalation.py); a failure
    is logged and said, never undoes the scores or the alerts."""
    from services.alerts.escalation import run_escalations

    try:
        return run_escalations(engine).lines()
    except UserFacingError as exc:
        log.warning("The escalations could not run", exc_info=True)
        return [f"The escalations could not run: {exc}"]


def stop_playbooks(engine: Engine) -> list[str]:
    """Stop the playbooks whose condition cleared (an order since their start, an alert
    closed, a customer marked do not contact), after a scoring or an import; what it did
    in lines (none when nothing stopped). A failure is logged and said, never undoes the
    scores, the alerts or the import."""
    from services.alerts.playbooks import stop_cleared_runs
    from services.core.formatting import plural

    try:
        stopped = stop_cleared_runs(engine)
    except UserFacingError as exc:
        log.warning("The playbooks could not be checked", exc_info=True)
        return [f"The playbooks could not be checked: {exc}"]
    if not stopped:
        return []
    return [
        f"Stopped {plural(stopped, 'playbook')} by {'itself' if stopped == 1 else 'themselves'}: "
        "the customer ordered since it started, its alert was closed, or they are marked "
        "do not contact."
    ]
