"""Churn risk: a calibrated probability of no paid order in (T, T+H], chosen by backtest.

How it works (everything as of dates, with data dated on or before them only):

1. The label window h. Ideally h = H. The backtest needs two consecutive h-day windows
   before T (train as of T-2h on (T-2h, T-h], check as of T-h on (T-h, T]) plus some
   history before the first cutoff: ``m = max(30, min(H, L/3))`` days, where L is the
   span from the first paid order to T. So h = min(H, (L - m) / 2), the longest window
   the data allows. When h < H the horizon is *bridged* (see ``bridge``): the
   classifier's log-odds of no order in h days get one constant shift, chosen so that
   their average equals BG/NBD's average P(no order in H) over the same customers:
   the classifier keeps its ranking, BG/NBD (which models any horizon) sets the level.
   Rescaling each customer by BG/NBD's own ratio P(no order in H) / P(no order in h)
   was tried too: it ranked worse on CDNOW (AUC 0.758 against 0.761 at 273 days, when
   plain recency scores 0.759) and on the demo data (0.919 against 0.920).
2. Backtest. A gradient-boosted classifier (HistGradientBoostingClassifier) is trained
   on features as of T-2h with labels from (T-2h, T-h], calibrated (isotonic kept strictly
   increasing so the calibration ties no one, or sigmoid, on a held-out split or
   cross-validated), and scored as of T-h against (T-h, T], next to BG/NBD's and
   Pareto/NBD's own P(no order in h) (each fitted as of T-h) and plain recency (isotonic
   on days since the last order). The blends are the mean of the classifier and BG/NBD,
   and of the classifier and Pareto/NBD. Metrics: ROC AUC, Brier score, a 10-bin
   calibration table and the top-decile lift (churn rate among the riskiest 10% /
   overall churn rate).
   Conversation signals are kept (here and in the classifier that scores) only where they
   improve the AUC on these held-out customers (services/scoring/_conversation_check.py).
3. Choice. The classifier, BG/NBD, Pareto/NBD or a blend, whichever has the lowest
   backtest Brier score (it rewards both ranking and calibration); the reason is recorded.
   Tried and left out, for want of a measured gain: training on several stacked
   cutoffs (on CDNOW the gain came and went with the cutoffs chosen, and the same
   customer in the training and validation rows makes early stopping late); a feature of
   the season ahead a year earlier (purchases in the 90 and 180 days after this date last
   year: on the 3-year demo AUC 0.8777 -> 0.8779; CDNOW has under a year of history, so
   nothing there can carry a season).
4. Scoring. The classifier is retrained as of T-h on (T-h, T] and applied as of T.
   Customers with too little history (first order fewer than ``new_customer_days``
   before T) get BG/NBD, the population model, and low confidence; customers with no
   paid order get the workspace's base rate.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.core.records import WITH_CLASSIFIER
from services.scoring._conversation_check import compare, untried
from services.scoring._conversations import CONVERSATION_FEATURES
from services.scoring.bgnbd import ModelFitError
from services.scoring.calibration import (
    MonotoneCalibration,
    PlattCalibration,
    bridge,
    level,
)
from services.scoring.data import ScoringData, day_date
from services.scoring.features import (
    MODEL_FEATURES,
    compute_features,
    labels_no_purchase,
    purchases_in,
)
from services.scoring.lifetime import (
    LifetimeFit,
    add_model_features,
    fit_lifetime,
    fit_pareto,
    pareto_prob_none,
    prob_none,
)
from services.scoring.paretonbd import ParetoNBDParams

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

RANDOM_STATE = 0
MIN_LABEL_DAYS = 14  # shorter label windows say nothing useful about churn
MIN_CLASS_COUNT = 20  # each outcome needs this many training customers
CALIBRATION_BINS = 10
BLEND_WEIGHT = 0.5  # share of the classifier in the blends
# The churn models the backtest chooses from, in the order that breaks a tie: the blend
# of the classifier with BG/NBD or with Pareto/NBD, the classifier, the lifetime models.
CANDIDATES = ("blend", "blend_pnbd", "gbm", "bgnbd", "pnbd")
HOLDOUT_FROM = 20_000  # from this many training rows, calibrate on a held-out split
HOLDOUT_SHARE = 0.2
MIN_KNOWN_VALUES = 30  # a feature known for fewer training customers is left out
MAX_TRAINING_ROWS = 30_000  # a larger workspace trains on a stratified sample of this size
PREDICT_CHUNK = 100_000
# What the backtest reads of its rows besides the classifier's inputs.
BACKTEST_COLUMNS = (
    "bg_prob_none_h",
    "bg_expected_h",
    "tenure_days",
    "recency_days",
    "purchase_days",
    "first_day",
    "last_day",
)
# One OpenMP thread: scikit-learn's gradient boosting busy-waits between its threads, which
# makes two threads 10-20 times slower as soon as another program uses the second core
# (the window, an import, a browser) - and barely faster when the machine is idle.
TRAIN_THREADS = 1


class Progress(Protocol):
    def __call__(self, fraction: float, message: str) -> None: ...


@dataclass
class ChurnClassifier:
    """A fitted, calibrated classifier of P(no order in the window): one or more gradient
    boosted models, each with the calibration learned on rows it did not see, averaged."""

    parts: list[tuple[Any, MonotoneCalibration | PlattCalibration]]
    method: str  # how it was calibrated
    rows: int
    base_rate: float
    iterations: int
    columns: tuple[str, ...]  # the features it uses

    def predict(self, frame: pd.DataFrame) -> FloatArray:
        """P(no order in the window) for each row of a features frame (PREDICT_CHUNK rows
        at a time: a million customers' input matrix would take 500 MB at once)."""
        out: FloatArray = np.empty(len(frame))
        for start in range(0, len(frame), PREDICT_CHUNK):
            rows = slice(start, start + PREDICT_CHUNK)
            x = feature_matrix(frame.iloc[rows], self.columns)
            out[rows] = np.mean(
                [calibrate(_positive(gbm, x)) for gbm, calibrate in self.parts], axis=0
            )
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "kind": "HistGradientBoostingClassifier",
            "calibration": self.method,
            "training_rows": self.rows,
            "base_rate": round(self.base_rate, 4),
            "iterations": self.iterations,
            "features": list(self.columns),
            "importance": self.importances(),
        }

    def importances(self, top: int = 12) -> dict[str, float]:
        """Each feature's share of the total split gain of the trees (the top ones).

        Free to compute (the gains are stored in the fitted trees); empty if a future
        scikit-learn stores them elsewhere.
        """
        totals = np.zeros(len(self.columns))
        try:
            for gbm, _ in self.parts:
                for trees in gbm._predictors:
                    for tree in trees:
                        nodes = tree.nodes[~tree.nodes["is_leaf"].astype(bool)]
                        totals += np.bincount(
                            nodes["feature_idx"],
                            weights=np.maximum(nodes["gain"], 0.0),
                            minlength=totals.size,
                        )[: totals.size]
        except (AttributeError, KeyError, TypeError, ValueError):
            return {}
        if totals.sum() <= 0:
            return {}
        shares = totals / totals.sum()
        order = np.argsort(-shares, kind="stable")[:top]
        return {self.columns[i]: round(float(shares[i]), 4) for i in order if shares[i] > 0}


