"""Whether conversation signals help the churn model, measured on held-out customers.

The backtest (services/scoring/churn.py) trains the classifier twice on the same rows as
of T-2h, with and without the conversation features (services/scoring/_conversations.py),
and scores both as of T-h against what followed. The two ROC AUCs are of the same
customers, so their difference gets DeLong's paired interval (DeLong, DeLong &
Clarke-Pearson 1988, in Sun & Xu's fast form). The model keeps the conversation features
only when that 95% interval lies above zero: a signal ranks only after it beats the model
without it; otherwise the classifier that scores is trained without them and the run says
why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from services.core.formatting import format_date
from services.scoring._conversations import (
    CONVERSATION_FEATURES,
    ConversationRows,
    has_conversations,
)
from services.scoring.data import day_date

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Z95 = 1.959964


def auc_difference(labels: BoolArray, first: FloatArray, second: FloatArray) -> dict[str, float]:
    """ROC AUC of ``first`` and ``second`` on the same labels, their difference
    (first - second) and its 95% interval by DeLong's paired variance."""
    # Imported here: scipy.stats takes most of a second, which every importer of the
    # churn model (Results' headline among them) would otherwise wait for.
    from scipy.stats import rankdata

    y = np.asarray(labels, bool)
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:
        raise ValueError("both outcomes are needed, twice each")
    aucs, v_pos, v_neg = [], [], []
    for scores in (first, second):
        pos, neg = scores[y], scores[~y]
        tx, ty = rankdata(pos), rankdata(neg)
        tz = rankdata(np.concatenate([pos, neg]))
        aucs.append(float((tz[:m].sum() - m * (m + 1) / 2.0) / (m * n)))
        v_pos.append((tz[:m] - tx) / n)
        v_neg.append(1.0 - (tz[m:] - ty) / m)
    s_pos, s_neg = np.cov(np.vstack(v_pos)), np.cov(np.vstack(v_neg))
    var = (s_pos[0, 0] + s_pos[1, 1] - 2 * s_pos[0, 1]) / m + (
        s_neg[0, 0] + s_neg[1, 1] - 2 * s_neg[0, 1]
    ) / n
    diff = aucs[0] - aucs[1]
    half = Z95 * float(np.sqrt(max(var, 0.0)))
    return {
        "auc_with": aucs[0],
        "auc_without": aucs[1],
        "difference": diff,
        "low": diff - half,
        "high": diff + half,
    }


def words(check: dict[str, Any]) -> str:
    """The comparison in a sentence, for the run's output and the Model report."""
    if not check.get("tried"):
        return str(check.get("why") or "")
    figures = (
        f"AUC {check['difference']:+.3f}, 95% interval {check['low']:+.3f} to "
        f"{check['high']:+.3f}, on {check['customers']:,} customers held out"
    )
    if check["helps"]:
        return (
            f"Conversation signals improved the churn model ({figures}): the classifier uses them."
        )
    verdict = (
        "made the churn model worse"
        if check["high"] < 0
        else "did not measurably improve the churn model"
    )
    return (
        f"Conversation signals {verdict} ({figures}): "
        "the classifier leaves them out until they beat it without them."
    )


def untried(
    columns: tuple[str, ...], rows: ConversationRows, train_cutoff: int, check_cutoff: int
) -> dict[str, Any]:
    """Why the comparison was not made, when the backtest's classifier (trained as of
    ``train_cutoff`` on ``columns``) could not learn from conversations held by
    ``check_cutoff``: {} when there is nothing to say (none, or they were compared)."""
    if not has_conversations(rows, check_cutoff) or any(
        c in columns for c in CONVERSATION_FEATURES
    ):
        return {}
    why = (
        "Conversation signals were not tried in the churn model: too few customers had "
        f"conversations before {format_date(day_date(train_cutoff))} to learn from."
    )
    return {"tried": False, "why": why, "words": why}


def compare(
    labels: BoolArray,
    with_them: FloatArray,
    train_without: Callable[[], Any],
    predict: Callable[[Any], FloatArray],
) -> tuple[dict[str, Any], Any, FloatArray | None]:
    """Train the classifier without the conversation features, compare both on the
    held-out labels: (the comparison, the classifier without them and its predictions;
    both None when the features helped)."""
    without = train_without()
    p_without = predict(without)
    check: dict[str, Any] = {"tried": True, "customers": int(labels.size)}
    check.update({k: round(v, 4) for k, v in auc_difference(labels, with_them, p_without).items()})
    check["helps"] = bool(check["low"] > 0)
    check["words"] = words(check)
    if check["helps"]:
        return check, None, None
    return check, without, p_without
