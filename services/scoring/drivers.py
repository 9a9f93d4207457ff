"""Drivers: each customer's top three directional reasons, in plain words with numbers.

Candidate reasons are generated for all customers at once (a mask, a strength 0..1 and
a direction per candidate). A "risk" reason's weight is its strength x the customer's
churn risk, a "good" reason's its strength x (1 - churn risk), so a customer likely to
churn shows what pushes the risk up first, a safe one what holds it down. The three
heaviest reasons per customer are kept; their text is built only for them, with numpy
string operations. Directional, not causal.

Risk reasons                                        Good reasons
- no order in 142 days; usual gap 35 days            - ordered 4 times in the last 90 days
- only one order, 200 days ago                       - last order 12 days ago; usual gap 30 days
- new customer, thin history: one order so far,
  25 days ago (or 2 orders, the first 90 days ago)
- 2 bad-satisfaction tickets in 60 days (or 180)     - spend up 45% vs previous 90 days
- spend down 60% vs previous 90 days                 - opened 5 of 6 emails since June
- opened 0 of 6 emails since June                    - average review 4.8 of 5 (3 reviews)
- unsubscribed from emails 40 days ago               - active subscription
- average review 1.5 of 5 (2 reviews)                - customer for 2.5 years, 14 orders
- cancelled a subscription 30 days ago               - 2 support tickets rated good this year
- 3 support tickets in 60 days
- 1 order in the last 90 days vs 4 in the 90 before
- raised cancellation on the Dec 12 call             - sounded positive in conversations
- mentioned a competitor (Acme) on the Oct 3 email     in the last 90 days
- complained about the price in 2 conversations
- sounded unhappy in conversations in the last 90 days

The conversation reasons (services/scoring/_conversations.py) name the latest
conversation of the last 90 days that raised each kind of risk, where and when.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.conversations.reading_rules import RISK_LABELS
from services.scoring._conversations import WHERE
from services.scoring.data import EPOCH
from services.scoring.health import usual_gap

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

TOP = 3
MONTHS = np.array(calendar.month_name[1:])
MONTH_ABBR = np.array(calendar.month_abbr[1:])
# How strongly each kind of risk raised in a conversation weighs, the gravest first.
RISK_STRENGTH = {
    "cancellation": 0.95,
    "champion_leaving": 0.75,
    "competitor": 0.65,
    "budget_cut": 0.55,
    "price_complaint": 0.45,
}
UNHAPPY = -0.3  # the customer's mean sentiment at or below which they sounded unhappy
HAPPY = 0.3
_EPOCH64 = np.datetime64(EPOCH.isoformat(), "D")


@dataclass(frozen=True)
class _Candidate:
    direction: str
    mask: BoolArray
    strength: FloatArray
    text: Callable[[IntArray], StrArray]  # rows -> texts


@dataclass(frozen=True)
class DriverTable:
    """Up to TOP drivers per customer; text "" and weight 0 where there are fewer."""

    text: npt.NDArray[np.object_]  # (n, TOP)
    direction: npt.NDArray[np.object_]  # (n, TOP)
    weight: FloatArray  # (n, TOP)

    def top_text(self) -> npt.NDArray[np.object_]:
        """Each customer's first driver text (None when there is none)."""
        first = self.text[:, 0].copy()
        first[first == ""] = None
        out: npt.NDArray[np.object_] = first
        return out


def _s(values: npt.NDArray[np.generic]) -> StrArray:
    """Whole numbers as text."""
    out: StrArray = np.rint(values).astype(np.int64).astype(str)
    return out


def _join(*parts: str | StrArray) -> StrArray:
    out: StrArray = np.asarray(parts[0], dtype=str)
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def _plural(count: FloatArray, one: str, many: str) -> StrArray:
    return np.where(np.rint(count) == 1, one, many)


def _month(days: FloatArray) -> StrArray:
    """The month name of day numbers."""
    dates = _EPOCH64 + np.nan_to_num(days).astype(np.int64)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    out: StrArray = MONTHS[month]
    return out


def _short_date(days: FloatArray) -> StrArray:
    """Day numbers as "Dec 12"."""
    dates = _EPOCH64 + np.nan_to_num(days).astype(np.int64)
    month = dates.astype("datetime64[M]")
    day_of_month = (dates - month.astype("datetime64[D]")).astype(np.int64) + 1
    return _join(MONTH_ABBR[month.astype(np.int64) % 12], " ", day_of_month.astype(str))