def feature_matrix(frame: pd.DataFrame, columns: tuple[str, ...] = MODEL_FEATURES) -> FloatArray:
    """The classifier's input matrix (NaN for missing)."""
    out: FloatArray = frame.loc[:, list(columns)].to_numpy(dtype=np.float64)
    return out


def _positive(gbm: Any, x: FloatArray) -> FloatArray:
    """The model's raw score of the positive class (no order in the window)."""
    proba = gbm.predict_proba(x)
    out: FloatArray = np.asarray(proba[:, list(gbm.classes_).index(1)], dtype=np.float64)
    return out


def _usable_columns(frame: pd.DataFrame, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Features with enough known values to learn from (an empty column breaks binning)."""
    known = frame.loc[:, list(MODEL_FEATURES)].notna().sum(axis=0)
    return tuple(
        name
        for name in MODEL_FEATURES
        if int(known[name]) >= MIN_KNOWN_VALUES and name not in leave_out
    )


def _gbm(rows: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Small trees: order histories carry a few strong signals. On CDNOW (273 days)
    # trees of 7 leaves rank better than 15 for every seed tried (classifier AUC
    # 0.7664-0.7682 at rates 0.05 and 0.1, three seeds each, against 0.7642-0.7661 with
    # 15 leaves at 0.15) and vary less. At 0.15 they rank the same (classifier 0.7662,
    # the chosen blend 0.7693) with the fewest trees, which scoring time needs. Small
    # workspaces learn at 0.05 for a fixed 100 rounds (no rows to spare for early
    # stopping); larger ones stop when a 15% validation split stops improving.
    large = rows >= 5000
    return HistGradientBoostingClassifier(
        learning_rate=0.15 if large else 0.05,
        max_iter=300 if large else 100,
        max_leaf_nodes=7,
        max_bins=63,
        min_samples_leaf=max(20, min(200, rows // 100)),
        l2_regularization=1.0,
        early_stopping=large,
        validation_fraction=0.15,
        n_iter_no_change=10,
        random_state=RANDOM_STATE,
    )


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Limit scikit-learn's OpenMP to TRAIN_THREADS threads in this thread while inside.

    OpenMP's thread count is a per-thread setting: train in the thread that set it.
    """
    # Loaded first: threadpoolctl limits the OpenMP runtimes that are loaded.
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(TRAIN_THREADS, user_api="openmp"):
        yield


def train_classifier(
    frame: pd.DataFrame,
    labels: BoolArray,
    subset: npt.NDArray[np.int64] | None = None,
    leave_out: tuple[str, ...] = (),
) -> ChurnClassifier:
    """Train and calibrate the classifier on a features frame and its churn labels: on
    the frame's ``subset`` (positions, one per label; default every row), so that a large
    frame is not copied whole before its sample is drawn; ``leave_out``: features not used.

    Wrap calls in one_thread() (see TRAIN_THREADS).
    """
    positions = np.arange(len(frame)) if subset is None else subset
    if labels.size > MAX_TRAINING_ROWS:
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(
            np.arange(labels.size),
            train_size=MAX_TRAINING_ROWS,
            stratify=labels,
            random_state=RANDOM_STATE,
        )
        keep = np.sort(keep)
        positions, labels = positions[keep], labels[keep]
    frame = frame.iloc[positions]
    from sklearn.model_selection import StratifiedKFold, train_test_split

    columns = _usable_columns(frame, leave_out)
    x = feature_matrix(frame, columns)
    y = labels.astype(np.int64)
    rows = int(y.size)
    parts: list[tuple[Any, MonotoneCalibration | PlattCalibration]] = []
    if rows >= HOLDOUT_FROM:
        x_fit, x_cal, y_fit, y_cal = train_test_split(
            x, y, test_size=HOLDOUT_SHARE, stratify=y, random_state=RANDOM_STATE
        )
        gbm = _gbm(len(y_fit)).fit(x_fit, y_fit)
        parts.append((gbm, MonotoneCalibration(_positive(gbm, x_cal), y_cal)))
        method = f"isotonic (ranking kept) on a held-out {HOLDOUT_SHARE:.0%}"
    else:
        calibration = MonotoneCalibration if rows >= 3000 else PlattCalibration
        name = "isotonic (ranking kept)" if rows >= 3000 else "sigmoid"
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=RANDOM_STATE)
        for fit_rows, cal_rows in folds.split(x, y):
            gbm = _gbm(len(fit_rows)).fit(x[fit_rows], y[fit_rows])
            parts.append((gbm, calibration(_positive(gbm, x[cal_rows]), y[cal_rows])))
        method = f"{name}, 3-fold cross-validated"
    iterations = int(np.mean([gbm.n_iter_ for gbm, _ in parts]))
    return ChurnClassifier(parts, method, rows, float(y.mean()), iterations, columns)


