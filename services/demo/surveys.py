"""The demo's NPS survey, with a known effect of the simulated outreach on it.

- **The survey.** Every customer who has ordered is invited to the shop's NPS survey once
  a quarter (every ``_EVERY_DAYS`` days, at a phase of their own) over the last
  ``_YEARS`` years; about ``_ANSWER_RATE`` answer (fewer of those quiet for half a year),
  within a few days, as an ``nps`` interaction with the score in ``rating`` (0-10).
- **The score.** Loyal customers score higher, and every customer's score falls the
  longer it has been since their last order (up to ``_QUIET_PENALTY`` points after a
  year), around a taste of their own, with noise; rounded to whole points, 0 to 10.
- **The true effect.** A customer the simulated outreach contacted (services/demo/
  outreach.py: the contacted arm's emails, and the held out contacted anyway) scores
  ``TRUE_NPS_EFFECT`` (0.8) points higher in every answer after the contact (before the
  rounding; the bound at 10 takes a few hundredths off at most, for these lapsing
  customers). The held out do not.

Why the difference of the changes after outreach recovers the truth: the holdout is
drawn at random within risk bands, the invitations and answers are drawn alike for
everyone, and the score follows the generated order history *without* the simulated
re-engagement orders (as the campaign emails do), so the only difference between the
arms after the contact is the effect. Its own random stream: no other demo row changes.
The truth is kept in the demo's ``outreach`` truth (``nps``; services/demo/truth.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.schema import Interaction
from services.demo.generate import _nones, _objects
from services.demo.tables import _TableData
from services.demo.vocabulary import _DAY, SOURCE, FloatArray, IntArray

TRUE_NPS_EFFECT = 0.8
_EVERY_DAYS = 91
_YEARS = 2
_ANSWER_RATE = 0.6
_QUIET_ANSWER_RATE = 0.45  # quiet for more than _QUIET_DAYS
_QUIET_DAYS = 180
_QUIET_PENALTY = 2.5
_NOISE = 0.8
_TASTE = 0.8
# Mean score by archetype (services.demo.vocabulary.ARCHETYPES' order).
_MEAN = np.array([9.0, 8.6, 8.0, 7.6, 8.1, 7.0, 7.2, 6.6])
# The simulated outreach's arms that were contacted (attributes["demo_outreach"]["arm"]).
_CONTACTED_ARMS = ("contacted", "contacted_anyway")


def _recency(order_times: tuple[IntArray, FloatArray], who: IntArray, day: IntArray) -> IntArray:
    """Days from each customer's last order before ``day`` (-1: no order before it)."""
    customer, t = order_times
    key = customer.astype(np.float64) * 1e6 + t  # sorted by customer, then time
    at = np.searchsorted(key, who.astype(np.float64) * 1e6 + day, side="left")
    has = (at > 0) & (customer[np.maximum(at - 1, 0)] == who)
    last = t[np.maximum(at - 1, 0)]
    return np.where(has, day - np.floor(last).astype(np.int64), -1)


def _contact_seconds(
    attributes: Any, plan_customer: IntArray, contact: IntArray, n: int
) -> IntArray:
    """Per customer, the second the simulated outreach contacted them (-1: never)."""
    out = np.full(n, -1, dtype=np.int64)
    for i, at in zip(plan_customer.tolist(), contact.tolist(), strict=True):
        arm = attributes[i].get("demo_outreach", {}).get("arm")
        if arm in _CONTACTED_ARMS and at >= 0:
            out[i] = at
    return out


def nps_answers(
    rng: np.random.Generator,
    arch: IntArray,
    order_times: tuple[IntArray, FloatArray],
    outreach: tuple[IntArray, IntArray],
    attributes: Any,
    today_day: int,
) -> tuple[_TableData, dict[str, Any]]:
    """The NPS answers (interactions) and their truth (services/demo/truth.py).

    ``order_times``: the generated orders (customer, day as a float), sorted, without the
    simulated re-engagement orders; ``outreach``: the plan's customers and contact
    seconds; ``attributes``: per customer, with the outreach arm already marked."""
    n = len(arch)
    start = today_day - 365 * _YEARS
    phase = rng.integers(0, _EVERY_DAYS, n)
    rounds = (today_day - start) // _EVERY_DAYS + 1
    who = np.repeat(np.arange(n, dtype=np.int64), rounds)
    day = start + np.tile(np.arange(rounds, dtype=np.int64) * _EVERY_DAYS, n) + phase[who]
    quiet = _recency(order_times, who, day)
    rate = np.where(quiet > _QUIET_DAYS, _QUIET_ANSWER_RATE, _ANSWER_RATE)
    answered = (quiet >= 0) & (day < today_day) & (rng.random(len(who)) < rate)
    who, day, quiet = who[answered], day[answered], quiet[answered]
    seconds = (day * _DAY + rng.exponential(1.5 * _DAY, len(who))).astype(np.int64)
    seconds += rng.integers(7 * 3600, 22 * 3600, len(who))
    keep = seconds < today_day * _DAY
    who, quiet, seconds = who[keep], quiet[keep], seconds[keep]

    taste = rng.normal(0.0, _TASTE, n)
    latent = (
        _MEAN[arch[who]]
        + taste[who]
        - _QUIET_PENALTY * np.minimum(quiet / 365.0, 1.0)
        + rng.normal(0.0, _NOISE, len(who))
    )
    contacted_at = _contact_seconds(attributes, outreach[0], outreach[1], n)
    lifted = (contacted_at[who] >= 0) & (seconds > contacted_at[who])
    latent = latent + np.where(lifted, TRUE_NPS_EFFECT, 0.0)
    rating = np.clip(np.round(latent), 0, 10).astype(np.int64)

    order = np.argsort(seconds, kind="stable")
    who, seconds, rating = who[order], seconds[order], rating[order]
    k = len(who)
    table = _TableData(
        Interaction.__table__,  # type: ignore[arg-type]
        {
            "kind": np.full(k, "nps", dtype=object),
            "occurred_at": seconds.astype("datetime64[s]"),
            "channel": np.full(k, "survey", dtype=object),
            "subject": np.full(k, "NPS survey", dtype=object),
            "text": _nones(k),
            "rating": _objects(rating.tolist()),
            "source": np.full(k, SOURCE, dtype=object),
            "external_id": _objects([f"N{100001 + j}" for j in range(k)]),
        },
        customer=who,
    )
    truth = {
        "true_effect": TRUE_NPS_EFFECT,
        "scale": "0-10",
        "answers": k,
        "answers_after_contact": int(lifted[order].sum()),
        "every_days": _EVERY_DAYS,
    }
    return table, truth