@dataclass(frozen=True)
class _Signals:
    """The feature columns the reasons read, and what they derive from them, for all
    customers at once."""

    n: int
    col: dict[str, FloatArray]
    nan0: dict[str, FloatArray]  # the columns with NaN as 0
    gap: FloatArray  # the usual gap between orders, in days
    days: FloatArray
    recency: FloatArray
    ratio: FloatArray  # recency / usual gap
    sends: FloatArray
    opens: FloatArray
    open_rate: FloatArray
    trend: FloatArray
    rating: FloatArray
    reviews: FloatArray
    bad60: FloatArray
    bad180: FloatArray
    unsub_days: FloatArray
    cancel_days: FloatArray

    def pct(self, rows: IntArray) -> StrArray:
        return _s(np.abs(self.trend[rows]) * 100)

    def review_text(self, rows: IntArray) -> StrArray:
        return _join(
            "average review ",
            np.char.mod("%.1f", self.rating[rows]).astype(str),
            " of 5 (",
            _s(self.reviews[rows]),
            _plural(self.reviews[rows], " review)", " reviews)"),
        )

    def email_text(self, rows: IntArray) -> StrArray:
        return _join(
            "opened ",
            _s(self.opens[rows]),
            " of ",
            _s(self.sends[rows]),
            " emails since ",
            _month(self.col["first_send_180"][rows]),
        )