def _can_train(labels: BoolArray, min_rows: int) -> bool:
    positives = int(labels.sum())
    return (
        labels.size >= min_rows
        and positives >= MIN_CLASS_COUNT
        and labels.size - positives >= MIN_CLASS_COUNT
    )


# --- metrics ------------------------------------------------------------------------------


def evaluate(
    labels: BoolArray, predicted: FloatArray, *, ranking: FloatArray | None = None
) -> dict[str, Any]:
    """ROC AUC, Brier score, top-decile lift and a calibration table of predictions.

    ``ranking`` (default: the predictions) orders customers for the AUC and the lift.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score

    y = labels.astype(np.int64)
    p = np.clip(predicted, 0.0, 1.0)
    rank = p if ranking is None else ranking
    out: dict[str, Any] = {
        "customers": int(y.size),
        "churn_rate": float(y.mean()) if y.size else None,
    }
    if y.size == 0:
        return out | {"auc": None, "brier": None, "lift_top_decile": None, "calibration": []}
    out["auc"] = float(roc_auc_score(y, rank)) if 0 < y.sum() < y.size else None
    out["brier"] = float(brier_score_loss(y, p, pos_label=1))
    top = max(1, math.ceil(y.size / 10))
    # Stable order on (-rank, position): ties keep the customers' order, deterministically.
    order = np.lexsort((np.arange(y.size), -rank))[:top]
    base = float(y.mean())
    out["lift_top_decile"] = float(y[order].mean() / base) if base > 0 else None
    bins = np.minimum((p * CALIBRATION_BINS).astype(np.int64), CALIBRATION_BINS - 1)
    counts = np.bincount(bins, minlength=CALIBRATION_BINS)
    sums_p = np.bincount(bins, weights=p, minlength=CALIBRATION_BINS)
    sums_y = np.bincount(bins, weights=y.astype(np.float64), minlength=CALIBRATION_BINS)
    out["calibration"] = [
        {
            "predicted": round(float(sums_p[i] / counts[i]), 4),
            "observed": round(float(sums_y[i] / counts[i]), 4),
            "count": int(counts[i]),
        }
        for i in range(CALIBRATION_BINS)
        if counts[i] > 0
    ]
    return out


def evaluate_orders(predicted: FloatArray, actual: FloatArray) -> dict[str, Any]:
    """Predicted against realised purchase days per customer: RMSE, Pearson correlation
    and the aggregate bias (total predicted - total actual) / total actual.

    The correlation is None when either side is constant, the bias when nobody bought.
    """
    p = np.asarray(predicted, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    out: dict[str, Any] = {
        "customers": int(p.size),
        "predicted": float(p.sum()),
        "actual": float(a.sum()),
        "rmse": None,
        "correlation": None,
        "bias": None,
    }
    if p.size == 0:
        return out
    out["rmse"] = float(np.sqrt(np.mean((p - a) ** 2)))
    dp, da = p - p.mean(), a - a.mean()
    spread = float(np.sqrt(np.dot(dp, dp) * np.dot(da, da)))
    if spread > 0:
        out["correlation"] = float(np.dot(dp, da) / spread)
    if out["actual"] > 0:
        out["bias"] = (out["predicted"] - out["actual"]) / out["actual"]
    return out


def _short(metrics: dict[str, Any]) -> dict[str, float]:
    return {
        k: round(float(metrics[k]), 4)
        for k in ("auc", "brier", "lift_top_decile")
        if metrics.get(k) is not None
    }


# --- the whole churn step -------------------------------------------------------------------


@dataclass
class ChurnResult:
    """Churn risk at T for every customer, and how it was obtained."""

    risk: FloatArray  # P(no paid order in (T, T+H]) per customer
    population: BoolArray  # scored by the population model (too little history)
    chosen: str  # "gbm", "bgnbd" or "blend"
    reason: str
    label_days: int  # h
    bridged: str | None
    backtest: dict[str, Any]
    classifier: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)
    gbm_risk: FloatArray | None = None  # the classifier's own (bridged) risk, for the record
    bgnbd_risk: FloatArray | None = None  # BG/NBD's P(no order in (T, T+H]) (NaN: no order)
    pnbd_risk: FloatArray | None = None  # Pareto/NBD's, when it is part of the chosen model
    pnbd_params: dict[str, float] | None = None  # its fit at T (weeks), likewise


def _level_model(y: BoolArray, p_bg: FloatArray, p_pn: FloatArray | None) -> str:
    """The lifetime model whose mean P(no order) in the backtest came closer to the share
    of customers who did not order: it sets the level beyond the backtest's window."""
    if p_pn is None:
        return "bgnbd"
    rate = float(np.mean(y))
    return (
        "pnbd" if abs(float(np.mean(p_pn)) - rate) < abs(float(np.mean(p_bg)) - rate) else "bgnbd"
    )


