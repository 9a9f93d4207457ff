"""The window's view of a workspace's alerts (implements views.alerts.source.AlertSource).

It turns the alert services' records into the views' records, so that neither side
imports the other: services.alerts knows nothing of Qt, views know nothing of SQL.
Every method runs on the job runner's database worker. The services (pandas) and the
dashboard's charts (pyqtgraph) are imported there, when first needed: the window's
first paint does not wait for them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import numpy as np

from app.workspace import Workspace
from services.core.profile import os_login
from views.alerts.source import ALERT_COLUMNS, AlertDetail, PlaybookChoice, Undoable

if TYPE_CHECKING:
    from services.alerts.records import Dashboard
    from views.dashboard.opens import OpenCards
    from views.dashboard.pane import DashboardData
    from views.item_models.alert_list_data import AlertListData

log = logging.getLogger(__name__)


def _epoch_seconds(days: list[dt.date]) -> np.ndarray:
    stamps = [dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp() for d in days]
    return np.asarray(stamps, dtype=float)


class WorkspaceAlertSource:
    """Alerts of one open workspace: the list, one alert, actions and the dashboard."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        user: str | Callable[[], str] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        preloaded: Future[Any] | None = None,
    ) -> None:
        """``user``: who acts (the audit's actor), or a function asked at each action
        (the identity of File ▸ Who I am…, which may change while the workspace is open);
        by default the OS login. ``preloaded``: the list read at start-up
        (app/gui/opening.py), the first load's answer when it holds one."""
        self.workspace = workspace
        self._preloaded = preloaded
        # What "now" is for the alerts' due times (a test fixes it).
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        if callable(user):
            self._actor = user
        else:
            name = user or os_login()
            self._actor = lambda: name

    @property
    def user(self) -> str:
        return self._actor()

    def load_alert_columns(self) -> Mapping[str, Any] | AlertListData:
        preloaded, self._preloaded = self._preloaded, None
        if preloaded is not None:
            try:
                listed = preloaded.result()
            except Exception:  # read again below: a fault there is reported as usual
                log.warning("Could not read the alerts at start-up", exc_info=True)
                listed = None
            if listed is not None:
                return listed  # type: ignore[no-any-return]
        from services.alerts.queries import alert_columns
        from services.alerts.sla import sla_columns

        # Every status: the list filters by status itself, in milliseconds.
        from services.outreach.waiting import waiting_mask

        columns = alert_columns(self.workspace.engine, statuses=None)
        # Priorities are in the home currency: the list shows its sign. The cards whose
        # customer has a draft waiting in the review queue carry a badge.
        waiting = waiting_mask(self.workspace.engine, columns["customer_id"])
        listed = {name: columns[name] for name in ALERT_COLUMNS}
        due, overdue = sla_columns(
            self.workspace.engine,
            columns["id"],
            columns["created_at"],
            columns["severity"],
            columns["status"],
            self._now(),
        )
        from services.learn.uplift_cache import uplift_columns

        # "Most persuadable first" and each card's estimate (Results ▸ Who to contact), when
        # the model is fitted for the workspace as it is; else they follow the list
        # (load_uplift_columns, on a worker of its own: a fit takes seconds to minutes).
        uplift, uplift_text, uplift_note = uplift_columns(
            self.workspace.engine, columns["customer_id"], fit=False
        )
        return {**listed, "currency": self._home(), "draft_waiting": waiting,
                "due_text": due, "overdue": overdue,
                "uplift": uplift, "uplift_text": uplift_text,
                "uplift_note": uplift_note}  # fmt: skip

    def _home(self) -> str:
        from services.core.money import load_money_context

        with self.workspace.sessions() as session:
            return load_money_context(session).home

    def load_uplift_columns(
        self, customer_ids: Any, cancelled: Callable[[], bool] | None = None
    ) -> tuple[Any, Any, str]:
        from services.learn.uplift_cache import uplift_columns

        return uplift_columns(self.workspace.engine, customer_ids, cancelled=cancelled)

    def load_alert_detail(self, alert_id: int, card_ids: Sequence[int] = ()) -> AlertDetail:
        from services.alerts.detail import alert_detail

        return alert_detail(self.workspace.engine, alert_id, card_ids=card_ids, now=self._now())

    def apply_alert_action(
        self,
        alert_ids: Sequence[int],
        action: str,
        *,
        seen_versions: Mapping[int, int] | None = None,
        **params: Any,
    ) -> Undoable:
        from services.alerts.actions import apply_card_action

        if action in ("assign", "meeting"):  # the team's actions (views/alerts/team_prompts.py)
            return self._team_action(alert_ids, action, params)
        return apply_card_action(
            self.workspace.engine,
            alert_ids,
            action,
            actor=self.user,
            seen_versions=seen_versions,
            **params,
        )

    def _team_action(self, alert_ids: Sequence[int], action: str, params: Any) -> Undoable:
        if action == "assign":
            from services.alerts.assign import assign_customer

            engine, customer_id = self.workspace.engine, int(params["customer_id"])
            return assign_customer(engine, customer_id, str(params["to"]), actor=self.user)
        from services.outreach.meeting import log_meeting

        title, start, minutes = params["title"], params["start"], int(params["minutes"])
        return log_meeting(self.workspace.engine, alert_ids, title, start, minutes, actor=self.user)

    def playbook_choices(self) -> tuple[PlaybookChoice, ...]:
        from services.alerts.playbooks import playbook_choices

        return playbook_choices(self.workspace.engine)

    def undo_change(self, change: Undoable) -> str:
        from services.alerts.undo import undo_change

        return undo_change(self.workspace.engine, change, actor=self.user)

    def load_dashboard(self) -> DashboardData | None:
        from dataclasses import replace

        from services.usecases.dashboard import read_dashboard

        read = read_dashboard(self.workspace.engine)
        if read is None:
            return None
        data = dashboard_data(
            read.figures,
            read.latest,
            read.config_change_days,
            currency=read.currency,
            cards=self._open_cards(),
        )
        return replace(
            data, listen=read.listen, stale_sources=read.freshness.notice_lines, book=read.book
        )

    def _open_cards(self) -> OpenCards:
        """The dashboard's alert figures in cards, counted as the Alerts tab lists them:
        the list's data and filter over the open alerts (what the figures open)."""
        from services.alerts.queries import alert_columns
        from views.dashboard.opens import open_cards
        from views.item_models.alert_list_data import AlertListData

        columns = alert_columns(self.workspace.engine, statuses=("open", "in_progress"))
        return open_cards(AlertListData({name: columns[name] for name in ALERT_COLUMNS}))


