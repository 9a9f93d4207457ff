"""An account is named by its company everywhere, through the real readers, on SQLite and
PostgreSQL (the hand-made book of tests/support/accounts_book.py: Willow Creek Clinic,
whose row names Henry Müller, who left; Dana Cole, its decision maker, remains): the
alert card, the customer header, the Customers table and its search, My work, the
digest, a Slack post, a review pack, the CRM file and a help-desk ticket; the tasks made
of a call are filed to the account and name the person who promised; and whatever the
privacy setting withholds stays withheld on every path that leaves this computer."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.alerts.assign import assign_customer
from services.alerts.contact import log_call
from services.alerts.queries import alert_columns
from services.alerts.work import my_work
from services.crm_files.export import export_activities
from services.crm_files.ticket import ticket_from_alert
from services.listen.digest import build_digest
from services.notify.gather import alerts_content, digest_content, new_alerts
from services.notify.message import build_post
from services.packs.customer import customer_pack, customer_pack_title
from services.settings import set_setting
from services.usecases import conversations as conv
from services.usecases.customer_detail import load_customer_detail
from services.usecases.customer_list import list_customers
from services.usecases.customers import load_customer_columns
from tests.support.accounts_book import NOW, PROMISE, TASK, add_call, fill_accounts_book

WILLOW = "Willow Creek Clinic"
# What the default privacy setting keeps on this computer of the clinic's people: their
# surnames and addresses (first names and the company may leave).
SURNAMES_AND_ADDRESSES = ("Müller", "Cole", "henry@willowcreek.test", "dana@willowcreek.test")


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_accounts_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def _allow(engine: Engine, fields: list[str]) -> None:
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", fields)


def _post_text(engine: Engine) -> str:
    items = new_alerts(engine, set(), NOW, critical=True, sla=False)
    return build_post("slack", alerts_content(items)).body.decode("utf-8")


def _pack_text(engine: Engine, customer_id: int) -> str:
    pack = customer_pack(engine, customer_id, now=NOW)
    parts = [pack.title, pack.subtitle, pack.owner]
    for section in pack.sections:
        parts += [section.title, *section.lines, *section.notes]
        parts += [f"{f.label} {f.value}" for f in section.figures]
    return "\n".join(parts)


def _crm_rows(engine: Engine, folder: Path, name: str) -> list[dict[str, str]]:
    result = export_activities(engine, "csv", folder / name, everything=True, actor="Maya")
    with result.path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_screen_names_the_company_with_its_person_under_it(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    w = ids["W"]
    # The alert card: the company, Dana beside it (never Henry).
    cards = alert_columns(engine, now=NOW)
    row = list(cards["customer_id"]).index(w)
    assert (cards["customer"][row], cards["person"][row]) == (WILLOW, "Dana Cole")
    ada = list(cards["customer_id"]).index(ids["A"])
    assert (cards["customer"][ada], cards["person"][ada]) == ("Ada Lovelace", None)
    # The customer header: the company, Dana with her role under it, and no address of
    # Henry's as the account's.
    detail = load_customer_detail(engine, w)
    assert (detail.name, detail.person, detail.email) == (
        WILLOW, "Dana Cole (decision maker)", None,
    )  # fmt: skip
    assert load_customer_detail(engine, ids["A"]).person == ""
    # The Customers table: the company in Name, Dana in Person; a customer with nothing
    # to name them by is "Customer <id>".
    table = load_customer_columns(engine, today=NOW)
    at = {int(i): k for k, i in enumerate(table["id"])}
    assert (table["name"][at[w]], table["person"][at[w]]) == (WILLOW, "Dana Cole")
    assert (table["name"][at[ids["A"]]], table["person"][at[ids["A"]]]) == ("Ada Lovelace", None)
    assert table["name"][at[ids["N"]]] == f"Customer {ids['N']}"
    # My work: the task is the clinic's.
    work = my_work(engine, user="Maya", owner="Maya", now=NOW)
    assert [(t.customer, t.title) for t in work.tasks] == [(WILLOW, TASK)]
    # The digest: assigned to Leo, the clinic is named so in his line.
    assign_customer(engine, w, "Leo", actor="Maya", now=NOW - dt.timedelta(minutes=30))
    digest = build_digest(engine, now=NOW, reader="Leo")
    assert digest.lines[0].text == f"Assigned to you: {WILLOW}"
    # The Slack post: the company and the first name the privacy setting lets out.
    assert f"{WILLOW} (Dana): Critical" in _post_text(engine)
    # The review pack: its title is the company.
    assert customer_pack(engine, w, now=NOW).title == WILLOW
    assert customer_pack_title(engine, w) == WILLOW


def test_the_search_finds_the_account_by_its_company_and_its_person(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    assert [c.id for c in list_customers(engine, search="willow creek")] == [ids["W"]]
    assert [c.id for c in list_customers(engine, search="Dana")] == [ids["W"]]
    (line,) = list_customers(engine, search="clinic")
    assert (line.name, line.person) == (WILLOW, "Dana Cole")
    assert list_customers(engine, search="willow ada") == []


def test_the_tasks_of_a_call_are_the_accounts_and_name_who_promised(
    book: tuple[Engine, dict[str, int]], tmp_path: Path
) -> None:
    engine, ids = book
    call = add_call(engine, tmp_path)
    shown = conv.load_conversation(engine, call)
    assert (shown.customer_id, shown.customer) == (ids["W"], WILLOW)
    made = conv.make_tasks(engine, call, [1], now=NOW)
    title = f"Dana Cole (decision maker) promised: I will {PROMISE}."
    assert [t.title for t in made.tasks] == [title]
    assert made.undo is not None
    assert made.undo.label == f"Made 1 task for {WILLOW} from a conversation"
    work = my_work(engine, user="Maya", owner="Maya", now=NOW)
    assert (WILLOW, title) in [(t.customer, t.title) for t in work.tasks]
    # Made once: asked again, it is already a task, and the call shows it as made.
    again = conv.make_tasks(engine, call, [1], now=NOW)
    assert [t.already for t in again.tasks] == [True]
    assert conv.load_conversation(engine, call).promises[0].task_id == made.tasks[0].task_id


def test_a_call_logged_on_the_card_is_with_the_accounts_person(
    book: tuple[Engine, dict[str, int]],
) -> None:
    from services.alerts.actions import apply_card_action

    engine, ids = book
    undo = apply_card_action(engine, [ids["W_alert"]], "log", kind="call", text="Talked renewal",
                             outcome="connected", actor="Maya", now=NOW)  # fmt: skip
    assert undo.label == f"Call with Dana Cole (decision maker) of {WILLOW}: talked with them"


def test_the_default_privacy_keeps_the_peoples_surnames_and_addresses(
    book: tuple[Engine, dict[str, int]], tmp_path: Path
) -> None:
    engine, ids = book
    log_call(engine, ids["W_alert"], "Left word for Dana Cole", actor="Maya", now=NOW)
    post = _post_text(engine)
    pack = _pack_text(engine, ids["W"])
    rows = _crm_rows(engine, tmp_path, "default.csv")
    ticket = ticket_from_alert(engine, ids["W_alert"])
    rows_text = json.dumps(rows, ensure_ascii=False)
    shared = "\n".join(
        [post, pack, rows_text, ticket.requester_name, ticket.subject, ticket.description]
    )
    for withheld in SURNAMES_AND_ADDRESSES:
        assert withheld not in shared, withheld
    assert "[surname withheld]" in post
    assert {r["Customer name"] for r in rows} == {WILLOW}
    assert ticket.requester_name == "Dana [surname withheld]"


def test_a_withheld_company_is_never_the_name_that_leaves(
    book: tuple[Engine, dict[str, int]], tmp_path: Path
) -> None:
    engine, ids = book
    log_call(engine, ids["W_alert"], "Called Willow Creek Clinic", actor="Maya", now=NOW)
    _allow(engine, ["first_name", "drivers"])
    post = _post_text(engine)
    pack = _pack_text(engine, ids["W"])
    rows = _crm_rows(engine, tmp_path, "no-company.csv")
    ticket = ticket_from_alert(engine, ids["W_alert"])
    assign_customer(engine, ids["W"], "Leo", actor="Maya", now=NOW - dt.timedelta(minutes=30))
    digest = digest_content(engine, build_digest(engine, now=NOW, reader="Leo"))
    rows_text = json.dumps(rows, ensure_ascii=False)
    shared = "\n".join([post, pack, rows_text, ticket.subject, ticket.description, *digest.lines])
    for withheld in ("Willow", *SURNAMES_AND_ADDRESSES):
        assert withheld not in shared, withheld
    # Named by what may leave: Dana's first name in the post, nothing in the CRM's
    # column (a first name alone names no one there), the mask in the pack's title.
    assert "Dana: Critical" in post
    assert {r["Customer name"] for r in rows} == {""}
    assert customer_pack_title(engine, ids["W"]) == "[company withheld]"
    assert "[company withheld]" in "\n".join(digest.lines)
