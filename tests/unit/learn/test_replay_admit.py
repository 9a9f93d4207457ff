"""The replay's admission of a week's alerts (services.learn.replay_metrics.admit, over
plain arrays) equals its definition written over data frames, on generated weeks: who is
contacted or busy, owners with and without a name, critical and other alerts, caps of
zero and more, late and short-notice candidates, ties of priority."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from services.learn.replay_metrics import RAISED_COLUMNS, admit

RULES = ("gone_quiet", "lapse", "expansion", "high_risk_high_value")


def _admit_by_definition(
    candidates: pd.DataFrame,
    day: int,
    active: dict[tuple[int, str], int],
    contacted: frozenset[int],
    ties: Mapping[int, int],
    *,
    cap: int,
    active_days: int,
    critical_cap: int = 0,
    late: npt.NDArray[np.bool_] | None = None,
    short: npt.NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """services.learn.replay_metrics.admit as first written, over data frames."""
    if candidates.empty:
        return pd.DataFrame(columns=RAISED_COLUMNS)
    ids = candidates["customer_id"].to_numpy(np.int64)
    rules = candidates["rule_key"].astype(str).tolist()
    keep = ~np.isin(ids, np.fromiter(contacted, np.int64, len(contacted)))
    busy = np.array(
        [
            day - active.get((c, r), -(10**9)) < active_days
            for c, r in zip(ids.tolist(), rules, strict=True)
        ],
        dtype=bool,
    )
    keep &= ~busy
    keep &= ~(
        (candidates["rule_key"] == "expansion").to_numpy()
        & candidates["do_not_contact"].to_numpy(bool)
    )
    fresh = candidates[keep].assign(
        owner=candidates["owner"][keep].fillna("").astype(str),
        tie=[ties.get(int(c), 0) for c in ids[keep].tolist()],
        late=np.zeros(len(candidates), bool)[keep] if late is None else late[keep],
        _short=np.zeros(len(candidates), bool)[keep] if short is None else short[keep],
    )
    critical = (fresh["severity"] == "critical").to_numpy()
    capped = {False: cap, True: critical_cap}
    parts = []
    for flag in (True, False):
        ranked = fresh[critical == flag].sort_values(
            ["late", "_short", "priority_cents", "tie", "rule_key"],
            ascending=[True, True, False, True, True],
            kind="stable",
        )
        if capped[flag] > 0:
            ranked = ranked[(ranked.groupby("owner", sort=False).cumcount() < capped[flag])]
        parts.append(ranked)
    fresh = pd.concat(parts) if len(fresh) else fresh
    for c, r in zip(fresh["customer_id"].tolist(), fresh["rule_key"].tolist(), strict=True):
        active[(int(c), str(r))] = day
    out = fresh.assign(day=day)
    return out.loc[:, RAISED_COLUMNS].reset_index(drop=True)


@st.composite
def _weeks(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(0, 30))
    ids = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    frame = pd.DataFrame(
        {
            "customer_id": np.array(ids, np.int64),
            "rule_key": draw(st.lists(st.sampled_from(RULES), min_size=n, max_size=n)),
            "severity": draw(
                st.lists(st.sampled_from(("critical", "high", "medium")), min_size=n, max_size=n)
            ),
            "priority_cents": np.array(
                draw(st.lists(st.sampled_from((0, 500, 500, 9000, 12000)), min_size=n,
                              max_size=n)), np.int64,
            ),
            "owner": draw(st.lists(st.sampled_from(("Maya", "Li", None, "")), min_size=n,
                                   max_size=n)),
            "do_not_contact": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "reason": ["why"] * n,
        }
    )  # fmt: skip
    flags = st.lists(st.booleans(), min_size=n, max_size=n)
    late = np.array(draw(flags), bool) if draw(st.booleans()) else None
    short = np.array(draw(flags), bool) if draw(st.booleans()) else None
    active = {
        (c, r): d
        for c, r, d in draw(
            st.lists(st.tuples(st.integers(1, 12), st.sampled_from(RULES), st.integers(60, 100)))
        )
    }
    contacted = frozenset(draw(st.lists(st.integers(1, 12), max_size=4)))
    ties = {c: draw(st.sampled_from((0, 7, -3, 2**64 - 5, 2**63 + 1))) for c in range(1, 13)}
    return frame, late, short, active, contacted, ties


@settings(max_examples=300, deadline=None)
@given(
    week=_weeks(),
    cap=st.integers(0, 3),
    critical_cap=st.integers(0, 2),
    active_days=st.sampled_from((1, 30)),
)
def test_admit_equals_its_definition(
    week: tuple[pd.DataFrame, npt.NDArray[np.bool_] | None, npt.NDArray[np.bool_] | None,
                dict[tuple[int, str], int], frozenset[int], Mapping[int, int]],
    cap: int,
    critical_cap: int,
    active_days: int,
) -> None:  # fmt: skip
    frame, late, short, active, contacted, ties = week
    kwargs = {"cap": cap, "active_days": active_days, "critical_cap": critical_cap,
              "late": late, "short": short}  # fmt: skip
    mine, theirs = dict(active), dict(active)
    got = admit(frame, 120, mine, contacted, ties, **kwargs)  # type: ignore[arg-type]
    want = _admit_by_definition(frame, 120, theirs, contacted, ties, **kwargs)  # type: ignore[arg-type]
    assert list(got.columns) == RAISED_COLUMNS
    assert mine == theirs
    if len(want) == 0:
        assert len(got) == 0
        return
    pd.testing.assert_frame_equal(got, want)
