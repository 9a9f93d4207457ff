"""Who to contact, the figures by hand: the Qini curve and coefficient on a small
hand-made book, the words of an estimate, the distribution's bars, and the demo truth's
draw (exact shares, each picked with its own chance, the arms' means unchanged)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from services.demo.uplift_truth import draw_share, true_effects
from services.learn.uplift import distribution
from services.learn.uplift_model import cross_fitted, fit_predict, qini_curve
from services.learn.uplift_records import UpliftEstimate, uplift_words

# Ten past exposures, already in a stable order: score, contacted?, returned?
BOOK = [
    (0.30, True, True),
    (0.25, False, False),
    (0.20, True, True),
    (0.20, True, False),  # a tie: the earlier row first
    (0.10, False, True),
    (0.05, True, False),
    (0.00, False, False),
    (-0.05, True, True),
    (-0.10, False, True),
    (-0.20, True, False),
]


def _by_hand(book: list[tuple[float, bool, bool]]) -> tuple[list[float], float]:
    """The Qini curve written out: after each of the first k (by score, ties in order),
    returns of the contacted minus the held-out's returns scaled to the contacted's
    number, over N; the coefficient as the trapezoid area above the random line."""
    rows = sorted(enumerate(book), key=lambda r: (-r[1][0], r[0]))
    n = len(book)
    gains = [0.0]
    nt = nc = rt = rc = 0
    for _, (_, treated, returned) in rows:
        if treated:
            nt += 1
            rt += returned
        else:
            nc += 1
            rc += returned
        gains.append((rt - (rc * nt / nc if nc else 0.0)) / n)
    area = 0.0
    for k in range(n):
        a = gains[k] - k / n * gains[-1]
        b = gains[k + 1] - (k + 1) / n * gains[-1]
        area += (a + b) / 2 / n
    return gains, area


def test_the_qini_curve_and_coefficient_match_a_direct_computation() -> None:
    score = np.array([r[0] for r in BOOK])
    contacted = np.array([r[1] for r in BOOK])
    returned = np.array([r[2] for r in BOOK])
    curve = qini_curve(score, contacted, returned)
    gains, area = _by_hand(BOOK)
    assert curve.shares == pytest.approx([k / 10 for k in range(11)])
    assert curve.gains == pytest.approx(gains)
    assert curve.coefficient == pytest.approx(area)
    # The end point is the book's own difference: 3 of 6 contacted, 2 of 4 held out.
    assert curve.gains[-1] == pytest.approx((3 - 2 * 6 / 4) / 10)
    # Written out for the first steps: contacted-returned, then a held-out non-return...
    assert curve.gains[1] == pytest.approx(0.1)
    assert curve.gains[2] == pytest.approx(0.1)  # 1 - 0 × 1/1
    assert curve.gains[5] == pytest.approx((2 - 1 * 3 / 2) / 10)
    # The best order of this book beats it; the reverse of the best order is below zero.
    assert curve.coefficient > 0
    reverse = qini_curve(-score, contacted, returned)
    assert reverse.coefficient < 0


def test_a_constant_score_keeps_the_given_order() -> None:
    contacted = np.array([r[1] for r in BOOK])
    returned = np.array([r[2] for r in BOOK])
    flat = qini_curve(np.zeros(10), contacted, returned)
    gains, area = _by_hand([(0.0, t, y) for _, t, y in BOOK])
    assert flat.gains == pytest.approx(gains)
    assert flat.coefficient == pytest.approx(area)


def test_the_t_learner_finds_a_planted_effect_and_is_deterministic() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=(n, 3))
    contacted = rng.random(n) < 0.7
    # Outreach helps when x0 > 0 only (+30 points), baseline 20 % everywhere.
    chance = 0.2 + np.where(contacted & (x[:, 0] > 0), 0.3, 0.0)
    returned = rng.random(n) < chance
    new = np.array([[1.5, 0.0, 0.0], [-1.5, 0.0, 0.0]])
    up = fit_predict(x, contacted, returned, new)
    assert up[0] > 0.15 > up[1]
    folds = np.arange(n) % 5
    first = cross_fitted(x, contacted, returned, folds)
    assert np.array_equal(first, cross_fitted(x, contacted, returned, folds))
    assert qini_curve(first, contacted, returned).coefficient > 0


def test_an_estimate_in_words() -> None:
    sure = UpliftEstimate(1, 0.12, 0.05, 0.2)
    assert uplift_words(sure) == "Outreach likely raises the chance of a return by about 12 points"
    worse = UpliftEstimate(2, -0.04, -0.08, -0.01)
    assert uplift_words(worse) == "Outreach may lower the chance of a return, by about 4 points"
    unsure = UpliftEstimate(3, 0.03, -0.02, 0.09)
    assert uplift_words(unsure) == (
        "Outreach may change the chance of a return by about +3 points, between -2 and +9 "
        "(the band includes no change)"
    )


def test_the_distribution_puts_each_customer_in_one_bar() -> None:
    estimates = [UpliftEstimate(i, u, u, u) for i, u in enumerate([-0.2, -0.01, 0.0, 0.07, 0.3])]
    bars = distribution(estimates)
    assert [b.label for b in bars] == [
        "under -5", "-5 to +0", "+0 to +5", "+5 to +10", "+10 to +15", "+15 to +20",
        "+20 to +25", "+25 or more",
    ]  # fmt: skip
    assert [b.customer_ids for b in bars] == [(0,), (1,), (2,), (3,), (), (), (), (4,)]


def test_the_demo_truth_keeps_the_arms_means_and_varies_as_stated() -> None:
    quiet = np.array([60, 90, 120, 200, 300, 365] * 50)
    orders = np.array([6, 4, 3, 2, 2, 2] * 50)
    baseline, uplift = true_effects(quiet, orders, 0.12, 0.20)
    assert baseline.mean() == pytest.approx(0.12)
    assert uplift.mean() == pytest.approx(0.08)
    # Largest for the recent repeat buyers, about zero or below for the long quiet.
    assert uplift[0] == uplift.max() > 0.2
    assert uplift[5] < 0.01
    assert ((baseline + uplift) >= 0).all()


def test_the_demo_draw_takes_the_exact_share_each_by_their_chance() -> None:
    rng = np.random.default_rng(0)
    members = np.arange(400, dtype=np.int64)
    chance = np.where(members < 200, 0.3, 0.1)  # mean 0.2
    hits = np.zeros(400)
    for _ in range(300):
        picked = draw_share(rng, members, chance, 0.2)
        assert len(picked) == 80 == len(np.unique(picked))
        hits[picked] += 1
    share = hits / 300
    assert share[:200].mean() == pytest.approx(0.3, abs=0.01)
    assert share[200:].mean() == pytest.approx(0.1, abs=0.01)


def test_the_qini_headline_leads_with_no_clear_effect_when_its_interval_includes_zero() -> None:
    from services.learn.claims import NO_CLEAR_EFFECT
    from services.learn.uplift_records import QiniCurve, UpliftReport
    from services.learn.uplift_wording import qini_headline

    curve = QiniCurve((0.0, 1.0), (0.0, 0.05), 0.012)
    report = UpliftReport(True, "", 30, 800, 200, 160, 30, curve, qini_low=-0.004, qini_high=0.03)
    unclear = qini_headline(report)
    assert unclear.startswith(f"{NO_CLEAR_EFFECT}: contacting the most persuadable first")
    assert "+1.20 per 100" in unclear
    assert "90% interval -0.40 to +3.00, the interval includes zero" in unclear
    clear = qini_headline(replace(report, qini_low=0.002))
    assert clear.startswith("On past customers, contacting the most persuadable first added 1.20")


def _constructed(
    effect: float, seed: int = 5, n: int = 1500
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Past exposures made by hand: features, contacted (80 %), returned, true uplift.
    Outreach raises the chance of a return by up to ``effect`` for customers with a high
    x0, by nearly nothing for those with a low one (a smooth rise, as the demo's truth
    is); the baseline is 15 % everywhere."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    contacted = rng.random(n) < 0.8
    truth = effect / (1.0 + np.exp(-2.0 * x[:, 0]))
    returned = rng.random(n) < 0.15 + contacted * truth
    return x, contacted, returned, truth


def _report_of(x: np.ndarray, contacted: np.ndarray, returned: np.ndarray) -> tuple:  # type: ignore[type-arg]
    from services.learn.lift import newcombe_interval
    from services.learn.uplift_model import FOLDS, qini_band, shrunk_estimates
    from services.learn.uplift_records import UpliftReport

    scores = cross_fitted(x, contacted, returned, np.arange(len(x)) % FOLDS)
    low, high = qini_band(scores, contacted, returned)
    counts = (int(returned[contacted].sum()), int(contacted.sum()))
    counts0 = (int(returned[~contacted].sum()), int((~contacted).sum()))
    pooled = tuple(float(v) for v in newcombe_interval(*counts, *counts0, confidence=0.90))
    report = UpliftReport(
        True, "", 30, counts[1], counts0[1], counts[0], counts0[0],
        qini_curve(scores, contacted, returned), qini_low=low, qini_high=high,
    )  # fmt: skip
    estimates = shrunk_estimates(x, contacted, returned, scores, pooled, x)  # type: ignore[arg-type]
    return report, pooled, estimates


def test_a_strong_feature_dependent_effect_is_ranked_and_shrunk_to_what_the_data_supports() -> None:
    covered = []
    for seed in range(1, 11):
        x, contacted, returned, truth = _constructed(effect=0.35, seed=seed)
        report, (_lift, lift_low, lift_high), (uplift, low, high, slope, _se) = _report_of(
            x, contacted, returned
        )
        assert report.qini_low is not None
        assert report.qini_low > 0
        assert report.ranks  # the ranking has beaten a random order: it is shown
        assert 0.3 < slope <= 1.0  # the scores track the truth, and are trusted that far
        assert lift_low <= uplift.mean() <= lift_high
        assert uplift[x[:, 0] > 1].mean() > uplift[x[:, 0] < -1].mean() + 0.08
        covered.append(np.mean((low <= truth) & (truth <= high)))
    # The bands are stated at 90 %: over these ten books they hold 87 % of the customers'
    # true uplifts (a book whose measured lift is off takes all its bands with it).
    assert np.mean(covered) >= 0.84


def test_no_effect_at_all_is_not_ranked() -> None:
    x, contacted, returned, truth = _constructed(effect=0.0)
    report, (_lift, lift_low, lift_high), (uplift, low, high, slope, _se) = _report_of(
        x, contacted, returned
    )
    assert not report.ranks
    assert lift_low <= uplift.mean() <= lift_high
    assert np.mean((low <= 0) & (high >= 0)) >= 0.9
