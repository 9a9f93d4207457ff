"""A scoring computed on data that is not current says so: the summary's lines (what
`score` prints) name the late and stale sources of the hand-made book
(tests/support/freshness_book.py, moved to today), a scoring of a past date and a workspace
whose data is current do not (the window's status message: tests/gui/freshness)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.scoring.run import score_workspace
from tests.support.freshness_book import fill_buyers, fill_freshness_book

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    from tests.support.databases import to_url

    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    fill_buyers(ws.engine)
    yield ws.engine
    ws.close()


def test_a_scoring_on_stale_data_says_so(engine: Engine) -> None:
    fill_freshness_book(engine, now=dt.datetime.now(dt.UTC))
    summary = score_workspace(engine)
    assert len(summary.stale_sources) == 2
    assert summary.stale_sources[0].startswith("Zendesk tickets: no new records for 24 days")
    assert summary.stale_sources[1].startswith("Shopify orders: last imported 1")
    lines = summary.lines()
    assert lines[1] == "Scored on stale data: 2 sources that are late or stale."
    assert lines[2] == "  " + summary.stale_sources[0]
    # Scored as of two months ago, it used only what came before: nothing to say.
    past = score_workspace(engine, as_of=TODAY - dt.timedelta(days=60))
    assert past.stale_sources == ()
    assert not any("stale" in line for line in past.lines())


def test_current_data_says_nothing(engine: Engine) -> None:
    summary = score_workspace(engine)
    assert summary.stale_sources == ()
    assert not any("stale" in line.lower() for line in summary.lines())
