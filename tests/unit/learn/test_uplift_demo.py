"""Who to contact on the demo, whose true effect varies by customer in a known way
(services/demo/uplift_truth.py): the cross-fitted uplift ranking's Qini on the truth
beats a random order and the churn-risk order; the report is deterministic; a book with
too few exposures says so, with the threshold in words. On this demo the ranking's Qini
interval includes zero: the estimates are not ranked, the queue gets no order and every
surface says why; the estimates average within the measured lift's interval. On an A/A
book (outreach has no effect) nothing is ranked either.

The 2,000-customer demo (seed 7) is built and scored once for the module (about 5 s),
the A/A book once for its test."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace, to_url
from services.demo import build_demo
from services.learn.uplift import uplift_report
from services.learn.uplift_cache import cached_uplift_report, uplift_columns
from services.learn.uplift_records import ENOUGH_WORDS, UpliftReport
from services.learn.uplift_wording import NOT_RANKED, lift_words, ranking_words

TODAY = dt.date(2025, 6, 15)
NOW = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)


def build_uplift_demo(path: Path, seed: int = 7, contacted_rate: float | None = None) -> None:
    """The 2,000-customer demo scored on its today, with today's alerts raised
    (``contacted_rate``: the contacted arm's true rate, the demo's by default)."""
    from services.alerts.generate import generate_alerts
    from services.demo.outreach import CONTACTED_RATE
    from services.scoring.run import score_workspace

    rate = CONTACTED_RATE if contacted_rate is None else contacted_rate
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(ws.engine, customers=2000, seed=seed, today=TODAY, contacted_rate=rate)
        summary = score_workspace(ws.engine, as_of=TODAY)
        generate_alerts(ws.engine, summary.run_id)
    finally:
        ws.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("uplift") / "demo.radar.sqlite"
    build_uplift_demo(path)
    ws = open_workspace(to_url(str(path)), backup=False)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def report(demo: Workspace) -> UpliftReport:
    return uplift_report(demo.engine, now=NOW)


def true_uplift(ws: Workspace, customers: tuple[int, ...]) -> np.ndarray:
    """Each customer's true uplift, as the demo stored it."""
    with ws.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, attributes FROM customers")).all()
    truth = {}
    for cid, attributes in rows:
        values = json.loads(attributes) if isinstance(attributes, str) else attributes
        if values and "demo_outreach" in values:
            truth[int(cid)] = float(values["demo_outreach"]["true_uplift"])
    return np.array([truth[c] for c in customers])


def truth_qini(score: np.ndarray, truth: np.ndarray) -> float:
    """The area between the curve of true extra returns (the sum of the true uplift of
    the first k, by score) and the random line, per exposure: the Qini on the truth."""
    n = len(truth)
    order = np.argsort(-score, kind="stable")
    gains = np.concatenate([[0.0], np.cumsum(truth[order])]) / n
    above = gains - np.arange(n + 1) / n * gains[-1]
    return float(np.sum((above[1:] + above[:-1]) / 2) / n)


@pytest.mark.slow
def test_the_uplift_ranking_beats_random_and_churn_risk_on_the_truth(
    demo: Workspace, report: UpliftReport
) -> None:
    assert report.enough, report.reason
    assert report.contacted > 600
    assert report.held_out > 60
    truth = true_uplift(demo, report.past_customers)
    scores = np.array(report.past_scores)
    risks = np.array(report.past_risks)
    assert not np.isnan(risks).any()  # every past customer was scored
    model = truth_qini(scores, truth)
    by_risk = truth_qini(risks, truth)
    best = truth_qini(truth, truth)
    # Seed 7: model 0.0051, churn risk 0.0026, the truth's own order 0.0097.
    assert model > 0  # random is 0
    assert model > by_risk
    assert model > 0.3 * best
    assert np.corrcoef(scores, truth)[0, 1] > 0.3
    # The truth varies as stated: from about 2 points (long quiet) to about 13 (recent).
    assert truth.max() > 0.12
    assert truth.min() < 0.03