def dashboard_data(
    figures: Dashboard,
    latest: Mapping[str, np.ndarray] | None,
    config_change_days: list[dt.date],
    *,
    currency: str = "USD",
    cards: OpenCards,
) -> DashboardData:
    """The dashboard pane's data from the services' figures, the latest score columns and
    the open alerts in cards (``cards``: what each alert figure opens in the Alerts tab)."""
    from views.charts.alert_charts import AGE_BUCKETS
    from views.dashboard.pane import DashboardData

    def scores(name: str) -> np.ndarray:
        if latest is None or name not in latest:
            return np.zeros(0)
        values = np.asarray(latest[name], dtype=float)
        finite: np.ndarray = values[np.isfinite(values)]
        return finite

    # The cards of each age bucket (services.alerts.records.ALERT_AGE_BUCKETS' order,
    # youngest first); the pane's labels are in the same order.
    by_age = {label: dict(bucket) for label, bucket in zip(AGE_BUCKETS, cards.by_age, strict=True)}
    trend = figures.trend
    return DashboardData(
        as_of=figures.as_of,
        scored_customers=figures.customers,
        at_risk_customers=figures.at_risk_customers,
        lost_at_risk_customers=figures.lost_at_risk_customers,
        at_risk_threshold=figures.at_risk_threshold,
        revenue_at_risk_cents=figures.revenue_at_risk_cents,
        open_cards_by_severity=dict(cards.by_severity),
        open_cards_by_age=by_age,
        open_alerts=cards.alerts,
        churn_risk=scores("churn_risk"),
        health=scores("health_score"),
        engagement=scores("engagement_score"),
        segments=[(s.segment, s.customers, s.revenue_at_risk_cents) for s in figures.segments],
        trend_dates=_epoch_seconds([p.as_of for p in trend]),
        trend_at_risk_share=np.asarray(
            [np.nan if p.at_risk_share is None else p.at_risk_share for p in trend], float
        ),
        trend_revenue_at_risk_cents=np.asarray(
            [p.revenue_at_risk_cents for p in trend], dtype=float
        ),
        trend_mean_health=np.asarray(
            [np.nan if p.mean_health is None else p.mean_health for p in trend], float
        ),
        config_change_dates=_epoch_seconds(config_change_days),
        currency=currency,
    )
