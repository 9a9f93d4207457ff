"""Team filters (services/segment_policy/team_filters.py) on a real, scored demo workspace
file: a team filter keeps exactly the rows the Customers table shows for the same filter
and search (one definition), its stage condition reads the latest finished scoring's
stages, saving, renaming and deleting are checked and audited, IT's lock refuses them,
and a segment rule naming a team filter matches its members (the first rule wins for a
customer in two), refuses a filter that does not exist and says when one is gone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text

from app.workspace import Workspace, open_workspace, to_url
from models.schema import AuditEvent
from services.core.customer_filter import CustomerFilter
from services.core.policy import reload_policy
from services.demo.build import build_demo
from services.segment_policy import (
    SegmentRuleError,
    read_table,
    replace_rules,
    set_segment_value,
    values_for_keys,
)
from services.segment_policy.team_filters import (
    TeamFilterError,
    delete_filter,
    list_filters,
    members,
    rename_filter,
    save_filter,
)
from services.settings import set_setting, validate_setting
from services.usecases.customers import load_customer_columns
from services.usecases.refresh import score_and_alert
from views.item_models.customer_table_data import CustomerTableData

KEY = "customers.team_filters"
TONE = "outreach.default_tone"


@pytest.fixture(scope="module")
def scored_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("team-filters") / "book.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=300, seed=11)
        score_and_alert(workspace.engine)
    finally:
        workspace.close()
    return path


@pytest.fixture
def book(scored_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    path = tmp_path / "book.radar.sqlite"
    shutil.copyfile(scored_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    yield workspace
    workspace.close()


def _save(workspace: Workspace, name: str, f: CustomerFilter, search: str = "") -> bool:
    with workspace.sessions() as session, session.begin():
        return save_filter(session, name, f, search, actor="tester")


FILTERS: list[tuple[CustomerFilter, str]] = [
    (CustomerFilter(segments=frozenset({"Champions", "Loyal"})), ""),
    (CustomerFilter(exclude_segments=frozenset({"Lost"}), churn_risk=(0.3, 1.0)), ""),
    (CustomerFilter(health=(0.0, 40.0), engagement=(40.0, 100.0)), ""),
    (CustomerFilter(owner="Maya Thompson"), "a e"),
    (CustomerFilter(owner=""), ""),
    (CustomerFilter(do_not_contact=False, segments=frozenset({"At Risk"})), ""),
    (CustomerFilter(), "son"),
    (CustomerFilter(), "EXAMPLE.ORG"),
]


def test_a_team_filter_keeps_the_rows_the_customers_table_shows(book: Workspace) -> None:
    with book.engine.begin() as conn:  # a few customers without an owner
        conn.execute(text("UPDATE customers SET owner = NULL WHERE id % 17 = 0"))
    for number, (f, search) in enumerate(FILTERS):
        _save(book, f"Filter {number}", f, search)
    with book.sessions() as session:
        kept = members(session)
    data = CustomerTableData(load_customer_columns(book.engine))
    index = data.build_search_index()
    sizes = []
    for number, (f, search) in enumerate(FILTERS):
        mask = data.filter_mask(f)
        found = index.match(search)
        rows = np.ones(data.size, dtype=bool) if mask is None else mask
        if found is not None:
            rows = rows & found
        shown = sorted(int(i) for i in data.ids[rows])
        assert kept[f"Filter {number}"].tolist() == shown, (f, search)
        sizes.append(len(shown))
    # Each filter keeps some and leaves some: the comparison means something.
    assert all(0 < size < data.size for size in sizes), sizes
    # Only the names asked, and only among the ids asked.
    few = [int(i) for i in data.ids[:40]]
    with book.sessions() as session:
        part = members(session, ["filter 0", "no such"], few)
    assert list(part) == ["Filter 0"]
    assert part["Filter 0"].tolist() == [i for i in kept["Filter 0"].tolist() if i in few]


def test_the_stage_condition_reads_the_latest_finished_scorings_stage(book: Workspace) -> None:
    with book.engine.begin() as conn:
        run = conn.execute(
            text("SELECT id FROM scoring_runs WHERE status = 'finished' ORDER BY id DESC")
        ).scalar()
        conn.execute(text("UPDATE score_snapshots SET stage = NULL"))
        chosen = [
            int(r[0])
            for r in conn.execute(
                text("SELECT customer_id FROM score_snapshots WHERE scoring_run_id = :r "
                     "ORDER BY customer_id LIMIT 5"), {"r": run}
            )
        ]  # fmt: skip
        conn.execute(
            text(f"UPDATE score_snapshots SET stage = 'at_risk' WHERE scoring_run_id = :r "
                 f"AND customer_id IN ({', '.join(map(str, chosen))})"), {"r": run}
        )  # fmt: skip
    _save(book, "At risk stage", CustomerFilter(stages=frozenset({"at_risk"})))
    _save(book, "No stage", CustomerFilter(stages=frozenset({""})))
    with book.sessions() as session:
        kept = members(session)
    assert kept["At risk stage"].tolist() == chosen
    everyone = load_customer_columns(book.engine)["id"]
    assert len(kept["No stage"]) == len(everyone) - len(chosen)


def test_saving_renaming_and_deleting_are_checked_and_audited(book: Workspace) -> None:
    assert _save(book, "Big accounts", CustomerFilter(segments=frozenset({"Champions"}))) is False
    # The same name in other case replaces it, in its place.
    _save(book, "Quiet ones", CustomerFilter(health=(0.0, 40.0)))
    assert _save(book, "big ACCOUNTS ", CustomerFilter(segments=frozenset({"Loyal"}))) is True
    with book.sessions() as session:
        names = [f.name for f in list_filters(session)]
        assert names == ["big ACCOUNTS", "Quiet ones"]
        assert list_filters(session)[0].filter.segments == {"Loyal"}
    with pytest.raises(TeamFilterError, match="1 to 60 characters"):
        _save(book, "x" * 61, CustomerFilter())
    refused = pytest.raises(TeamFilterError, match="already")
    with book.sessions() as session, session.begin(), refused:
        rename_filter(session, "quiet ones", "Big Accounts")
    with book.sessions() as session, session.begin():
        rename_filter(session, "quiet ones", "Quiet accounts")
        gone, where = delete_filter(session, "BIG accounts", actor="tester")
    assert (gone.name, where) == ("big ACCOUNTS", 0)
    with book.sessions() as session:
        assert [f.name for f in list_filters(session)] == ["Quiet accounts"]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.changed")
        ).all()
    changes = [e for e in events if (e.details or {}).get("key") == KEY]
    assert len(changes) == 5  # two saves, a replace, a rename, a delete
    assert changes[-1].actor == "tester"
    assert [f["name"] for f in changes[-1].details["old"]] == ["big ACCOUNTS", "Quiet accounts"]
    with book.sessions() as session, session.begin(), pytest.raises(TeamFilterError, match="no"):
        delete_filter(session, "Big accounts")
    # The setting's own check: unique names, at most 100, known conditions.
    entry = {"name": "A", "filter": {}, "search": ""}
    assert "two team filters" in str(validate_setting(KEY, [entry, {**entry, "name": " a"}]))
    many = [{**entry, "name": f"F{i}"} for i in range(101)]
    assert validate_setting(KEY, many) is not None
    assert validate_setting(KEY, many[:100]) is None
    assert "no condition" in str(validate_setting(KEY, [{**entry, "filter": {"colour": 1}}]))


def test_a_lock_by_it_refuses_every_change(
    book: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(book, "Mine", CustomerFilter())
    policy = tmp_path / "policies.json"
    it_value = [{"name": "IT's", "filter": {"segments": ["Lost"]}, "search": ""}]
    policy.write_text(json.dumps({"locked": {KEY: it_value}}), "utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    try:
        assert not reload_policy().problems
        with pytest.raises(TeamFilterError, match="organisation"):
            _save(book, "Another", CustomerFilter())
        with book.sessions() as session:
            assert [f.name for f in list_filters(session)] == ["IT's"]
            assert len(members(session)["IT's"]) > 0
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
        reload_policy()


def test_a_rule_naming_a_team_filter_applies_to_its_members(book: Workspace) -> None:
    refused = pytest.raises(SegmentRuleError, match="no such team filter")
    with book.sessions() as session, session.begin(), refused:
        set_segment_value(session, "filter", "Champions", TONE, "concise")
    _save(book, "Champions", CustomerFilter(segments=frozenset({"Champions"})))
    _save(book, "Not lost", CustomerFilter(exclude_segments=frozenset({"Lost"})))
    with book.sessions() as session, session.begin():
        set_segment_value(session, "filter", "champions", TONE, "concise")
        set_segment_value(session, "filter", "Not lost", TONE, "friendly")
    with book.sessions() as session:
        kept = members(session)
        tones = values_for_keys(session, [TONE])[TONE][1]
    champions, not_lost = set(kept["Champions"].tolist()), set(kept["Not lost"].tolist())
    assert champions
    assert champions < not_lost  # every Champion is in both: the first rule wins
    assert {c for c, r in tones.items() if r.value == "concise"} == champions
    assert {c for c, r in tones.items() if r.value == "friendly"} == not_lost - champions
    assert {r.segment for r in tones.values()} == {"Team filter: champions",
                                                   "Team filter: Not lost"}  # fmt: skip
    with book.sessions() as session, session.begin():
        delete_filter(session, "Champions")
    with book.sessions() as session:
        table = read_table(session)
        tones = values_for_keys(session, [TONE])[TONE][1]
    assert [r.name for r in table.missing_filters] == ["champions"]
    assert {c for c, r in tones.items() if r.value == "friendly"} == not_lost


def test_the_windows_save_refuses_a_new_rule_for_a_missing_team_filter(book: Workspace) -> None:
    _save(book, "Kept", CustomerFilter(segments=frozenset({"Loyal"})))
    stale = {"kind": "filter", "name": "Gone", "values": {TONE: "friendly"}}
    with book.sessions() as session, session.begin():
        set_setting(session, "segments.rules", [stale])  # kept from before "Gone" was deleted
    kept = {"kind": "filter", "name": "kept", "values": {TONE: "concise"}}
    with book.sessions() as session, session.begin():
        replace_rules(session, [stale, kept])  # the stale rule may stay
    new = {"kind": "filter", "name": "Never shared", "values": {TONE: "concise"}}
    refused = pytest.raises(SegmentRuleError, match="no such team filter 'Never shared'")
    with book.sessions() as session, session.begin(), refused:
        replace_rules(session, [stale, kept, new])
    with book.sessions() as session:
        assert [r.name for r in read_table(session).rules] == ["Gone", "kept"]
