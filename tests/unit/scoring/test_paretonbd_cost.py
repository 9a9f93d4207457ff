"""Pareto/NBD where the fit wanders: the likelihood stays exact and its cost stays that of
the data.

The seven-vendor histories (tests/data/paretonbd/seven_vendors.csv: x, t_x and T in weeks
with a count of customers, as scoring fits them on the sample exports of
tests/data/samples/ as of 2026-11-15) send the fit along a ridge to s and beta in the
thousands (a near-constant dropout rate), where scipy's 2F1 costs up to half a
millisecond a value or gives up: that fit took 9 to 30 s before, a second now.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from services.scoring import paretonbd
from services.scoring.paretonbd import (
    ParetoNBDParams,
    fit_paretonbd,
    paretonbd_log_likelihood,
)
from tests.support.cdnow import cdnow_calibration
from tests.support.paths import DATA
from tests.unit.scoring.test_paretonbd import _reference_log_likelihood

SEVEN_VENDORS = DATA / "paretonbd" / "seven_vendors.csv"
# The log-likelihood the fit reached on them before the change (on a flat ridge: s and
# beta drift along it from run to run, r and alpha do not).
SEVEN_VENDORS_LL = -3152.8123898068
SEVEN_VENDORS_R, SEVEN_VENDORS_ALPHA = 4.188825751842454, 61.608237289345745


def test_scipys_2f1_is_the_series_where_it_is_used() -> None:
    # Where _log_tail asks scipy (argument at most _SERIES_Z), 2F1(1, b; c; z) with b < c
    # is a series whose terms shrink at least by z: summed here to the last digit.
    rng = np.random.default_rng(3)
    n = 4000
    b = np.exp(rng.uniform(-3, 12, n))
    c = b + np.exp(rng.uniform(-3, 12, n))
    z = rng.uniform(0, paretonbd._SERIES_Z, n)
    term, total = np.ones(n), np.ones(n)
    for k in range(200):
        term *= (b + k) / (c + k) * z
        total += term
    assert np.all(term < 1e-30 * total)
    assert special.hyp2f1(1.0, b, c, z) == pytest.approx(total, rel=1e-14)


@pytest.mark.parametrize(
    "params",
    [
        ParetoNBDParams(r=4.19, alpha=1.04, s=1480.0, beta=2755.0),  # the seven vendors' ridge
        ParetoNBDParams(r=4.19, alpha=61.6, s=1480.0, beta=162570.0),
        ParetoNBDParams(r=0.3, alpha=0.05, s=7000.0, beta=13000.0),
        ParetoNBDParams(r=3.96, alpha=1921.75, s=252.8, beta=0.31),  # the old quadrature's
        ParetoNBDParams(r=0.19, alpha=2953.3, s=21.66, beta=0.145),  # digits were off here
        ParetoNBDParams(r=20.0, alpha=500.0, s=300.0, beta=40.0),
        ParetoNBDParams(r=0.1, alpha=0.001, s=0.1, beta=100.0),
        ParetoNBDParams(r=0.15, alpha=0.2, s=1.0, beta=1.0),  # where a fit starts
    ],
)
def test_likelihood_agrees_with_numerical_integration_where_the_fit_wanders(
    params: ParetoNBDParams,
) -> None:
    histories = [
        (0, 0, 39),
        (0, 0, 0.5),
        (1, 1, 39),
        (2, 30.43, 38.86),
        (10, 5, 60),
        (60, 10, 300),
        (300, 50, 52),
        (5, 38.999, 39),
        (149, 0.01, 39),
        (3, 0.2, 0.21),
    ]
    x, tx, big_t = (np.array(column, dtype=float) for column in zip(*histories, strict=True))
    ours = paretonbd_log_likelihood(params, x, tx, big_t)
    reference = [_reference_log_likelihood(params, *h) for h in histories]
    assert np.all(np.isfinite(ours))
    assert ours == pytest.approx(reference, rel=1e-9, abs=1e-8)


def test_rows_sharing_a_start_sum_to_the_same_integrals_as_rows_alone() -> None:
    # One-time buyers share t_x = 0: their integrals are summed piece by piece along T.
    params = ParetoNBDParams(r=0.6, alpha=0.2, s=0.8, beta=3.0)
    big_t = np.array([0.5, 0.1, 2.0, 0.1000001, 5.0, 0.3])
    together = paretonbd_log_likelihood(params, np.zeros(6), np.zeros(6), big_t)
    alone = [paretonbd_log_likelihood(params, [0.0], [0.0], [t])[0] for t in big_t]
    assert together == pytest.approx(alone, rel=1e-13)
    reference = [_reference_log_likelihood(params, 0.0, 0.0, t) for t in big_t]
    assert together == pytest.approx(reference, rel=1e-10)


def test_seven_vendor_fit_reaches_the_same_maximum_with_bounded_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = pd.read_csv(SEVEN_VENDORS)
    panels: list[tuple[int, int]] = []
    pieces = paretonbd._pieces

    def counting(
        lo: np.ndarray, hi: np.ndarray, big_r: np.ndarray, s: float, alpha: float, beta: float
    ) -> np.ndarray:
        width0 = np.minimum((alpha + lo) / big_r, (beta + lo) / (s + 1.0))
        doublings = np.ceil(np.log2((hi - lo) / width0 + 1.0)).clip(1, paretonbd._MAX_PANELS)
        panels.append((lo.size, int(doublings.sum())))
        return pieces(lo, hi, big_r, s, alpha, beta)

    monkeypatch.setattr(paretonbd, "_pieces", counting)
    fit = fit_paretonbd(data["x"], data["t_x"], data["T"], weights=data["customers"])
    ll = float(data["customers"] @ paretonbd_log_likelihood(fit, data["x"], data["t_x"], data["T"]))
    assert ll == pytest.approx(SEVEN_VENDORS_LL, abs=1e-5)  # 3e-9 of it: the ridge is flat
    assert fit.r == pytest.approx(SEVEN_VENDORS_R, rel=1e-4)
    assert fit.alpha == pytest.approx(SEVEN_VENDORS_ALPHA, rel=1e-4)
    # The quadrature ran (the ridge is past scipy's reach), at a few panels a row, not the
    # hundreds of panels per tail of old.
    rows = sum(n for n, _ in panels)
    assert rows > 0
    assert sum(p for _, p in panels) < 6 * rows


def test_cdnow_fit_is_unchanged() -> None:
    # The parameters fitted before the change, to a millionth: tighter than any change to
    # the fit would stay within, looser than the last digits in which two processors'
    # floating-point sums differ (s moved by 1.3e-9 between two machines, same wheels).
    data = cdnow_calibration()
    fit = fit_paretonbd(data["x"], data["t_x"], data["T"])
    assert fit.r == pytest.approx(0.5532769384263893, rel=1e-6)
    assert fit.alpha == pytest.approx(10.577682594684156, rel=1e-6)
    assert fit.s == pytest.approx(0.6062407853800524, rel=1e-6)
    assert fit.beta == pytest.approx(11.66876229185329, rel=1e-6)
