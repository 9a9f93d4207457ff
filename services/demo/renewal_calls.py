"""The demo's owners' calls on their renewals, each owner with a skill of their own.

Every owner (services/demo/vocabulary.py's OWNERS) calls the renewals of their contracts
at the checkpoints, 6 and 3 months before the renewal date, as in life: commit, likely,
at risk or lost (services/renewals/vocab.py). A call comes from the term's true chance
(services/demo/renewal_truth.py) as the owner sees it: on the logit scale, shifted by the
owner's bias and blurred by their noise, less so at 3 months than at 6 (the owner knows
more by then); the call is the one whose chance (``CALL_CHANCE``) is nearest that view.

- Maya Thompson is well calibrated (no bias, little noise); Lucas Moreno is optimistic
  (calls commit or likely too often); Hannah Becker is noisy (her calls are close to a
  coin's); Priya Raman and Daniel Okafor are in between. ``SKILLS`` ranks them: the
  calibrated owner first, the noisy one last, the three others between. The demo's truth
  keeps it (``calls``) so that a benchmark can check that forecast against
  actual ranks the owners the same way. An owner's book is small (a few dozen decided
  renewals), so their Brier score also depends on how hard their renewals were to call;
  set against the true chances' own Brier score on the same renewals, the ranks show.
- A decided term has a call at both checkpoints, bar a few left out. An open term has a
  call at each checkpoint already passed, about 80 % of the time, so some calls are due
  today; the optimistic owner's calls often disagree with what a model would say.
- A call is made on its checkpoint's day or within the week after (never on or after
  today, nor on the renewal date); ``model_likelihood`` is left empty, as no model had
  scored the demo when they were made.

Drawn from a random stream of its own ([seed, 24]), so that no other row of the demo
changed when the calls were added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.schema.renewals import RenewalCall
from services.demo.tables import _TableData
from services.demo.vocabulary import _EPOCH, OWNERS
from services.renewals.calls import months_before
from services.renewals.vocab import AT_RISK, CALL_CHANCE, CALLS, COMMIT, LIKELY, LOST, OPEN

__all__ = ["CHECKPOINTS", "SKILLS", "OwnerSkill", "demo_calls", "owner_calls"]

CHECKPOINTS = (6, 3)
# How much of an owner's noise is left at each checkpoint (better informed nearer the date).
NOISE_LEFT = {6: 1.0, 3: 0.55}
_MISSED_DECIDED = 0.06  # a decided term's checkpoint with no call
_CALLED_OPEN = 0.8  # an open term's passed checkpoint that has its call
_DAYS_LATE = 7  # a call is made within this many days of its checkpoint


@dataclass(frozen=True)
class OwnerSkill:
    """How an owner sees a renewal's chance: bias and noise on the logit scale, and their
    rank (1 the most skilful; owners of one rank are as skilful on the whole)."""

    owner: str
    style: str
    bias: float
    noise: float
    rank: int


# Forecast against actual should rank the owners in this order. An optimistic owner's
# calls cost them only on the renewals that churn, about a quarter of the demo's: on the
# whole they are as far off as the owners in between.
SKILLS = (
    OwnerSkill("Maya Thompson", "well calibrated", 0.0, 0.15, 1),
    OwnerSkill("Priya Raman", "in between, a little cautious", -0.4, 2.2, 2),
    OwnerSkill("Daniel Okafor", "in between, a little hopeful", 0.4, 2.2, 2),
    OwnerSkill("Lucas Moreno", "optimistic", 3.5, 1.5, 2),
    OwnerSkill("Hannah Becker", "noisy", 0.0, 8.0, 3),
)
assert {s.owner for s in SKILLS} == set(OWNERS)

NOTES = {
    COMMIT: (
        "Procurement confirmed the renewal.",
        "Budget signed off for next year.",
        "Happy with the programme; renewing as is.",
        "They asked about adding seats next term.",
    ),
    LIKELY: (
        "Buyer is positive; paperwork not started yet.",
        "Orders steady, no complaints this quarter.",
        "Budget approved in principle.",
        "Good review meeting; waiting on finance.",
    ),
    AT_RISK: (
        "New buyer is reviewing all suppliers.",
        "Orders have slowed; needs a visit.",
        "Unhappy with the last delivery.",
        "Asked for a discount before renewing.",
    ),
    LOST: (
        "Told us they are moving to another supplier.",
        "The programme is being cut next year.",
        "No answer to the last three calls.",
        "They are closing the office that ordered.",
    ),
}

_CUTS = np.array(sorted(CALL_CHANCE[c] for c in CALLS))  # 0.05, 0.35, 0.75, 0.95
_BY_CHANCE = sorted(CALLS, key=lambda c: CALL_CHANCE[c])


def nearest_call(chance: float) -> str:
    """The call whose chance is nearest ``chance``."""
    return _BY_CHANCE[int(np.argmin(np.abs(_CUTS - chance)))]


def owner_calls(
    seed: int, contracts: _TableData, truth: dict[str, Any], today_day: int
) -> tuple[_TableData, dict[str, Any]]:
    """The owners' calls and skills (``demo_calls``) from a random stream of their own
    ([seed, 24])."""
    return demo_calls(np.random.default_rng([seed, 24]), contracts, truth, today_day)


def demo_calls(
    rng: np.random.Generator, contracts: _TableData, truth: dict[str, Any], today_day: int
) -> tuple[_TableData, dict[str, Any]]:
    """The owners' calls on the demo's contract terms (``contracts``, with their true
    chances in ``truth``, renewal_truth.py's), and the owners' skills (the demo's truth).

    The calls' table names each call's contract by its external id
    (``contract_external_id``), turned into the contract's id at write time."""
    cols = contracts.columns
    assert contracts.customer is not None
    skills = {s.owner: s for s in SKILLS}
    today = _EPOCH + dt.timedelta(days=today_day)
    rows: dict[str, list[Any]] = {k: [] for k in ("contract", "customer", "months", "call",
                                                  "note", "by", "at")}  # fmt: skip
    terms = cols["external_id"].tolist(), cols["owner"].tolist(), cols["end_date"].tolist()
    for i, (external, owner, end, outcome) in enumerate(
        zip(*terms, cols["outcome"].tolist(), strict=True)
    ):
        chance = float(truth["terms"][external]["chance"])
        for months, call, note, made_at in _term_calls(
            rng, skills[owner], chance, end, outcome == OPEN, today
        ):
            for key, value in (("contract", external), ("customer", int(contracts.customer[i])),
                               ("months", months), ("call", call), ("note", note),
                               ("by", owner), ("at", made_at)):  # fmt: skip
                rows[key].append(value)
    n = len(rows["call"])
    table = _TableData(
        RenewalCall.__table__,  # type: ignore[arg-type]
        {
            "contract_external_id": np.array(rows["contract"], dtype=object),
            "checkpoint_months": np.array(rows["months"], dtype=np.int64),
            "call": np.array(rows["call"], dtype=object),
            "note": np.array(rows["note"], dtype=object),
            "made_by": np.array(rows["by"], dtype=object),
            "made_at": np.array(rows["at"], dtype="datetime64[s]"),
            "model_likelihood": np.full(n, None, dtype=object),
        },
        customer=np.array(rows["customer"], dtype=np.int64),
    )
    marker = {
        "checkpoints": list(CHECKPOINTS),
        "noise_left": {str(k): v for k, v in NOISE_LEFT.items()},
        "owners": {
            s.owner: {"rank": s.rank, "style": s.style, "bias": s.bias, "noise": s.noise}
            for s in SKILLS
        },
    }
    return table, marker


def _term_calls(
    rng: np.random.Generator,
    skill: OwnerSkill,
    chance: float,
    end: dt.date,
    is_open: bool,
    today: dt.date,
) -> list[tuple[int, str, str, Any]]:
    """One term's calls: (checkpoint months, call, note, made at). The owner's error at 3
    months shares half its weight with the one at 6 (their view drifts, it does not start
    afresh) and is smaller (``NOISE_LEFT``)."""
    logit = _logit(chance) + skill.bias
    shared = rng.normal()
    out: list[tuple[int, str, str, Any]] = []
    for months in CHECKPOINTS:
        own = rng.normal()
        checkpoint = months_before(end, months)
        late = int(rng.integers(0, _DAYS_LATE))
        keep = rng.random() < (_CALLED_OPEN if is_open else 1 - _MISSED_DECIDED)
        made = checkpoint + dt.timedelta(days=late)
        if is_open:
            if checkpoint >= today or not keep:
                continue
            made = min(made, today - dt.timedelta(days=1))  # before today, as every event
        elif not keep:
            continue
        noise = skill.noise * NOISE_LEFT[months] * (0.7 * shared + 0.71 * own)
        call = nearest_call(1.0 / (1.0 + np.exp(-(logit + noise))))
        note = NOTES[call][int(rng.integers(0, len(NOTES[call])))]
        hour = int(rng.integers(9, 18)) * 3600 + int(rng.integers(0, 3600))
        out.append((months, call, note, np.datetime64(made, "s") + np.timedelta64(hour, "s")))
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))
