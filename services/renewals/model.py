"""The likelihood that each upcoming renewal happens: a model fitted on the workspace's own
past renewals, backtested on past renewal dates, or the cold-start fallback.

Two candidates, a logistic regression on standardised features and small gradient-boosted
trees (scikit-learn), each calibrated as scoring calibrates its churn risk
(services/scoring/calibration.py): a logistic curve on the log-odds of out-of-fold scores
below 500 renewals, the ranking-keeping isotonic fit from 500. The backtest is
time-ordered: the later half of the past renewals, in three blocks by date, each
judged (at 90 and 180 days before each date: features.LEADS) by a model fitted only on
the renewals decided by the time the block is first described (the longest lead before
its first date). The candidate with the lower Brier score is set against two baselines
on the same renewals: the renewal rate of the training terms, and one minus the churn
risk.

The model forecasts only when it beats both by more than chance would: its AUC less
1.64 standard errors (Hanley and McNeil's, one-sided 95 %) still above the baselines' (0.5
for the rate), and a Brier score at least BRIER_MARGIN (2 %) below either's. On a few dozen
held-out renewals noise alone gives an AUC of 0.6 now and then; these keep it from ranking.
Otherwise, and with fewer than MIN_RENEWALS past renewals (MIN_EACH renewed and MIN_EACH
churned), the likelihood is the cold-start fallback: the renewal rate of past terms given
at least MIN_RATE_TERMS of them, else one minus the customer's latest churn risk, else 50 %.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from services.renewals.book import Book, ContractFacts
from services.renewals.features import FEATURES, LEADS, drivers, matrix, training
from services.renewals.records import (
    COLD_START,
    FITTED,
    MIN_EACH,
    MIN_RATE_TERMS,
    MIN_RENEWALS,
    Backtest,
    Bin,
    Forecast,
)
from services.renewals.vocab import RENEWED

__all__ = ["BRIER_MARGIN", "Z_ONE_SIDED", "KINDS", "backtest", "forecast", "mean_risk"]

FloatArray = npt.NDArray[np.float64]
KINDS = ("logistic", "boosting")
BRIER_MARGIN = 0.02
Z_ONE_SIDED = 1.64
FOLDS = 3
ISOTONIC_FROM = 500
INFORMATIVE_SHARE = 0.05

Predictor = Callable[[FloatArray], FloatArray]


# Why the baseline "one minus the churn risk" has no figure, where it has none.
RISK_BASELINE_MISSING = (
    "one minus the churn risk could not be judged: no scoring existed before those renewals"
)
# The churn risk's column: the baseline "one minus the churn risk" reads it.
RISK_COLUMN = FEATURES.index("churn_risk")


def _estimator(kind: str) -> Any:
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(
        n_estimators=60, max_depth=2, learning_rate=0.1, subsample=0.8, random_state=0
    )


def informative(x: FloatArray) -> npt.NDArray[np.bool_]:
    """The columns the past renewals show enough of to learn from: a feature that differs
    from its usual value in fewer than INFORMATIVE_SHARE of the rows (outreach before the
    workspace kept any, a score before the first scoring) would be learnt from a handful of
    renewals, and weigh on every forecast whose value it has never seen."""
    if not len(x):
        return np.zeros(x.shape[1], dtype=bool)
    usual = np.median(x, axis=0)
    differs = np.mean(~np.isclose(x, usual), axis=0)
    keep: npt.NDArray[np.bool_] = differs >= INFORMATIVE_SHARE
    return keep


def fit(kind: str, x: FloatArray, y: npt.NDArray[np.int64]) -> Predictor:
    """A calibrated model of ``kind`` fitted on ``x`` and ``y`` (1: renewed), a contract's
    rows at each of LEADS one after the other, on its informative columns; a forecast's
    row is held within the range the fit saw (no extrapolation past what renewals showed)."""
    keep = informative(x)
    if not keep.any():
        rate = float(np.mean(y)) if len(y) else 0.5
        return lambda rows: np.full(len(rows), rate, dtype=float)
    low, high = x[:, keep].min(axis=0), x[:, keep].max(axis=0)
    inner = _fit_kept(kind, x[:, keep], y)

    def predict(rows: FloatArray) -> FloatArray:
        return inner(np.clip(rows[:, keep], low, high))

    return predict


def _fit_kept(kind: str, x: FloatArray, y: npt.NDArray[np.int64]) -> Predictor:
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    from services.scoring.calibration import MonotoneCalibration, PlattCalibration

    per = len(LEADS)
    folds = max(2, min(3, int(np.bincount(y, minlength=2).min()) // per))
    # A contract's rows stay in one fold: its other row would give its outcome away.
    cv = StratifiedGroupKFold(folds, shuffle=True, random_state=0)
    groups = np.arange(len(y)) // per
    oof = cross_val_predict(_estimator(kind), x, y, cv=cv, groups=groups,
                            method="predict_proba")[:, 1]  # fmt: skip
    calibrate = (MonotoneCalibration if len(y) >= ISOTONIC_FROM * per else PlattCalibration)(oof, y)
    model = _estimator(kind).fit(x, y)

    def predict(rows: FloatArray) -> FloatArray:
        out: FloatArray = np.clip(calibrate(model.predict_proba(rows)[:, 1]), 0.01, 0.99)
        return out

    return predict


def auc(scores: Sequence[float], outcomes: Sequence[bool]) -> float | None:
    """The ROC AUC; None unless both outcomes occur."""
    if len(set(outcomes)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([int(o) for o in outcomes], list(scores)))


def auc_error(area: float, positives: int, negatives: int) -> float:
    """The standard error of an AUC (Hanley and McNeil, 1982)."""
    if positives < 1 or negatives < 1:
        return 1.0
    q1, q2 = area / (2 - area), 2 * area**2 / (1 + area)
    var = (area * (1 - area) + (positives - 1) * (q1 - area**2)
           + (negatives - 1) * (q2 - area**2)) / (positives * negatives)  # fmt: skip
    return float(max(var, 0.0) ** 0.5)


def brier(chances: Sequence[float], outcomes: Sequence[bool]) -> float | None:
    """The mean squared gap between the chance and what happened (1 renewed, 0 not)."""
    if not chances:
        return None
    return sum((p - float(o)) ** 2 for p, o in zip(chances, outcomes, strict=True)) / len(chances)


def bins(chances: Sequence[float], outcomes: Sequence[bool], count: int = 5) -> tuple[Bin, ...]:
    """The forecasts in equal-sized bins, lowest first: their mean against the share renewed."""
    pairs = sorted(zip(chances, outcomes, strict=True))
    count = min(count, len(pairs))
    out = []
    for i in range(count):
        part = pairs[i * len(pairs) // count : (i + 1) * len(pairs) // count]
        out.append(Bin(part[0][0], part[-1][0], len(part), sum(p for p, _ in part) / len(part),
                       sum(1 for _, o in part if o) / len(part)))  # fmt: skip
    return tuple(out)


def _too_few(y: npt.NDArray[np.int64]) -> bool:
    return len(y) < MIN_RENEWALS or int(min(y.sum(), len(y) - y.sum())) < MIN_EACH


def _blocks(decided: list[ContractFacts]) -> list[tuple[int, int, int]]:
    """(training rows, first, last) of each held-out block of the later half."""
    n = len(decided)
    cuts = [n // 2 + i * (n - n // 2) // FOLDS for i in range(FOLDS + 1)]
    blocks = []
    for first, last in zip(cuts, cuts[1:], strict=False):
        if last <= first:
            continue
        seen = decided[first].end.toordinal() - max(LEADS)
        train = sum(1 for c in decided[:first] if c.end.toordinal() <= seen)
        blocks.append((train, first, last))
    return blocks


def _verdict(test: Backtest) -> str:
    if test.kind is None:
        return (
            f"{test.renewals} past renewals: too few for a model of their own (it needs "
            f"{MIN_RENEWALS}, with {MIN_EACH} renewed and {MIN_EACH} churned), so the "
            + _fallback_words(test.renewals)
        )
    figures = (
        f"on {test.held_out} later renewals (forecast 90 and 180 days before) its AUC was "
        f"{test.auc or 0:.2f} and its Brier score {test.brier or 0:.3f}, against "
        f"{max(0.5, test.risk_auc or 0.5):.2f} and "
        f"{min(b for b in (test.rate_brier, test.risk_brier) if b is not None):.3f} "
        "for the better baseline"
    )
    if test.risk_brier is None:
        figures += f"; {RISK_BASELINE_MISSING}"
    if test.beats:
        return f"The model forecasts: {figures}."
    return f"The model does not beat its baselines ({figures}), so the " + _fallback_words(
        test.renewals
    )


def _fallback_words(renewals: int) -> str:
    if renewals >= MIN_RATE_TERMS:
        return "likelihood is the renewal rate of past terms."
    return (
        f"likelihood is one minus each customer's churn risk (fewer than {MIN_RATE_TERMS} "
        "past terms to take a rate from)."
    )


def backtest(decided: list[ContractFacts], x: FloatArray) -> Backtest:
    """The time-ordered backtest of the candidates on ``decided`` (earliest first), ``x``
    their rows at each of LEADS (features.training)."""
    y = np.array([int(c.outcome == RENEWED) for c in decided], dtype=np.int64)
    empty = Backtest(len(y), 0, None, None, None, (), None, None, None, False, "")
    if _too_few(y):
        return _with_verdict(empty)
    per = len(LEADS)
    rows_y = np.repeat(y, per)
    outcomes: list[bool] = []
    rate: list[float] = []
    risk: list[float] = []
    found: dict[str, list[float]] = {k: [] for k in KINDS}
    judged = 0
    for train, first, last in _blocks(decided):
        seen = y[:train]
        if train < MIN_RENEWALS // 2 or min(int(seen.sum()), train - int(seen.sum())) < 3:
            continue  # too little decided by then to fit on
        judged += last - first
        fit_x, fit_y = x[: train * per], rows_y[: train * per]
        test_x = x[first * per : last * per]
        outcomes += [bool(v) for v in rows_y[first * per : last * per]]
        rate += [float(seen.mean())] * len(test_x)
        risk += [float(1.0 - v) for v in test_x[:, RISK_COLUMN]]
        for kind in KINDS:
            found[kind] += fit(kind, fit_x, fit_y)(test_x).tolist()
    if not outcomes:
        return _with_verdict(empty)
    scored = {k: (brier(v, outcomes), auc(v, outcomes)) for k, v in found.items()}
    kind = min(KINDS, key=lambda k: (scored[k][0] or 1.0, -(scored[k][1] or 0.0)))
    model_brier, model_auc = scored[kind]
    rate_brier = brier(rate, outcomes)
    # One minus the churn risk is a baseline only where scores existed before the renewals
    # judged: without one every row holds the workspace's mean, which ranks nothing (an
    # AUC of exactly 0.5 by ties). That baseline is then not computed, said so, and the
    # model is judged against the rate alone; it is never "beaten".
    risk_brier, risk_auc = (
        (brier(risk, outcomes), auc(risk, outcomes)) if len(set(risk)) > 1 else (None, None)
    )
    # The error of the AUC counts renewals, not rows: a contract's two rows are one outcome.
    renewed = sum(outcomes) // per
    beats = (
        model_auc is not None
        and model_brier is not None
        and model_auc - Z_ONE_SIDED * auc_error(model_auc, renewed, judged - renewed)
        > max(0.5, risk_auc or 0.5)
        and model_brier < (1 - BRIER_MARGIN) * min(rate_brier or 1.0, risk_brier or 1.0)
    )
    calibrated = bins(found[kind], outcomes)
    test = Backtest(len(y), judged, kind, model_auc, model_brier, calibrated,
                    rate_brier, risk_auc, risk_brier, beats, "")  # fmt: skip
    return _with_verdict(test)


def _with_verdict(test: Backtest) -> Backtest:
    from dataclasses import replace

    return replace(test, verdict=_verdict(test))


def mean_risk(book: Book) -> float:
    """The mean of each customer's latest churn risk (50 % when none is scored)."""
    latest = [values[-1] for _days, values in book.churn_risk.values() if values]
    return float(np.mean(latest)) if latest else 0.5