def _signals(f: pd.DataFrame) -> _Signals:
    col = {name: f[name].to_numpy(dtype=np.float64) for name in f.columns}
    gap = usual_gap(f)
    recency = col["recency_days"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = recency / gap
    sends = col["sends_180"]
    opens = np.minimum(col["opens_180"], sends)
    with np.errstate(invalid="ignore", divide="ignore"):
        open_rate = np.where(sends > 0, opens / np.where(sends > 0, sends, 1), np.nan)
    return _Signals(
        n=len(f),
        col=col,
        nan0={name: np.nan_to_num(v) for name, v in col.items()},
        gap=gap,
        days=col["purchase_days"],
        recency=recency,
        ratio=ratio,
        sends=sends,
        opens=opens,
        open_rate=open_rate,
        trend=col["spend_trend"],
        rating=col["review_rating"],
        reviews=col["reviews"],
        bad60=col["bad_tickets_60"],
        bad180=col["bad_tickets_180"],
        unsub_days=col["days_since_unsubscribe"],
        cancel_days=col["days_since_subscription_cancel"],
    )


def _candidates(f: pd.DataFrame, competitors: tuple[str, ...] = ()) -> list[_Candidate]:
    """Every reason, in a fixed order: the risks, then the good signs."""
    s = _signals(f)
    talk = _conversation_signs(s, competitors)
    return _history_risks(s) + _signal_risks(s) + talk + _good_signs(s)


def _history_risks(s: _Signals) -> list[_Candidate]:
    """The risks in the order history: overdue, one order, a new customer's thin history."""
    return [
        _Candidate(
            "risk",
            (s.days >= 2) & (s.ratio >= 1.5),
            np.minimum(1.0, (s.nan0["recency_days"] / s.gap - 1.0) / 3.0),
            lambda r: _join(
                "no order in ", _s(s.recency[r]), " days; usual gap ", _s(s.gap[r]), " days"
            ),
        ),
        _Candidate(
            "risk",
            (s.days == 1) & (s.nan0["recency_days"] >= 60),
            0.8 * np.minimum(1.0, s.nan0["recency_days"] / 365.0),
            lambda r: _join("only one order, ", _s(s.recency[r]), " days ago"),
        ),
        # A new customer's risk is mostly what the model knows of customers with this
        # little history: say so, rather than show only their good signs.
        _Candidate(
            "risk",
            (s.days == 1) & (s.nan0["recency_days"] < 60),
            np.full(s.n, 0.55),
            lambda r: _join(
                "new customer, thin history: one order so far, ", _s(s.recency[r]), " days ago"
            ),
        ),
        _Candidate(
            "risk",
            (s.days == 2) & (s.nan0["tenure_days"] < 180),
            np.full(s.n, 0.45),
            lambda r: _join(
                "new customer, thin history: 2 orders so far, the first ",
                _s(s.col["tenure_days"][r]),
                " days ago",
            ),
        ),
    ]


def _signal_risks(s: _Signals) -> list[_Candidate]:
    """The other risks: tickets, spend, emails, reviews, subscriptions, fewer orders."""
    return [
        _Candidate(
            "risk",
            s.bad60 >= 1,
            np.minimum(1.0, 0.5 + 0.25 * s.bad60),
            lambda r: _join(
                _s(s.bad60[r]),
                _plural(s.bad60[r], " bad-satisfaction ticket", " bad-satisfaction tickets"),
                " in 60 days",
            ),
        ),
        _Candidate(
            "risk",
            (s.bad60 == 0) & (s.bad180 >= 1),
            np.minimum(0.8, 0.35 + 0.15 * s.bad180),
            lambda r: _join(
                _s(s.bad180[r]),
                _plural(s.bad180[r], " bad-satisfaction ticket", " bad-satisfaction tickets"),
                " in 180 days",
            ),
        ),
        _Candidate(
            "risk",
            # Not when "no order in N days" already says it (spend down 100% is the same).
            (s.nan0["spend_prev_90"] > 0)
            & (np.nan_to_num(s.trend) <= -0.3)
            & ~((s.days >= 2) & (s.ratio >= 1.5) & (s.nan0["spend_90"] <= 0)),
            0.7 * np.minimum(1.0, -np.nan_to_num(s.trend)),
            lambda r: _join("spend down ", s.pct(r), "% vs previous 90 days"),
        ),
        _Candidate(
            "risk",
            (s.sends >= 3) & (np.nan_to_num(s.open_rate, nan=1.0) <= 0.2),
            0.3 + 0.4 * (1.0 - np.nan_to_num(s.open_rate) / 0.2),
            s.email_text,
        ),
        _Candidate(
            "risk",
            np.nan_to_num(s.unsub_days, nan=np.inf) <= 365,
            0.2 + 0.6 * (1.0 - np.nan_to_num(s.unsub_days, nan=365.0) / 365.0),
            lambda r: _join("unsubscribed from emails ", _s(s.unsub_days[r]), " days ago"),
        ),
        _Candidate(
            "risk",
            (s.reviews >= 1) & (np.nan_to_num(s.rating, nan=5.0) <= 2.5),
            0.3 + 0.15 * (3.0 - np.nan_to_num(s.rating, nan=3.0)),
            s.review_text,
        ),
        _Candidate(
            "risk",
            np.nan_to_num(s.cancel_days, nan=np.inf) <= 365,
            0.2 + 0.7 * (1.0 - np.nan_to_num(s.cancel_days, nan=365.0) / 365.0),
            lambda r: _join("cancelled a subscription ", _s(s.cancel_days[r]), " days ago"),
        ),
        _Candidate(
            "risk",
            (s.col["tickets_60"] >= 2) & (s.bad60 == 0),
            np.minimum(0.7, 0.25 + 0.1 * s.col["tickets_60"]),
            lambda r: _join(_s(s.col["tickets_60"][r]), " support tickets in 60 days"),
        ),
        _Candidate(
            "risk",
            (s.col["purchases_prev_90"] >= 2)
            & (s.col["purchases_90"] < s.col["purchases_prev_90"] / 2),
            0.3 + 0.1 * np.minimum(4.0, s.col["purchases_prev_90"] - s.col["purchases_90"]),
            lambda r: _join(
                _s(s.col["purchases_90"][r]),
                _plural(s.col["purchases_90"][r], " order", " orders"),
                " in the last 90 days vs ",
                _s(s.col["purchases_prev_90"][r]),
                " in the 90 before",
            ),
        ),
    ]


def _raised(s: _Signals, kind: str, many: bool, names: tuple[str, ...] = ()) -> _Candidate:
    """A kind of risk raised in conversations of the last 90 days: where and when the
    latest was, or (``many``) in how many conversations; ``names``: the competitors a
    competitor's mention may name."""
    count = s.nan0[f"conv_{kind}_90"]
    label = RISK_LABELS[kind]
    if many:
        return _Candidate(
            "risk",
            count >= 2,
            np.minimum(1.0, RISK_STRENGTH[kind] + 0.1 * count),
            lambda r: _join(label, " in ", _s(count[r]), " conversations"),
        )
    where = np.asarray(WHERE)
    named = np.asarray([f" ({name})" for name in names] + [""])
    which = np.nan_to_num(s.col.get("conv_competitor_named", np.full(s.n, np.nan)), nan=-1.0)
    which = np.where((which >= 0) & (which < len(names)), which, -1).astype(np.int64)
    return _Candidate(
        "risk",
        (count == 1) if kind == "price_complaint" else (count >= 1),
        np.full(s.n, RISK_STRENGTH[kind]),
        lambda r: _join(
            label,
            named[which[r]] if kind == "competitor" else "",
            " on the ",
            _short_date(s.col[f"conv_{kind}_day"][r]),
            " ",
            where[s.nan0[f"conv_{kind}_where"][r].astype(np.int64)],
        ),
    )


def _conversation_signs(s: _Signals, competitors: tuple[str, ...]) -> list[_Candidate]:
    """What customers said in conversations: the risks they raised (a competitor by name
    when its mention named one of ``competitors``), how they sounded."""
    felt = s.col["conv_sentiment_90"]
    quiet = s.nan0["conv_risks_90"] == 0
    said = [_raised(s, kind, many=False, names=competitors) for kind in RISK_STRENGTH]
    return [
        *said,
        _raised(s, "price_complaint", many=True),
        _Candidate(
            "risk",
            quiet & (np.nan_to_num(felt, nan=0.0) <= UNHAPPY),
            np.full(s.n, 0.45),
            lambda r: np.full(r.size, "sounded unhappy in conversations in the last 90 days"),
        ),
        _Candidate(
            "good",
            quiet & (np.nan_to_num(felt, nan=0.0) >= HAPPY),
            np.full(s.n, 0.3),
            lambda r: np.full(r.size, "sounded positive in conversations in the last 90 days"),
        ),
    ]


def _good_signs(s: _Signals) -> list[_Candidate]:
    """What holds the risk down."""
    return [
        _Candidate(
            "good",
            s.col["purchases_90"] >= 2,
            np.minimum(1.0, 0.3 + 0.15 * s.col["purchases_90"]),
            lambda r: _join("ordered ", _s(s.col["purchases_90"][r]), " times in the last 90 days"),
        ),
        _Candidate(
            "good",
            (s.days >= 2) & (s.ratio <= 1.0),
            np.full(s.n, 0.5),
            lambda r: _join(
                "last order ", _s(s.recency[r]), " days ago; usual gap ", _s(s.gap[r]), " days"
            ),
        ),
        _Candidate(
            "good",
            (s.nan0["spend_prev_90"] > 0) & (np.nan_to_num(s.trend) >= 0.3),
            0.6 * np.minimum(1.0, np.nan_to_num(s.trend)),
            lambda r: _join("spend up ", s.pct(r), "% vs previous 90 days"),
        ),
        _Candidate(
            "good",
            (s.sends >= 3) & (np.nan_to_num(s.open_rate) >= 0.5),
            0.3 + 0.3 * np.nan_to_num(s.open_rate),
            s.email_text,
        ),
        _Candidate(
            "good",
            (s.reviews >= 1) & (np.nan_to_num(s.rating) >= 4.5),
            np.full(s.n, 0.35),
            s.review_text,
        ),
        _Candidate(
            "good",
            s.col["subscription_active"] > 0,
            np.full(s.n, 0.5),
            lambda r: np.full(r.size, "active subscription"),
        ),
        _Candidate(
            "good",
            (s.nan0["tenure_days"] >= 365) & (s.days >= 6),
            np.full(s.n, 0.3),
            lambda r: _join(
                "customer for ",
                np.char.mod("%.1f", s.col["tenure_days"][r] / 365.25).astype(str),
                " years, ",
                _s(s.col["orders_total"][r]),
                " orders",
            ),
        ),
        _Candidate(
            "good",
            (s.col["good_tickets_365"] >= 1) & (s.col["bad_tickets_365"] == 0),
            np.full(s.n, 0.25),
            lambda r: _join(
                _s(s.col["good_tickets_365"][r]),
                _plural(
                    s.col["good_tickets_365"][r],
                    " support ticket rated good this year",
                    " support tickets rated good this year",
                ),
            ),
        ),
    ]


def top_drivers(
    features: pd.DataFrame, churn_risk: FloatArray, competitors: tuple[str, ...] = ()
) -> DriverTable:
    """Each customer's TOP heaviest reasons (vectorised over customers); ``competitors``:
    the names conv_competitor_named points into (ScoringData.conversations.names)."""
    n = len(features)
    cands = _candidates(features, competitors)
    k = len(cands)
    weights = np.full((n, k), -1.0)
    risk = np.nan_to_num(churn_risk, nan=0.5)
    for j, c in enumerate(cands):
        align = risk if c.direction == "risk" else 1.0 - risk
        w = np.clip(np.nan_to_num(c.strength), 0.0, 1.0) * align
        weights[:, j] = np.where(c.mask & (w > 0), w, -1.0)
    # Heaviest first; ties keep the candidate order (risk reasons first).
    order = np.argsort(-weights, axis=1, kind="stable")[:, :TOP]
    chosen_w = np.take_along_axis(weights, order, axis=1)
    text = np.full((n, TOP), "", dtype=object)
    direction = np.full((n, TOP), "", dtype=object)
    for j, c in enumerate(cands):
        rows, slots = np.nonzero((order == j) & (chosen_w > 0))
        if rows.size:
            text[rows, slots] = c.text(rows.astype(np.int64)).astype(object)
            direction[rows, slots] = c.direction
    weight = np.where(chosen_w > 0, np.round(chosen_w, 3), 0.0)
    return DriverTable(text=text, direction=direction, weight=weight)
