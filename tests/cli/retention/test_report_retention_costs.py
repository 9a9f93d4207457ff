"""`report retention`'s cost sections on the hand-made book of
tests/support/retention_book.py: the incentive cost per retained customer and CAC against
CLV by channel in the table, the CSVs and the JSON; the CAC per channel set with `config
set` (as the dialog writes it, and as JSON), refused when IT locks it; and main.py run as
a process, each against the figures written out in that book."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from services.core.policy import reload_policy
from tests.support.paths import ROOT
from tests.support.retention_book import fill_retention_book

YEAR = ("--since", "2025-01-01", "--until", "2025-12-31")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[str, int]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_retention_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, ids


def test_the_table_says_both_and_how_to_set_a_cac(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, out, err = run("--db", url, "config", "set", "retention.cac_by_channel", "online=50")
    assert code == 0, err
    code, out, err = run("--db", url, "report", "retention", *YEAR)
    assert code == 0, err
    lines, flat = out.splitlines(), " ".join(out.split())  # flat: as words, unwrapped
    assert max(len(line) for line in lines) <= 100
    # A $15, B $10, H $10, K $5 of A B H I K: $40, $8 a retained customer; B H I K were
    # emailed offers and redeemed $25: $6.25 each.
    assert "4 of the 5 retained customers redeemed offers worth $40: $8 per retained" in flat
    assert "Of those contacted with an offer (4): $6.25 each" in flat
    overall = next(line for line in lines if line.startswith("All retained"))
    assert overall.split()[2:] == ["5", "4", "$40", "$8", "4", "$6.25"]
    maya = [line for line in lines if line.startswith("Maya ")][-1]
    assert maya.split()[1:] == ["2", "2", "$25", "$12.50", "1", "$10"]
    # online: F and O, CLV $170 and $300, mean $235 against $50; store has no CAC.
    online = next(line for line in lines if line.startswith("online "))
    assert online.split()[1:6] == ["2", "$50", "$235", "4.7", ":"]
    store = next(line for line in lines if line.startswith("store "))
    assert "CAC not set" in store
    assert "$60" in store
    assert "CAC not set for Referral, store: set it in Settings ▸ Retention" in flat
    lost = next(line for line in lines if line.startswith("Lost "))
    assert lost.split()[1:4] == ["4", "CAC", "not"]
    assert "Incentive cost per retained customer: the offers" in flat  # its definition
    assert "Months to recover CAC: CAC divided by" in flat
    # No margin rate is set: the ratio counts revenue, and the figure and its words say so.
    assert online.split()[1:8] == ["2", "$50", "$235", "4.7", ":", "1", "rev."]
    assert "CLV:CAC: the channel's mean CLV divided by its CAC, on revenue: no margin" in flat


def test_clv_to_cac_and_months_to_recover_count_margin(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    assert run("--db", url, "config", "set", "retention.cac_by_channel", "online=50")[0] == 0
    code, out, err = run("--db", url, "report", "retention", *YEAR, "--format", "json")
    assert code == 0, err
    on_revenue = next(c for c in json.loads(out)["acquisition"]["channels"] if c["key"] == "online")
    assert run("--db", url, "config", "set", "learn.margin_percent", "40")[0] == 0
    code, out, err = run("--db", url, "report", "retention", *YEAR)
    assert code == 0, err
    flat = " ".join(out.split())
    online = next(line for line in out.splitlines() if line.startswith("online "))
    # $235 of mean CLV at a 40% margin is $94 against a $50 CAC: 1.9 : 1.
    assert online.split()[1:7] == ["2", "$50", "$235", "1.9", ":", "1"]
    assert "rev." not in online
    assert "the channel's mean CLV times the margin rate (40% of revenue" in flat
    code, out, err = run("--db", url, "report", "retention", *YEAR, "--format", "json")
    assert code == 0, err
    on_margin = next(c for c in json.loads(out)["acquisition"]["channels"] if c["key"] == "online")
    assert on_margin["clv_to_cac"] == pytest.approx(on_revenue["clv_to_cac"] * 0.4)
    # A customer brings 40% as much margin a month as revenue: 2.5 times the months.
    assert on_margin["months_to_recover_cac"] == pytest.approx(
        on_revenue["months_to_recover_cac"] / 0.4
    )


def test_the_csvs_and_the_json(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, _out, err = run(
        "--db", url, "config", "set", "retention.cac_by_channel", '{"online": 50, "store": 0}'
    )
    assert code == 0, err
    code, out, err = run("--db", url, "report", "retention", *YEAR, "--format", "csv")
    assert code == 0, err
    figures = {(r["section"], r["key"], r["measure"]): r["value"]
               for r in csv.DictReader(io.StringIO(out))}  # fmt: skip
    assert figures[("incentive", "", "offers_redeemed_cents")] == "4000"
    assert float(figures[("incentive", "", "cost_per_retained_cents")]) == 800
    assert float(figures[("incentive", "", "cost_per_contacted_cents")]) == 625
    assert figures[("incentive_owner", "Leo", "offers_redeemed_cents")] == "1500"
    assert figures[("acquisition", "online", "cac_cents")] == "5000"
    assert float(figures[("acquisition", "online", "clv_to_cac")]) == pytest.approx(4.7)
    assert figures[("acquisition", "store", "cac_set")] == "1"
    # By segment (all Lost): Referral has no CAC, so the segment has none either.
    assert figures[("acquisition_segment", "Lost", "acquired")] == "4"
    assert figures[("acquisition_segment", "Lost", "cac_set")] == "0"
    assert float(figures[("acquisition", "store", "months_to_recover_cac")]) == 0  # free
    code, out, err = run(
        "--db", url, "report", "retention", *YEAR, "--format", "csv", "--customers"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    redeemed = {int(r["customer_id"]): r["offers_redeemed_cents"] for r in rows
                if r["section"] == "incentive" and r["status"].startswith("redeemed")}  # fmt: skip
    assert redeemed == {ids["A"]: "1500", ids["B"]: "1000", ids["H"]: "1000", ids["K"]: "500"}
    i = next(r for r in rows if r["section"] == "incentive" and int(r["customer_id"]) == ids["I"])
    assert i["status"] == "no offer redeemed, contacted with an offer"
    acquired = {int(r["customer_id"]): r["clv_cents"] for r in rows
                if r["section"] == "acquisition"}  # fmt: skip
    assert acquired == {ids["F"]: "17000", ids["O"]: "30000", ids["G"]: "6000",
                        ids["P"]: "8000"}  # fmt: skip
    code, out, err = run("--db", url, "report", "retention", *YEAR, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert sorted(data["incentives"]["overall"]["redeemed_ids"]) == sorted(ids[x] for x in "ABHK")
    assert data["incentives"]["overall"]["cost_per_retained_cents"] == 800
    channels = {c["label"]: c for c in data["acquisition"]["channels"]}
    assert channels["online"]["mean_clv_cents"] == 23_500
    assert data["acquisition"]["cac_not_set"] == ["Referral"]  # P's LeadSource
    assert data["acquisition"]["value_horizon_months"] == 12
    (lost,) = data["acquisition"]["by_segment"]
    assert sorted(lost["customer_ids"]) == sorted(ids[x] for x in "FGOP")
    assert "CLV:CAC" in data["definitions"]


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    policy = tmp_path / "policies.json"
    policy.write_text(
        json.dumps({"locked": {"retention.cac_by_channel": {"online": 80, "store": 20}}}),
        encoding="utf-8",
    )
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    yield
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    reload_policy()


def test_a_cac_locked_by_it_is_the_one_used(book, locked) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, _out, err = run("--db", url, "config", "set", "retention.cac_by_channel", "online=5")
    assert code == 1
    assert "locked by your IT policy" in err
    code, out, err = run("--db", url, "report", "retention", *YEAR, "--format", "json")
    assert code == 0, err
    channels = {c["label"]: c for c in json.loads(out)["acquisition"]["channels"]}
    assert (channels["online"]["cac_cents"], channels["store"]["cac_cents"]) == (8000, 2000)


def test_a_bad_cac_is_refused_in_words(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, _out, err = run("--db", url, "config", "set", "retention.cac_by_channel", "online")
    assert code == 2
    assert "online=45" in err
    code, _out, err = run(
        "--db", url, "config", "set", "retention.cac_by_channel", '{"online": -3}'
    )
    assert code == 2
    assert "0 or more" in err


def test_main_py_as_a_process(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    cli = [sys.executable, str(ROOT / "main.py"), "--db", url]

    def process(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *argv], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=300)  # fmt: skip

    done = process("config", "set", "retention.cac_by_channel", "online=50, store=30")
    assert done.returncode == 0, done.stderr
    done = process("report", "retention", *YEAR)
    assert done.returncode == 0, done.stderr
    assert "$8 per retained customer" in " ".join(done.stdout.split())
    store = next(line for line in done.stdout.splitlines() if line.startswith("store "))
    assert store.split()[1:6] == ["1", "$30", "$60", "2.0", ":"]
