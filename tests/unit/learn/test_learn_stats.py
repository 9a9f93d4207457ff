"""Learn: the attribution window's edges, Newcombe's interval against the
published table, the minimums, the bootstrap, won-back revenue, and coverage by simulation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from services.learn.attribution import (
    COUNTED,
    EXCLUDED,
    REPEAT,
    WINDOW_OPEN,
    attribute,
    counted_arrays,
)
from services.learn.lift import (
    bootstrap_revenue_lift,
    newcombe_interval,
    proportion_lift,
    won_back,
)
from services.learn.report import learn_breakdown, learn_summary, time_to_reengagement

SENT = dt.datetime(2026, 3, 1, 14, 30)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def exposures(*rows: tuple[int, str, dt.datetime]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "group", "start"])


def orders(*rows: tuple[int, dt.datetime, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "amount_cents"])


def one(order_at: dt.datetime, group: str = "contacted") -> pd.Series:
    result = attribute(exposures((1, group, SENT)), orders((1, order_at, 5000)))
    return result.iloc[0]


# --- the attribution window -------------------------------------------------------------


def test_an_order_at_the_moment_of_outreach_is_day_0() -> None:
    row = one(SENT)
    assert row["reengaged"]
    assert row["days_to_order"] == 0.0
    assert row["revenue_cents"] == 5000


def test_an_order_later_on_day_0_counts_as_day_0() -> None:
    row = one(SENT + dt.timedelta(hours=9))
    assert row["reengaged"]
    assert int(np.floor(row["days_to_order"])) == 0


def test_an_order_at_exactly_30_days_counts() -> None:
    row = one(SENT + 30 * DAY)
    assert row["reengaged"]
    assert row["days_to_order"] == 30.0


def test_an_order_a_second_after_30_days_does_not_count() -> None:
    row = one(SENT + 30 * DAY + SECOND)
    assert not row["reengaged"]
    assert np.isnan(row["days_to_order"])
    assert row["revenue_cents"] == 0


def test_an_order_on_day_31_does_not_count() -> None:
    assert not one(SENT + 31 * DAY)["reengaged"]


def test_an_order_before_the_outreach_never_counts() -> None:
    assert not one(SENT - SECOND)["reengaged"]
    assert not one(SENT - 3 * DAY)["reengaged"]


def test_a_shorter_window_moves_the_edge() -> None:
    table = attribute(
        exposures((1, "contacted", SENT), (2, "contacted", SENT)),
        orders((1, SENT + 7 * DAY, 100), (2, SENT + 7 * DAY + SECOND, 100)),
        window_days=7,
    )
    assert table["reengaged"].tolist() == [True, False]


def test_revenue_and_days_add_up_the_orders_in_the_window_only() -> None:
    table = attribute(
        exposures((1, "contacted", SENT)),
        orders(
            (1, SENT - DAY, 1000),  # before: not counted
            (1, SENT + 4.5 * DAY, 2000),
            (1, SENT + 12 * DAY, 3000),
            (1, SENT + 40 * DAY, 4000),  # after: not counted
            (2, SENT + DAY, 9999),  # someone else
        ),
    )
    row = table.iloc[0]
    assert row["days_to_order"] == 4.5
    assert row["orders_in_window"] == 2
    assert row["revenue_cents"] == 5000


def test_only_paid_orders_count_when_a_status_is_given() -> None:
    paid_later = orders((1, SENT + DAY, 700), (1, SENT + 2 * DAY, 300))
    paid_later["status"] = ["refunded", "paid"]
    row = attribute(exposures((1, "contacted", SENT)), paid_later).iloc[0]
    assert row["days_to_order"] == 2.0
    assert row["revenue_cents"] == 300


def test_the_held_out_clock_starts_when_the_alert_was_raised() -> None:
    raised = SENT - 10 * DAY
    table = attribute(
        exposures((1, "holdout", raised), (2, "holdout", raised)),
        # 25 days after the alert; 35 days after it.
        orders((1, raised + 25 * DAY, 800), (2, raised + 35 * DAY, 800)),
    )
    assert table["reengaged"].tolist() == [True, False]
    assert table["days_to_order"].iloc[0] == 25.0


def test_two_outreaches_to_one_customer_count_once_from_the_first() -> None:
    table = attribute(
        exposures(
            (1, "contacted", SENT + 20 * DAY),  # the second, listed first
            (1, "contacted", SENT),
            (2, "contacted", SENT),
        ),
        orders((1, SENT + 25 * DAY, 1000)),
    )
    assert table["reason"].tolist() == [REPEAT, COUNTED, COUNTED]
    first = table.iloc[1]
    assert first["reengaged"]
    assert first["days_to_order"] == 25.0
    # The customer is in the rate once: one re-engaged out of two customers.
    reengaged, _, _ = counted_arrays(table)["contacted"]
    assert reengaged.tolist() == [True, False]


def test_a_held_out_customer_contacted_later_stays_held_out() -> None:
    table = attribute(
        exposures((1, "holdout", SENT), (1, "contacted", SENT + 5 * DAY)),
        orders((1, SENT + 6 * DAY, 1000)),
    )
    assert table["reason"].tolist() == [COUNTED, REPEAT]
    arrays = counted_arrays(table)
    assert arrays["holdout"][0].tolist() == [True]
    assert arrays["contacted"][0].tolist() == []


def test_same_start_twice_keeps_the_earlier_row() -> None:
    table = attribute(exposures((1, "contacted", SENT), (1, "holdout", SENT)), orders((1, SENT, 1)))
    assert table["reason"].tolist() == [COUNTED, REPEAT]


def test_an_excluded_exposure_is_set_aside_before_choosing_the_first() -> None:
    rows = exposures((1, "contacted", SENT), (1, "contacted", SENT + 3 * DAY))
    rows["excluded"] = [True, False]
    table = attribute(rows, orders((1, SENT + DAY, 100), (1, SENT + 4 * DAY, 200)))
    assert table["reason"].tolist() == [EXCLUDED, COUNTED]
    assert table["days_to_order"].iloc[1] == 1.0
    assert table["revenue_cents"].iloc[1] == 200


def test_a_window_still_open_at_as_of_is_left_out() -> None:
    as_of = SENT + 40 * DAY
    table = attribute(
        exposures((1, "contacted", SENT), (2, "contacted", SENT + 20 * DAY)),
        orders((1, SENT + DAY, 100), (2, SENT + 21 * DAY, 100), (1, SENT + 45 * DAY, 1)),
        as_of=as_of,
    )
    assert table["reason"].tolist() == [COUNTED, WINDOW_OPEN]
    assert not table["counted"].iloc[1]


def test_times_with_a_zone_are_compared_in_utc() -> None:
    start = pd.Timestamp("2026-03-01 14:30", tz="UTC")
    order = pd.Timestamp("2026-03-31 16:30", tz="Europe/Paris")  # 14:30 UTC, day 30
    table = attribute(
        pd.DataFrame({"customer_id": [1], "group": ["contacted"], "start": [start]}),
        pd.DataFrame({"customer_id": [1], "order_date": [order], "amount_cents": [1]}),
    )
    assert table["days_to_order"].iloc[0] == 30.0


def test_extra_columns_and_the_index_are_kept() -> None:
    rows = exposures((1, "contacted", SENT), (2, "holdout", SENT))
    rows["rule"] = ["gone_quiet", "churn_risk"]
    rows.index = pd.Index([10, 11])
    table = attribute(rows, orders())
    assert table.index.tolist() == [10, 11]
    assert table["rule"].tolist() == ["gone_quiet", "churn_risk"]
    assert not table["reengaged"].any()


def test_an_unknown_group_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown groups"):
        attribute(exposures((1, "control", SENT)), orders())


# --- Newcombe's interval ------------------------------------------------------------------

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score interval
# from Wilson's, no continuity correction): (x1, n1, x0, n0) -> (low, high).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_reproduces_the_published_table(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    result = proportion_lift(*counts)
    x1, n1, x0, n0 = counts
    assert result.lift == pytest.approx(x1 / n1 - x0 / n0)
    assert result.low == pytest.approx(expected[0], abs=5e-5)
    assert result.high == pytest.approx(expected[1], abs=5e-5)


def test_proportion_lift_reports_rates_and_sizes() -> None:
    result = proportion_lift(56, 70, 48, 80)
    assert (result.contacted_n, result.contacted_reengaged) == (70, 56)
    assert (result.holdout_n, result.holdout_reengaged) == (80, 48)
    assert result.contacted_rate == pytest.approx(0.8)
    assert result.holdout_rate == pytest.approx(0.6)
    assert result.enough


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    narrow = proportion_lift(56, 70, 48, 80, confidence=0.90)
    wide = proportion_lift(56, 70, 48, 80, confidence=0.99)
    assert wide.low is not None
    assert narrow.low is not None
    assert wide.high is not None
    assert narrow.high is not None
    assert wide.low < narrow.low < narrow.high < wide.high


def test_not_enough_data_below_the_minimums() -> None:
    assert not proportion_lift(9, 10, 3, 10).enough  # groups under 30
    assert not proportion_lift(2, 100, 2, 100).enough  # 4 re-engaged in all
    assert not proportion_lift(100, 100, 98, 100).enough  # 2 not re-engaged in all
    assert proportion_lift(3, 30, 2, 30).enough  # exactly at the minimums


def test_an_empty_group_gives_no_lift() -> None:
    result = proportion_lift(5, 40, 0, 0)
    assert result.contacted_rate == pytest.approx(0.125)
    assert result.holdout_rate is None
    assert result.lift is None
    assert result.low is None
    assert result.high is None
    assert not result.enough


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="re-engaged"):
        proportion_lift(11, 10, 0, 10)


# --- revenue ------------------------------------------------------------------------------


def test_the_bootstrap_is_the_same_with_the_same_seed() -> None:
    rng = np.random.default_rng(7)
    rev1 = rng.choice([0, 0, 0, 5000, 12000], size=200)
    rev0 = rng.choice([0, 0, 0, 0, 5000], size=200)
    a = bootstrap_revenue_lift(rev1, rev0, seed=42)
    b = bootstrap_revenue_lift(rev1, rev0, seed=42)
    c = bootstrap_revenue_lift(rev1, rev0, seed=43)
    assert a == b
    assert (a.low_cents, a.high_cents) != (c.low_cents, c.high_cents)
    assert a.lift_cents == pytest.approx(rev1.mean() - rev0.mean())
    assert a.low_cents is not None
    assert a.high_cents is not None
    assert a.low_cents < a.lift_cents < a.high_cents
    assert a.enough


def test_the_bootstrap_in_blocks_matches_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.learn import lift

    rev = np.arange(100, dtype=float)
    whole = bootstrap_revenue_lift(rev, rev[::-1] * 2, resamples=300, seed=1)
    monkeypatch.setattr(lift, "_BLOCK_ELEMENTS", 1000)  # ten resamples a block
    blocks = bootstrap_revenue_lift(rev, rev[::-1] * 2, resamples=300, seed=1)
    assert blocks.low_cents == pytest.approx(whole.low_cents)
    assert blocks.high_cents == pytest.approx(whole.high_cents)


def test_revenue_lift_needs_enough_customers() -> None:
    result = bootstrap_revenue_lift([100, 0, 0], [0, 0, 50])
    assert not result.enough
    assert result.lift_cents == pytest.approx(100 / 3 - 50 / 3)


def test_won_back_revenue_and_its_incremental_part() -> None:
    reengaged = np.array([True] * 20 + [False] * 80)
    revenue = np.where(reengaged, 15000, 0)
    lift = proportion_lift(20, 100, 10, 100)  # 20% against 10%
    held_revenue = np.where(np.arange(100) < 10, 12000, 0)
    per_customer = bootstrap_revenue_lift(revenue, held_revenue)
    result = won_back(revenue, reengaged, lift, per_customer)
    assert result.reengaged_customers == 20
    assert result.revenue_cents == 300_000
    assert result.average_cents == pytest.approx(15000)
    assert result.incremental_customers == pytest.approx(10)
    # One definition: the revenue lift per customer (150.00 - 12.00 = 18.00 a customer)
    # x 100 contacted = 1,800.00, its interval the bootstrap's, scaled alike.
    assert per_customer.lift_cents == pytest.approx(1800)
    assert result.incremental_cents == pytest.approx(180_000)
    assert per_customer.low_cents is not None
    assert per_customer.high_cents is not None
    assert result.incremental_low_cents == pytest.approx(per_customer.low_cents * 100)
    assert result.incremental_high_cents == pytest.approx(per_customer.high_cents * 100)


def test_won_back_with_nobody_re_engaged() -> None:
    zeros = np.zeros(40, dtype=int)
    held = np.where(np.arange(40) < 3, 5000, 0)
    result = won_back(
        zeros,
        np.zeros(40, dtype=bool),
        proportion_lift(0, 40, 3, 40),
        bootstrap_revenue_lift(zeros, held),
    )
    assert result.revenue_cents == 0
    assert result.average_cents is None
    # Nothing won back, and the held out spent more: the incremental revenue is negative.
    assert result.incremental_cents == pytest.approx(-15_000)


def test_won_back_needs_the_revenue_lift_of_the_same_customers() -> None:
    with pytest.raises(ValueError, match="contacted customers"):
        won_back(
            np.zeros(40, dtype=int),
            np.zeros(40, dtype=bool),
            proportion_lift(0, 40, 3, 40),
            bootstrap_revenue_lift(np.zeros(39), np.zeros(40)),
        )


# --- coverage by simulation ---------------------------------------------------------------

RUNS = 400
PER_GROUP = 300


def synthetic_workspaces(
    rng: np.random.Generator, p_contacted: float, p_holdout: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """RUNS small books of PER_GROUP contacted and PER_GROUP held-out customers each: a
    customer re-engages with its group's probability (one to three orders inside the
    window), and everyone may also have orders before the start or after the window."""
    n = RUNS * 2 * PER_GROUP
    run = np.repeat(np.arange(RUNS), 2 * PER_GROUP)
    contacted = np.tile(np.arange(2 * PER_GROUP) < PER_GROUP, RUNS)
    epoch = np.datetime64("2026-01-01T00:00:00", "s")
    start = epoch + rng.integers(0, 90 * 86_400, size=n).astype("timedelta64[s]")
    reengages = rng.random(n) < np.where(contacted, p_contacted, p_holdout)

    customer = np.arange(n)
    wins = np.repeat(customer[reengages], rng.integers(1, 4, size=int(reengages.sum())))
    win_at = start[wins] + rng.integers(0, 30 * 86_400 + 1, size=len(wins)).astype("timedelta64[s]")
    # Noise the window must ignore: before the start, and from day 31 to day 90.
    early = rng.choice(customer, size=n // 2)
    early_at = start[early] - rng.integers(1, 200 * 86_400, size=len(early)).astype(
        "timedelta64[s]"
    )
    late = rng.choice(customer, size=n // 3)
    late_at = start[late] + rng.integers(31 * 86_400, 90 * 86_400, size=len(late)).astype(
        "timedelta64[s]"
    )
    who = np.concatenate([wins, early, late])
    table = pd.DataFrame(
        {
            "customer_id": who,
            "order_date": np.concatenate([win_at, early_at, late_at]),
            "amount_cents": rng.integers(1000, 30000, size=len(who)),
        }
    )
    books = pd.DataFrame(
        {
            "customer_id": customer,
            "group": np.where(contacted, "contacted", "holdout"),
            "start": start,
            "run": run,
        }
    )
    return books, table


def simulated_intervals(
    seed: int, p_contacted: float, p_holdout: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    books, table = synthetic_workspaces(rng, p_contacted, p_holdout)
    attributed = attribute(books, table)
    counts = attributed.groupby(["run", "group"])["reengaged"].agg(["sum", "size"]).unstack()
    x1, x0 = counts[("sum", "contacted")], counts[("sum", "holdout")]
    n1, n0 = counts[("size", "contacted")], counts[("size", "holdout")]
    d, low, high = newcombe_interval(x1, n1, x0, n0)
    return d, low, high, attributed


def test_the_interval_covers_the_true_lift_in_about_95_percent_of_runs() -> None:
    d, low, high, attributed = simulated_intervals(2026, 0.20, 0.12)
    # The attribution found exactly the planted re-engagements (noise orders all outside).
    assert attributed["counted"].all()
    coverage = float(np.mean((low <= 0.08) & (high >= 0.08)))
    assert 0.90 <= coverage <= 0.99, coverage
    assert abs(float(np.mean(d)) - 0.08) < 0.005
    # The power to see it: 20% against 12% in groups of 300 excludes zero in about 77% of
    # runs (normal approximation); far less would mean the interval is too wide.
    assert 0.65 <= float(np.mean(low > 0)) <= 0.88


def test_with_no_true_effect_the_interval_covers_zero_in_about_95_percent_of_runs() -> None:
    d, low, high, _ = simulated_intervals(2027, 0.12, 0.12)
    coverage = float(np.mean((low <= 0.0) & (high >= 0.0)))
    assert 0.90 <= coverage <= 0.99, coverage
    assert abs(float(np.mean(d))) < 0.005


def test_the_revenue_bootstrap_covers_the_true_revenue_lift() -> None:
    """Revenue per customer is mostly zero and skewed; the percentile bootstrap still
    covers the true difference of means in about 95% of runs (1,000 resamples each)."""
    _, _, _, attributed = simulated_intervals(2028, 0.20, 0.12)
    # One to three orders of 10.00 to 299.99: 2 x 154.995 expected per re-engaged customer.
    true_lift = 0.08 * 2 * (1000 + 29999) / 2
    covered = []
    for _, book in attributed.groupby("run"):
        arrays = counted_arrays(book)
        result = bootstrap_revenue_lift(
            arrays["contacted"][2], arrays["holdout"][2], resamples=1000, seed=1
        )
        assert result.low_cents is not None
        assert result.high_cents is not None
        covered.append(result.low_cents <= true_lift <= result.high_cents)
    coverage = float(np.mean(covered))
    assert 0.90 <= coverage <= 0.99, coverage


# --- the report ---------------------------------------------------------------------------


def test_time_to_reengagement_in_weeks_of_the_window() -> None:
    result = time_to_reengagement([0.0, 6.99, 7.0, 13.5, 29.0, 30.0, np.nan], window_days=30)
    assert result.reengaged == 6
    assert result.median_days == pytest.approx((7.0 + 13.5) / 2)
    assert result.week_first_days == (0, 7, 14, 21, 28)
    assert result.week_counts == (2, 2, 0, 0, 2)


def test_time_to_reengagement_with_nobody() -> None:
    result = time_to_reengagement(np.array([np.nan, np.nan]))
    assert result.reengaged == 0
    assert result.median_days is None
    assert sum(result.week_counts) == 0


def a_small_book() -> pd.DataFrame:
    """Rule A: 40 contacted (10 re-engaged on day 2, 100.00 each), 40 held out (4 on day 9).
    Rule B: 30 and 30, nobody re-engaged. Plus a repeat that must not count."""
    rows = []
    order_rows = []
    customer = 0
    for rule, group, size, wins, day in (
        ("A", "contacted", 40, 10, 2),
        ("A", "holdout", 40, 4, 9),
        ("B", "contacted", 30, 0, 0),
        ("B", "holdout", 30, 0, 0),
    ):
        for i in range(size):
            customer += 1
            rows.append((customer, group, SENT, rule))
            if i < wins:
                order_rows.append((customer, SENT + day * DAY, 10000))
    rows.append((1, "contacted", SENT + 3 * DAY, "B"))  # customer 1 again, under rule B
    book = pd.DataFrame(rows, columns=["customer_id", "group", "start", "rule"])
    return attribute(book, orders(*order_rows))


def test_the_summary_puts_the_figures_together() -> None:
    row = learn_summary(a_small_book())
    assert row.key is None
    assert (row.rates.contacted_n, row.rates.contacted_reengaged) == (70, 10)
    assert (row.rates.holdout_n, row.rates.holdout_reengaged) == (70, 4)
    assert row.rates.enough
    assert row.won_back.revenue_cents == 100_000
    assert row.won_back.incremental_cents == pytest.approx(100_000 - 40_000)
    assert row.revenue.lift_cents == pytest.approx((100_000 - 40_000) / 70)
    assert row.time_contacted.median_days == 2.0
    assert row.time_holdout.week_counts == (0, 4, 0, 0, 0)


def test_the_breakdown_by_rule() -> None:
    rows = learn_breakdown(a_small_book(), "rule")
    assert [r.key for r in rows] == ["A", "B"]
    a, b = rows
    assert (a.rates.contacted_n, a.rates.contacted_reengaged) == (40, 10)
    assert a.rates.lift == pytest.approx(0.15)
    assert a.rates.enough
    # Rule B: the repeat of customer 1 is not there, and nobody re-engaged: not enough.
    assert (b.rates.contacted_n, b.rates.holdout_n) == (30, 30)
    assert b.rates.lift == 0.0
    assert not b.rates.enough
    assert b.time_contacted.median_days is None


def test_the_breakdown_keeps_missing_keys_together() -> None:
    book = a_small_book()
    book.loc[book["rule"] == "B", "rule"] = None
    assert [r.key for r in learn_breakdown(book, "rule")] == ["A", None]


def test_bootstrap_moments_have_the_resampling_distribution() -> None:
    # Drawing only the picks that land on non-zero revenue must give the same law as
    # resampling all n values: mean of the means = the sample mean, spread = sd / sqrt(n),
    # the same share of all-zero resamples (k/n small), and mean squares whose mean is the
    # values' mean square.
    from services.learn.lift import _bootstrap_moments

    rng = np.random.default_rng(7)
    n = 400
    values = np.zeros(n)
    values[:12] = rng.gamma(2.0, 5000.0, 12)
    means, squares = _bootstrap_moments(values, 40_000, np.random.default_rng(1))
    sd = values.std() / np.sqrt(n)
    assert means.mean() == pytest.approx(values.mean(), abs=4 * sd / np.sqrt(40_000))
    assert means.std() == pytest.approx(sd, rel=0.02)
    assert squares.mean() == pytest.approx((values**2).mean(), rel=0.02)
    # P(no pick lands on a non-zero value) = (1 - 12/400)^400
    assert (means == 0).mean() == pytest.approx((1 - 12 / n) ** n, abs=0.003)
    # Same seed, same draws; all-zero revenue resamples to zeros.
    again, _ = _bootstrap_moments(values, 40_000, np.random.default_rng(1))
    assert np.array_equal(means, again)
    assert not _bootstrap_moments(np.zeros(50), 10, np.random.default_rng(0))[0].any()