@pytest.mark.slow
def test_the_report_is_deterministic_and_its_curves_end_at_the_difference(
    demo: Workspace, report: UpliftReport
) -> None:
    again = uplift_report(demo.engine, now=NOW)
    assert again == report
    assert report.model_curve is not None
    contacted = np.array(report.past_contacted)
    returned = np.array(report.past_returned)
    end = (
        returned[contacted].sum()
        - returned[~contacted].sum() * contacted.sum() / (~contacted).sum()
    )
    assert report.model_curve.gains[-1] == pytest.approx(end / len(contacted))
    # Today's estimates: customers with an active alert, each inside its band.
    assert len(report.estimates) > 20
    assert all(e.low <= e.uplift <= e.high or e.high - e.low < 1e-9 for e in report.estimates)
    assert sum(len(b.customer_ids) for b in report.bars) == len(report.estimates)


@pytest.mark.slow
def test_the_queue_columns_come_from_the_same_report(demo: Workspace) -> None:
    cached = cached_uplift_report(demo.engine)
    assert cached is cached_uplift_report(demo.engine)  # nothing changed: kept
    ids = np.array([e.customer_id for e in cached.estimates][:5] + [10**9])
    uplift, words, note = uplift_columns(demo.engine, ids)
    # Not ranked on this demo: no row carries its own estimate, each customer with one
    # the measured average, and the note says why.
    assert not cached.ranks
    assert np.isnan(uplift).all()
    assert words[5] == ""
    assert set(words[:5]) == {lift_words(cached)}
    assert note == ranking_words(cached)


def test_a_book_without_enough_exposures_says_so(tmp_path: Path) -> None:
    ws = open_workspace(to_url(str(tmp_path / "empty.radar.sqlite")), backup=False)
    try:
        report = uplift_report(ws.engine)
    finally:
        ws.close()
    assert not report.enough
    assert report.reason.startswith("Not enough data yet: the estimate needs ")
    assert ENOUGH_WORDS in report.reason
    assert "So far 0 contacted (0 returned) and 0 held out (0 returned)." in report.reason
    assert report.model_curve is None
    assert report.estimates == ()


