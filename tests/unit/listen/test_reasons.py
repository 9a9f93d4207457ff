"""The reasons behind negative text (services/listen/reasons.py) and the report the
dashboard shows (services/listen/report.py), on a real demo workspace file: reasons are
learned from the workspace's own negative text, each names what its texts say, the same
texts give the same reasons, and the report's counts, months, quotes and spikes match a
direct reading of the table."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from app.workspace import Workspace, open_workspace, to_url
from services.listen.reasons import CUSTOMER_KINDS, learn_reasons, refresh_listening
from services.listen.report import listen_report
from services.listen.sentiment import NEGATIVE

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from services.demo import build_demo

    path = tmp_path_factory.mktemp("listen") / "listen.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(ws.engine, customers=1500, seed=5, today=TODAY)
    finally:
        ws.close()
    return path


@pytest.fixture
def ws(demo_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "w.radar.sqlite"
    shutil.copy(demo_file, target)
    workspace = open_workspace(to_url(str(target)), backup=False)
    yield workspace
    workspace.close()


def _frame(ws: Workspace) -> pd.DataFrame:
    with sqlite3.connect(str(ws.engine.url.database)) as raw:
        frame = pd.read_sql_query("SELECT * FROM interactions", raw)
    frame["felt"] = frame["sentiment"].fillna(frame["text_sentiment"])
    stored = pd.to_datetime(frame["occurred_at"])
    frame["day"] = (stored + pd.to_timedelta(frame["utc_offset_minutes"].fillna(0), "m")).dt.date
    frame["negative"] = (
        (frame.felt <= NEGATIVE)
        | ((frame.kind == "ticket") & (frame.satisfaction.str.lower() == "bad"))
        | (frame.felt.isna() & (frame.kind == "review") & (frame.rating <= 2))
    )
    return frame


def test_reasons_are_learned_from_negative_text_and_name_what_it_says(ws: Workspace) -> None:
    from sqlalchemy.orm import Session

    from services.settings import get_setting

    with Session(ws.engine) as session:
        learned = get_setting(session, "listen.reasons")
    labels = [t["label"] for t in learned["topics"]]
    assert 5 <= len(labels) <= 12
    frame = _frame(ws)
    with_reason = frame[frame.reason.notna()]
    assert set(with_reason.reason) <= set(labels)
    # Only negative customers' words carry a reason: never a note, a call, a question
    # or praise (a neutral "Does the top run true to size?" is behind no complaint).
    assert set(with_reason.kind) <= set(CUSTOMER_KINDS)
    assert with_reason.negative.all()
    # An address change is not about sizing: "Wrong street number" shares only "wrong"
    # with the sizing complaints, and the words of a text must say its reason.
    street = frame[frame.text.fillna("").str.contains("Wrong street number", regex=False)]
    assert len(street) > 0
    assert not street.reason.fillna("").str.contains("size", case=False).any()
    recent = frame[frame.day >= TODAY - dt.timedelta(days=720)]  # reasons look 2 years back
    negative = recent[recent.kind.isin(CUSTOMER_KINDS) & recent.negative]
    assert recent.reason.notna().sum() >= 0.8 * len(negative)
    # Each reason's name says what its texts say: nearly every text has a word of its
    # name, and its first word (the one most of its texts use) is in a good share of them
    # (a reason may hold two complaints that travel together: "Average · address · change").
    for label in labels:
        texts = with_reason[with_reason.reason == label]
        if len(texts) < 10:
            continue
        named = [w.lower() for w in label.rstrip("'").split(" · ")]
        words = (texts.subject.fillna("") + " " + texts.text.fillna("")).str.lower()
        said = words.map(lambda t, n=named: any(w in t for w in n))
        assert said.mean() >= 0.8, (label, len(texts))
        assert words.str.contains(named[0], regex=False).mean() >= 0.4, (label, len(texts))
    # The demo's complaints about sizing and about quality each have a reason.
    terms = [" ".join(t["terms"]) for t in learned["topics"]]
    assert any("size" in t or "small" in t for t in terms)
    assert any(w in t for t in terms for w in ("damaged", "quality", "fabric", "pilled"))


def test_the_same_texts_give_the_same_reasons(ws: Workspace) -> None:
    from sqlalchemy.orm import Session

    from services.settings import set_setting

    before = _frame(ws)[["id", "reason"]]
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "listen.reasons", {})  # forget them: learned again from scratch
    learn_reasons(ws.engine)
    after = _frame(ws)[["id", "reason"]]
    assert before.fillna("").equals(after.fillna(""))


def test_the_report_counts_what_the_table_holds(ws: Workspace) -> None:
    report = listen_report(ws.engine, since=dt.date(2025, 12, 1), until=TODAY)
    frame = _frame(ws)
    period = frame[(frame.day >= report.since) & (frame.day <= report.until)]
    mine = period[period.kind.isin(CUSTOMER_KINDS) & period.negative]
    assert report.negative_texts == len(mine)
    expected = Counter(mine.reason.dropna())
    assert {r.label: r.texts for r in report.reasons} == dict(expected)
    assert [r.texts for r in report.reasons] == sorted(
        (r.texts for r in report.reasons), reverse=True
    )
    for reason in report.reasons:
        rows = mine[mine.reason == reason.label]
        assert reason.customer_ids == set(rows.customer_id)
        assert dict(reason.by_kind) == dict(Counter(rows.kind))
        assert sum(reason.by_month.values()) == reason.texts
        assert 1 <= len(reason.quotes) <= 3
        for quote in reason.quotes:
            row = frame[frame.id == quote.interaction_id].iloc[0]
            assert row.reason == reason.label
            assert row.negative
            assert quote.words.startswith((row.subject or row.text)[:20])
    trend = period[period.kind.isin(("ticket", "review")) & period.felt.notna()]
    months = trend.groupby(trend.day.map(lambda d: d.strftime("%Y-%m"))).felt
    assert [m.month for m in report.trend] == sorted(months.groups)
    for month in report.trend:
        assert month.texts == months.size()[month.month]
        assert month.mean == pytest.approx(months.mean()[month.month])


def test_a_reason_that_grows_sharply_is_marked(ws: Workspace) -> None:
    first = listen_report(ws.engine, until=TODAY)
    sizing = next(r for r in first.reasons if "size" in " ".join(r.terms))
    assert not sizing.spike
    with sqlite3.connect(str(ws.engine.url.database)) as raw:
        customers = [c for (c,) in raw.execute("SELECT id FROM customers LIMIT 30")]
        for n, cid in enumerate(customers):
            raw.execute(
                "INSERT INTO interactions (customer_id, kind, occurred_at, channel, subject, "
                "text, satisfaction, source) VALUES (?, 'ticket', ?, 'email', "
                "'Wrong size received', ?, 'bad', 'test')",
                (cid, f"2026-11-{10 + n % 9:02d} 12:00:00.000000",
                 "Wrong size again, the medium is a small. Not impressed."),
            )  # fmt: skip
    refresh_listening(ws.engine)
    after = listen_report(ws.engine, until=TODAY)
    grown = [r for r in after.reasons if r.spike]
    assert len(grown) == 1
    assert "size" in " ".join(grown[0].terms)
    assert grown[0].last_30 >= 30