def _fallback(book: Book, contract: ContractFacts, decided: list[ContractFacts]) -> float:
    if len(decided) >= MIN_RATE_TERMS:
        return sum(c.outcome == RENEWED for c in decided) / len(decided)
    risk = book.latest(book.churn_risk, contract.customer_id, book.as_of)
    return 0.5 if risk is None else 1.0 - risk


def forecast(book: Book) -> tuple[list[Forecast], Backtest]:
    """Each upcoming renewal's likelihood as of the book's day, and the backtest that
    chose between the model and the fallback."""
    decided, upcoming = book.decided, book.upcoming
    usual = mean_risk(book)
    x = matrix(book, training(decided), usual)
    test = backtest(decided, x)
    if test.beats and test.kind is not None and upcoming:
        y = np.repeat([int(c.outcome == RENEWED) for c in decided], len(LEADS)).astype(np.int64)
        now = [(c, book.as_of) for c in upcoming]
        chances = fit(test.kind, x, y)(matrix(book, now, usual)).tolist()
        model = FITTED
    else:
        chances = [_fallback(book, c, decided) for c in upcoming]
        model = COLD_START
    out = [
        Forecast(c.contract_id, c.customer_id, round(float(p), 4), model, tuple(drivers(book, c)))
        for c, p in zip(upcoming, chances, strict=True)
    ]
    return out, test