def label_window(horizon: int, history_days: int) -> int:
    """The label window h: H when the history allows it, else the longest that fits."""
    margin = max(30.0, min(float(horizon), history_days / 3.0))
    return int(min(horizon, math.floor((history_days - margin) / 2.0)))


def _choose(metrics: dict[str, dict[str, Any]]) -> tuple[str, str]:
    briers = {
        k: m["brier"] for k, m in metrics.items() if k != "recency" and m.get("brier") is not None
    }
    chosen = min(briers, key=lambda k: (briers[k], CANDIDATES.index(k)))
    names = {
        "gbm": "the classifier",
        "bgnbd": "BG/NBD",
        "pnbd": "Pareto/NBD",
        "blend": "the blend",
        "blend_pnbd": "the blend with Pareto/NBD",
    }
    others = ", ".join(f"{names[k]} {briers[k]:.4f}" for k in briers if k != chosen)
    return chosen, f"lowest backtest Brier score, {briers[chosen]:.4f} (vs {others})."


def _backtest_rows(frame: pd.DataFrame, rows: BoolArray, columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows the backtest scores, with the columns it reads only (the classifier's
    inputs, BG/NBD's and Pareto/NBD's, recency and tenure): a smaller copy."""
    wanted = (*columns, *BACKTEST_COLUMNS)
    return frame.loc[rows, [c for c in frame.columns if c in wanted]]


def _recency_model(recency: FloatArray, labels: BoolArray) -> Any:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(increasing=True, out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(
        recency, labels.astype(np.float64)
    )


def predict_churn(
    data: ScoringData,
    features_t: pd.DataFrame,
    fit_t: LifetimeFit,
    *,
    as_of: int,
    horizon: int,
    new_customer_days: float,
    min_training_customers: int,
    progress: Progress,
) -> ChurnResult:
    """Churn risk over ``horizon`` days as of day ``as_of`` (see the module docstring)."""
    with one_thread():
        return _predict_churn(
            data,
            features_t,
            fit_t,
            as_of=as_of,
            horizon=horizon,
            new_customer_days=new_customer_days,
            min_training_customers=min_training_customers,
            progress=progress,
        )


def _predict_churn(  # noqa: C901, PLR0915
    data: ScoringData,
    features_t: pd.DataFrame,
    fit_t: LifetimeFit,
    *,
    as_of: int,
    horizon: int,
    new_customer_days: float,
    min_training_customers: int,
    progress: Progress,
) -> ChurnResult:
    has_t = features_t["purchase_days"].to_numpy() > 0
    tenure_t = features_t["tenure_days"].to_numpy()
    population = ~has_t | (np.nan_to_num(tenure_t, nan=0.0) < new_customer_days)
    bg_horizon = prob_none(features_t, fit_t, horizon)
    notes: list[str] = []

    first_day = data.first_purchase_day()
    history = 0 if first_day is None else as_of - first_day
    h = label_window(horizon, history)
    backtest: dict[str, Any] = {}
    classifier: ChurnClassifier | None = None
    chosen, reason = "bgnbd", ""
    bridged: str | None = None

    if h < MIN_LABEL_DAYS:
        reason = (
            f"the {history} days of order history before the as-of date are too short to "
            "train and backtest a classifier, so BG/NBD is used on its own."
        )
        h = horizon
    else:
        cut0, cut1 = as_of - 2 * h, as_of - h
        progress(0.25, "Backtesting the churn model")
        feats0 = compute_features(data, cut0)
        feats1 = compute_features(data, cut1)
        fit0: LifetimeFit | None = None
        fit1: LifetimeFit | None = None
        try:
            fit0 = fit_lifetime(feats0, gamma_gamma=False)
            fit1 = fit_lifetime(feats1, gamma_gamma=False)
        except ModelFitError as exc:  # too little data at the earlier cutoffs
            log.info("backtest fits failed: %s", exc)
        train0 = feats0["purchase_days"].to_numpy() > 0
        train_rows = np.flatnonzero(train0)
        y0 = labels_no_purchase(data, cut0, h)[train0]
        if fit0 is None or fit1 is None or not _can_train(y0, min_training_customers):
            reason = (
                f"too few customers with orders before {day_date(cut0).isoformat()} to train "
                "and backtest a classifier, so BG/NBD is used on its own."
            )
            h = horizon
        else:
            add_model_features(feats0, fit0, h)
            add_model_features(feats1, fit1, h)
            eval1 = feats1["purchase_days"].to_numpy() > 0
            y1_all = labels_no_purchase(data, cut1, h)
            y1 = y1_all[eval1]
            progress(0.35, "Training the churn classifiers")
            # The classifier that scores (as of T-h) is trained now too, and dropped if
            # BG/NBD wins. (Not in parallel threads: OpenMP's thread limit is per thread,
            # and two threads of two-thread OpenMP busy-waiting on two cores crawl.)
            gbm0 = train_classifier(feats0, y0, train_rows)
            e1 = _backtest_rows(feats1, eval1, gbm0.columns)
            p_bg = e1["bg_prob_none_h"].to_numpy()
            # As in production: customers with too little history get the population model.
            young = np.nan_to_num(e1["tenure_days"].to_numpy(), nan=0.0) < new_customer_days
            p_gbm = np.where(young, p_bg, gbm0.predict(e1))
            # Conversation signals stay only if they beat the classifier without them.
            talk = untried(gbm0.columns, data.conversations, cut0, cut1)
            leave_out: tuple[str, ...] = CONVERSATION_FEATURES
            if set(CONVERSATION_FEATURES) & set(gbm0.columns):
                leave_out = ()
                talk, without, p_without = compare(
                    y1,
                    p_gbm,
                    lambda: train_classifier(feats0, y0, train_rows, CONVERSATION_FEATURES),
                    lambda model: np.where(young, p_bg, model.predict(e1)),
                )
                if without is not None and p_without is not None:
                    gbm0, p_gbm, leave_out = without, p_without, CONVERSATION_FEATURES
            trained = (
                train_classifier(feats1, y1, np.flatnonzero(eval1), leave_out)
                if _can_train(y1, min_training_customers)
                else None
            )
            p_blend = BLEND_WEIGHT * p_gbm + (1 - BLEND_WEIGHT) * p_bg
            pn1 = fit_pareto(feats1)
            rec0 = feats0["recency_days"].to_numpy()[train0]
            rec1 = e1["recency_days"].to_numpy()
            p_rec = _recency_model(rec0, y0).predict(rec1)
            metrics = {
                "gbm": evaluate(y1, p_gbm),
                "bgnbd": evaluate(y1, p_bg),
                "blend": evaluate(y1, p_blend),
            }
            p_pn: FloatArray | None = None
            if pn1 is not None:
                p_pn = np.where(young, p_bg, pareto_prob_none(e1, pn1, h))
                metrics["pnbd"] = evaluate(y1, p_pn)
                blend_pn = BLEND_WEIGHT * p_gbm + (1 - BLEND_WEIGHT) * p_pn
                metrics["blend_pnbd"] = evaluate(y1, blend_pn)
            metrics["recency"] = evaluate(y1, p_rec, ranking=rec1)
            chosen, reason = _choose(metrics)
            backtest = {
                "cutoff": day_date(cut1).isoformat(),
                "train_cutoff": day_date(cut0).isoformat(),
                "label_days": h,
                "customers": int(y1.size),
                "churn_rate": metrics["gbm"]["churn_rate"],
                "chosen": chosen,
                "auc": metrics[chosen]["auc"],
                "brier": metrics[chosen]["brier"],
                "lift_top_decile": metrics[chosen]["lift_top_decile"],
                "calibration": metrics[chosen]["calibration"],
                "models": {k: _short(m) for k, m in metrics.items()},
                "bgnbd_params": fit1.bgnbd.to_dict(),
                "paretonbd_params": pn1.to_dict() if pn1 is not None else None,
                "level_model": _level_model(y1, p_bg, p_pn),
                **({"conversations": talk} if talk else {}),
                # BG/NBD's expected purchase days in (T-h, T] as of T-h, against the
                # realised ones, for the same customers.
                "orders": evaluate_orders(
                    e1["bg_expected_h"].to_numpy(), purchases_in(data, cut1, h)[eval1]
                ),
            }
            progress(0.55, "Scoring with the chosen model")
            if chosen in WITH_CLASSIFIER and trained is not None:
                classifier = trained
            elif chosen in WITH_CLASSIFIER:
                chosen = "bgnbd"
                reason = "the latest window has too few customers of one outcome to retrain."

    gbm_risk: FloatArray | None = None
    pn_horizon: FloatArray | None = None
    pn_t: ParetoNBDParams | None = None
    bridging = bool(backtest) and h < horizon
    level_model = str(backtest.get("level_model", "bgnbd")) if bridging else chosen
    if chosen in ("pnbd", "blend_pnbd") or level_model == "pnbd":
        pn_t = fit_pareto(features_t)
        if pn_t is not None:
            pn_horizon = pareto_prob_none(features_t, pn_t, horizon)
        elif chosen in ("pnbd", "blend_pnbd"):
            chosen = "blend" if chosen == "blend_pnbd" else "bgnbd"
            reason = "Pareto/NBD could not be fitted on the whole history; BG/NBD takes its place."
    if pn_horizon is None:
        level_model = "bgnbd"
    level_q = pn_horizon if level_model == "pnbd" and pn_horizon is not None else bg_horizon
    level_name = "Pareto/NBD" if level_model == "pnbd" else "BG/NBD"
    scored = has_t & ~population
    risk = pn_horizon.copy() if chosen == "pnbd" and pn_horizon is not None else bg_horizon.copy()
    if classifier is not None:
        # The classifier's BG/NBD inputs at T are for its own h-day window.
        add_model_features(features_t, fit_t, h)
        p_h = classifier.predict(features_t)
        p_big = bridge(p_h, level_q, scored)[0] if bridging else p_h
        gbm_risk = p_big
        if chosen == "gbm":
            risk = p_big
        elif chosen == "blend":
            risk = BLEND_WEIGHT * p_big + (1 - BLEND_WEIGHT) * bg_horizon
        elif chosen == "blend_pnbd" and pn_horizon is not None:
            risk = BLEND_WEIGHT * p_big + (1 - BLEND_WEIGHT) * pn_horizon
    if bridging:
        # Beyond the backtest's window nothing checks the level: the lifetime model that
        # met the backtest's churn rate more closely sets it, the chosen model ranks.
        risk, shift = level(risk, level_q, scored)
        learned = f"the classifier learned {h}-day windows and " if classifier else ""
        moved = (
            f"the chosen model's log-odds were shifted by one constant ({shift:+.2f}) so that"
            if abs(shift) >= 0.005
            else "the chosen model's risks were left as they are, since"
        )
        bridged = (
            f"the {horizon}-day horizon is longer than the history allows for backtesting "
            f"({h} days), so {learned}{moved} its average risk equals {level_name}'s average "
            f"P(no order in {horizon} days) for the same customers ({level_name}'s average "
            f"P(no order in {h} days) came closest to the backtest's churn rate): the model "
            "ranks, the lifetime model sets the level for the longer horizon."
        )

    # Population model: BG/NBD for customers with little history; the base rate for
    # customers with no paid order (BG/NBD starts at a first purchase).
    risk = np.where(population & has_t, bg_horizon, risk)
    base = _no_order_rate(data, features_t, as_of, horizon)
    risk = np.where(~has_t, base, risk)
    if (~has_t).any():
        notes.append(
            f"{int((~has_t).sum()):,} customers without a paid order get the workspace "
            f"rate of no first order within {horizon} days ({base:.0%})"
        )
    return ChurnResult(
        risk=np.clip(risk, 0.0, 1.0),
        population=population,
        chosen=chosen,
        reason=reason,
        label_days=h,
        bridged=bridged,
        backtest=backtest,
        classifier=classifier.summary() if classifier is not None else None,
        notes=notes,
        gbm_risk=gbm_risk,
        bgnbd_risk=bg_horizon,
        pnbd_risk=pn_horizon,
        pnbd_params=pn_t.to_dict() if pn_horizon is not None and pn_t is not None else None,
    )


def _no_order_rate(data: ScoringData, features_t: pd.DataFrame, as_of: int, horizon: int) -> float:
    """P(no first order within the horizon) for a customer who has not ordered yet.

    Measured on customers who had signed up but not ordered by T-H: the share of them
    still without an order by T. Without sign-up dates, 1.0 minus nothing learned: the
    share is taken as 1 (no evidence that such customers ever order).
    """
    cut = as_of - horizon
    signed = np.nan_to_num(data.signup_day, nan=np.inf) <= cut
    first = features_t["first_day"].to_numpy()
    no_order_then = np.isnan(first) | (first > cut)
    group = signed & no_order_then
    if group.sum() < MIN_CLASS_COUNT:
        return 1.0
    ordered = (~np.isnan(first)) & (first <= as_of)
    return float(1.0 - ordered[group].mean())
