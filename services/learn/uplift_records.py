"""The records of "Who to contact" (services/learn/uplift.py) and their words.

Standard library only, so that views may load it.

Uplift: how much outreach raises a customer's chance of a return (a paid order within the
attribution window), in points of percentage. It is estimated from the past exposures
(the contacted and the held-out customers, services/learn/data.py) with two models, one
per group, over the features scoring computes, as of the alert (the T-learner), shrunk
toward the measured average lift as far as the data asks (services/learn/uplift_model.py).
The Qini curve ranks the past exposures by their score, each scored by models that never
saw it (cross-fitting), and counts the returns the ranking would have added.

The estimates are shown as a ranking (the queue's "Most persuadable first", the list of
estimates, each card's own figure) only while that ranking has beaten a random order on
the past exposures: the Qini coefficient's 90% interval above zero (``UpliftReport.ranks``,
the one place that decides). Until then every surface says why, and the cards show the
average lift measured over all past exposures.
"""

from __future__ import annotations

from dataclasses import dataclass

# Enough data to estimate anything: the threshold in words is ENOUGH_WORDS.
MIN_CONTACTED = 100
MIN_HELD_OUT = 40
MIN_RETURNS = 5  # in each group
ENOUGH_WORDS = (
    f"at least {MIN_CONTACTED} contacted and {MIN_HELD_OUT} held-out customers whose "
    f"window has closed, with at least {MIN_RETURNS} returns in each group"
)
METHOD_WORDS = (
    "Two models, one for contacted and one for held-out customers (regularised logistic "
    "regression over the scoring features as of each alert); their difference is a "
    "customer's score. The curve scores each past customer with models fitted without "
    "them (5 folds). A customer's estimate starts from the average lift measured on past "
    "customers (contacted return rate minus held-out return rate) and moves from it by "
    "their score's distance from the average, times how far the scores of past customers "
    "turned out to track their real returns (from 0: not at all, to 1: fully). Its 90% "
    "band adds the average lift's interval, the doubt about that factor, the score's own "
    "noise (refits on resampled past customers), what a score cannot tell about one "
    "customer, and how far the estimates miss the lift measured in groups of past "
    "customers. Estimates are ranked, and "
    '"Most persuadable first" is offered, only once the ranking has beaten a random '
    "order on past customers (the Qini coefficient's 90% interval above zero)."
)
# The uplift distribution's bars: edges in points (the first and last are open).
DISTRIBUTION_EDGES = (-5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0)


@dataclass(frozen=True)
class QiniCurve:
    """Returns a ranking would have added, by the share of customers contacted first.

    ``shares[k]`` is k / N (0 to 1) and ``gains[k]`` the extra returns among the first k
    per past exposure: (returns of the contacted among them - returns of the held-out
    among them × contacted / held-out among them) / N. The random ranking is the
    straight line from (0, 0) to (1, gains[-1]); ``coefficient`` is the area between the
    curve and that line (trapezoids), so 0 means no better than random.
    """

    shares: tuple[float, ...]
    gains: tuple[float, ...]
    coefficient: float


@dataclass(frozen=True)
class UpliftEstimate:
    """One customer's estimated uplift (a share, 0.12 = 12 points) with its band."""

    customer_id: int
    uplift: float
    low: float  # the 90% band's lower end (services/learn/uplift_model.py)
    high: float  # ... and its upper end


@dataclass(frozen=True)
class UpliftBar:
    """A bar of the distribution: the customers whose estimate lies in [low, high)."""

    low: float | None  # points; None: open below
    high: float | None  # points; None: open above
    customer_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        if self.low is None:
            return f"under {self.high:+.0f}"
        if self.high is None:
            return f"{self.low:+.0f} or more"
        return f"{self.low:+.0f} to {self.high:+.0f}"


@dataclass(frozen=True)
class UpliftReport:
    """Who to contact: the model's honesty on past exposures and today's estimates."""

    enough: bool
    reason: str  # why not (empty when enough)
    window_days: int
    contacted: int  # past exposures with a closed window, by group
    held_out: int
    contacted_returns: int
    held_out_returns: int
    model_curve: QiniCurve | None = None
    risk_curve: QiniCurve | None = None  # ranked by churn risk (None: no risk known)
    # The model's Qini coefficient's 90% band over resamples of the past exposures.
    qini_low: float | None = None
    qini_high: float | None = None
    # Past exposures, in stable order: alert, customer, contacted?, returned?, the
    # cross-fitted uplift, the churn risk (NaN: unknown).
    past_alerts: tuple[int, ...] = ()
    past_customers: tuple[int, ...] = ()
    past_contacted: tuple[bool, ...] = ()
    past_returned: tuple[bool, ...] = ()
    past_scores: tuple[float, ...] = ()
    past_risks: tuple[float, ...] = ()
    estimates: tuple[UpliftEstimate, ...] = ()  # customers with an active alert
    bars: tuple[UpliftBar, ...] = ()
    # The measured average lift over the past exposures (contacted minus held-out return
    # rate) and its 95% interval, as Results ▸ Outreach states it (the estimates start
    # from it, with its 90% interval, the bands' level).
    lift: float | None = None
    lift_low: float | None = None
    lift_high: float | None = None
    # How far the estimates move from the lift: the calibration slope used (0 to 1) and
    # the measured slope's standard error.
    slope: float | None = None
    slope_se: float | None = None
    # Each past exposure's estimate and 90% band (in the order above), from the models
    # fitted on all of them: what a known truth is checked against (bench/).
    past_uplift: tuple[float, ...] = ()
    past_low: tuple[float, ...] = ()
    past_high: tuple[float, ...] = ()

    @property
    def ranks(self) -> bool:
        """Whether the estimates may be shown as a ranking ("Most persuadable first", the
        list of estimates, each card's own figure): only once ranking by them has beaten
        a random order on the past exposures, the Qini coefficient's 90% interval above
        zero. Every surface asks this, and nothing else."""
        return self.enough and self.qini_low is not None and self.qini_low > 0

    def estimate_of(self) -> dict[int, UpliftEstimate]:
        """The estimates by customer id."""
        return {e.customer_id: e for e in self.estimates}


def not_enough_words(report: UpliftReport) -> str:
    """ "Not enough data yet: …" with the counts so far."""
    return (
        f"Not enough data yet: the estimate needs {ENOUGH_WORDS}. So far "
        f"{report.contacted:,} contacted ({report.contacted_returns:,} returned) and "
        f"{report.held_out:,} held out ({report.held_out_returns:,} returned)."
    )


def uplift_words(estimate: UpliftEstimate) -> str:
    """The estimate in a sentence, as a card shows it."""
    points = round(estimate.uplift * 100)
    if estimate.low > 0:
        return f"Outreach likely raises the chance of a return by about {points} points"
    if estimate.high < 0:
        return f"Outreach may lower the chance of a return, by about {-points} points"
    return (
        f"Outreach may change the chance of a return by about {points:+d} points, "
        f"between {round(estimate.low * 100):+d} and {round(estimate.high * 100):+d} "
        f"(the band includes no change)"
    )
