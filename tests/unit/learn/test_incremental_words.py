"""The incremental revenue in a tile's few words: "No clear effect yet" first when its
interval includes $0, the figure alone when the interval is clear of it."""

from __future__ import annotations

from types import SimpleNamespace

from services.learn.records import Customers, Revenue
from services.learn.wording import incremental_clear, incremental_shorter, incremental_words

REPORT = SimpleNamespace(currency="USD")


def _revenue(cents: float | None, low: float | None, high: float | None) -> Revenue:
    return Revenue(
        reengaged=Customers(12), won_back_cents=1_641_000, average_cents=None,
        incremental_customers=None, incremental_cents=cents, incremental_low_cents=low,
        incremental_high_cents=high, per_customer_lift_cents=None, per_customer_low_cents=None,
        per_customer_high_cents=None, enough=True,
    )  # fmt: skip


def test_an_interval_that_includes_nothing_gained_says_so_first() -> None:
    unclear = _revenue(75_000, -120_000, 260_000)
    assert not incremental_clear(unclear)
    assert incremental_words(REPORT, unclear) == "No clear effect yet: +$750 incremental"  # type: ignore[arg-type]
    # Shorter for a narrow tile, the lead words first.
    assert incremental_shorter(REPORT, unclear) == (
        "No clear effect: +$750",
        "No clear effect yet",
        "Unclear",
    )  # type: ignore[arg-type]


def test_a_clear_interval_gives_the_figure() -> None:
    clear = _revenue(557_800, 120_000, 990_000)
    assert incremental_clear(clear)
    assert incremental_words(REPORT, clear) == "+$5,578 incremental"  # type: ignore[arg-type]
    assert incremental_shorter(REPORT, clear) == ()  # type: ignore[arg-type]
    lower = _revenue(-90_000, -150_000, -20_000)
    assert incremental_words(REPORT, lower) == "-$900 incremental"  # type: ignore[arg-type]


def test_no_estimate_counts_the_customers() -> None:
    assert incremental_words(REPORT, _revenue(None, None, None)) == "12 customers"  # type: ignore[arg-type]