@pytest.mark.slow
def test_report_uplift_prints_the_figures_of_the_service(
    demo: Workspace, report: UpliftReport, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main

    url = str(demo.engine.url)
    assert main(["--db", url, "report", "uplift", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["enough"] is True
    assert data["contacted"] == report.contacted
    assert data["held_out"] == report.held_out
    assert data["ranked"] is False
    assert data["customers"] == []  # not ranked: nobody listed by their own estimate
    assert data["ranking"].startswith(NOT_RANKED)
    assert data["lift"] == pytest.approx(report.lift)
    assert main(["--db", url, "report", "uplift", "--top", "3"]) == 0
    table = capsys.readouterr().out.splitlines()
    # The headline in the window's words (No clear effect yet: ... when the interval
    # includes zero), then the figures.
    from services.learn.uplift_wording import qini_headline

    head = [
        *textwrap.wrap(qini_headline(report), 100, subsequent_indent="  "),
        *textwrap.wrap(ranking_words(report), 100, subsequent_indent="  "),
        *textwrap.wrap(lift_words(report), 100, subsequent_indent="  "),
    ]
    assert table[1 : 1 + len(head)] == head
    said = " ".join(line.strip() for line in head)
    assert "The model has not yet beaten a random order: " in said
    assert "and that interval includes zero, the score of a random order" in said
    assert 'Alerts does not offer "Most persuadable first"' in said
    table = table[1 + len(head) :]
    assert table[0].startswith("Qini coefficient per 100, most persuadable first: ")
    assert len([line for line in table if line.endswith(")")]) >= 1
    assert "Customer" not in " ".join(table)  # no ranked table


@pytest.mark.slow
def test_a_fit_stops_once_cancelled_and_keeps_nothing(
    demo: Workspace, report: UpliftReport
) -> None:
    """Closing the window asks the fit to stop: it stops at the next step (a read, a fold,
    a resample) instead of running for minutes, and the cache keeps no half report."""
    from services.learn import uplift_cache
    from services.learn.uplift_model import UpliftCancelled

    asked: list[int] = []

    def after(steps: int) -> Callable[[], bool]:
        def cancelled() -> bool:
            asked.append(1)
            return len(asked) > steps

        return cancelled

    assert uplift_report(demo.engine, now=NOW, cancelled=after(10**6)) == report
    every = len(asked)  # the steps a whole fit asks at: the reads, folds and resamples
    assert every > 40  # the bootstrap asks once per refit at least
    for steps in (0, 3, every // 2, every - 1):
        asked.clear()
        with pytest.raises(UpliftCancelled):
            uplift_report(demo.engine, now=NOW, cancelled=after(steps))
        assert len(asked) == steps + 1  # stopped at the first step told to
    uplift_cache._KEPT.clear()
    asked.clear()
    with pytest.raises(UpliftCancelled):
        cached_uplift_report(demo.engine, after(2))
    assert uplift_cache.ready_uplift_report(demo.engine) is None


@pytest.mark.slow
def test_the_estimates_average_within_the_measured_lift(report: UpliftReport) -> None:
    """Each estimate starts from the lift measured on the past exposures: their mean sits
    inside its interval, each band is at least as wide, and nothing runs to three times
    the lift as the raw scores did."""
    from services.learn.lift import proportion_lift

    measured = proportion_lift(
        report.contacted_returns,
        report.contacted,
        report.held_out_returns,
        report.held_out,
        confidence=0.90,
    )
    assert measured.lift is not None
    assert measured.low is not None
    assert measured.high is not None
    today = np.array([e.uplift for e in report.estimates])
    assert len(today) > 20
    assert measured.low - 1e-9 <= today.mean() <= measured.high + 1e-9
    assert np.mean(report.past_uplift) == pytest.approx(measured.lift)
    assert report.lift == pytest.approx(measured.lift)
    width = measured.high - measured.low
    assert all(e.high - e.low >= width - 1e-9 for e in report.estimates)
    assert all(e.low <= e.uplift <= e.high for e in report.estimates)


@pytest.mark.slow
def test_an_a_a_book_ranks_nothing(tmp_path: Path) -> None:
    """Outreach with no effect on anyone (the contacted arm's true rate the held out's):
    the ranking is not offered, the queue's columns carry no estimate, and the
    estimates average within the measured lift's interval, which holds zero."""
    from services.demo.outreach import BASELINE_RATE

    path = tmp_path / "aa.radar.sqlite"
    build_uplift_demo(path, contacted_rate=BASELINE_RATE)
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        report = uplift_report(ws.engine, now=NOW)
        ids = np.array([e.customer_id for e in report.estimates])
        uplift, _words, note = uplift_columns(ws.engine, ids)
        truth = true_uplift(ws, report.past_customers)
    finally:
        ws.close()
    assert report.enough, report.reason
    assert not (truth != 0).any()  # the demo's truth: no effect on anyone
    assert not report.ranks
    assert np.isnan(uplift).all()
    assert note.startswith(f"{NOT_RANKED}: ")
    assert report.lift_low is not None
    assert report.lift_high is not None
    assert report.lift_low < 0 < report.lift_high
    mean = np.mean([e.uplift for e in report.estimates])
    assert report.lift_low <= mean <= report.lift_high
    covered = np.mean((np.array(report.past_low) <= 0) & (np.array(report.past_high) >= 0))
    assert covered >= 0.9


def test_the_lift_each_card_states_is_results_outreach_lift(
    demo: Workspace, report: UpliftReport
) -> None:
    """While not ranked, each card states the average lift measured on past customers: the
    same figure and 95% interval as Results ▸ Outreach (one definition), led by "No clear
    effect yet" when that interval includes zero."""
    from services.learn.effectiveness import effectiveness_report
    from services.learn.uplift_wording import lift_words

    outreach = effectiveness_report(demo.engine, now=NOW).overall.lift
    assert outreach.lift == pytest.approx(report.lift)
    assert (outreach.low, outreach.high) == pytest.approx((report.lift_low, report.lift_high))
    said = lift_words(report)
    assert f"95% CI {outreach.low * 100:+.1f} to {outreach.high * 100:+.1f}" in said
    assert said.startswith("No clear effect yet") == (outreach.low <= 0 <= outreach.high)
