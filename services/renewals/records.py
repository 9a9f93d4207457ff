"""The renewal records every surface reads (Results ▸ Renewals, ``report renewals``):
frozen, so the window's worker and the command line hand them on as they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.renewals.vocab import AT_RISK, LOST

__all__ = [
    "AT_RISK_BELOW",
    "MIN_RATE_TERMS",
    "MIN_RENEWALS",
    "Backtest",
    "Bin",
    "Checked",
    "Forecast",
    "PipelineMonth",
    "RenewalsReport",
    "Upcoming",
]

# The model is fitted only on at least this many past renewals, with at least MIN_EACH
# renewed and MIN_EACH churned; with fewer, the cold-start fallback forecasts.
MIN_RENEWALS = 40
MIN_EACH = 8
# The fallback is the renewal rate of past terms given at least this many; with fewer,
# one minus the customer's churn risk.
MIN_RATE_TERMS = 10
# An open renewal is at risk below this likelihood (or when its owner calls it at risk
# or lost).
AT_RISK_BELOW = 0.5

FITTED = "fitted"
COLD_START = "cold_start"


@dataclass(frozen=True)
class Bin:
    """A calibration bin: the forecasts from ``low`` to ``high``, how many, their mean
    and the share that renewed."""

    low: float
    high: float
    count: int
    forecast: float
    renewed: float


@dataclass(frozen=True)
class Backtest:
    """The model on past renewal dates, fitted on the earlier renewals and judged on the
    later ones, beside its baselines; ``verdict`` says in words what forecasts."""

    renewals: int  # past renewals known
    held_out: int  # judged
    kind: str | None  # logistic or boosting: the candidate the backtest preferred
    auc: float | None
    brier: float | None
    bins: tuple[Bin, ...]
    rate_brier: float | None  # the past renewal rate's
    risk_auc: float | None  # one minus the churn risk's
    risk_brier: float | None
    beats: bool
    verdict: str


@dataclass(frozen=True)
class Forecast:
    """One upcoming renewal's likelihood as a run forecasts it."""

    contract_id: int
    customer_id: int
    likelihood: float
    model: str  # FITTED or COLD_START
    drivers: tuple[str, ...]


@dataclass(frozen=True)
class Upcoming:
    """An open renewal ahead, with the latest run's likelihood and the owner's call."""

    contract_id: int
    customer_id: int
    name: str
    owner: str
    segment: str
    end: dt.date
    annual_cents: float | None
    likelihood: float | None
    model: str | None
    drivers: tuple[str, ...]
    call: str | None  # the owner's latest call

    @property
    def at_risk(self) -> bool:
        """Below AT_RISK_BELOW, or called at risk or lost."""
        low = self.likelihood is not None and self.likelihood < AT_RISK_BELOW
        return low or self.call in (AT_RISK, LOST)


@dataclass(frozen=True)
class PipelineMonth:
    """The renewals of one month (by renewal date); each figure's contracts by id.

    Amounts are a year's recurring revenue in home hundredths (annual recurring revenue).
    """

    month: dt.date  # its first day
    contracts: tuple[int, ...]
    up_cents: float
    expected_cents: float
    committed: tuple[int, ...]
    committed_cents: float
    at_risk: tuple[int, ...]
    at_risk_cents: float
    won: tuple[int, ...]
    won_cents: float
    lost: tuple[int, ...]
    lost_cents: float
    expansion_cents: float
    contraction_cents: float
    customers: dict[int, int] = field(default_factory=dict)  # contract -> customer


@dataclass(frozen=True)
class Checked:
    """Forecasts set against what happened, for one forecaster (the model, or an owner)
    at one checkpoint (months before the renewal date)."""

    who: str
    checkpoint_months: int
    count: int
    hit_rate: float | None  # forecast >= 50 % and renewed, or below and churned
    brier: float | None
    mean_forecast: float | None
    renewed_share: float | None
    bins: tuple[Bin, ...] = ()
    contracts: tuple[int, ...] = ()


@dataclass(frozen=True)
class RenewalsReport:
    """Everything the renewal surfaces show, read as of ``as_of``: the upcoming renewals
    with the latest run's likelihoods, the pipeline by month, the backtest, and forecast
    against actual for the model and the owners. Money in home hundredths a year."""

    as_of: dt.date
    home: str
    contracts: int  # in the workspace, before any filter
    run_as_of: dt.date | None  # the run whose forecasts are shown; None: none yet
    upcoming: tuple[Upcoming, ...]
    months: tuple[PipelineMonth, ...]
    backtest: Backtest | None
    model_checks: tuple[Checked, ...]
    owner_checks: tuple[Checked, ...]
    owners: tuple[str, ...]  # to filter by
    segments: tuple[str, ...]
    names: dict[int, str] = field(default_factory=dict)  # customer -> name
    no_rate: int = 0  # contracts whose currency has no exchange rate
    # contract -> customer, every contract read (a figure opens its contracts' customers)
    customers: dict[int, int] = field(default_factory=dict)
    # How far apart an owner's call and the model's likelihood disagree (a fraction: 0.4;
    # the renewal calls' setting); None: not read.
    disagreement_gap: float | None = None
