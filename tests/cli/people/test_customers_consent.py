"""`customers consent CUSTOMER --opt-out|--opt-in` end to end: the words, the stored
moment, nothing changed when asked twice, and a customer no one names."""

from __future__ import annotations

import io

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Customer
from services.people.tracking import opted_out_at


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_customers_consent_opt_out_then_in(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with ws.engine.begin() as conn:
            conn.execute(insert(Customer), [{"external_id": "K-1", "source": "generic",
                                             "name": "Kim Ode", "email": "kim@ode.test",
                                             "email_normalized": "kim@ode.test"}])  # fmt: skip
    finally:
        ws.close()
    code, out, err = run("--db", workspace_url, "customers", "consent", "K-1", "--opt-out")
    assert code == 0, err
    assert out.startswith("Opted out of activity tracking on ")
    assert out.strip().endswith("usage and conversations are not used.")
    code, out, _ = run("--db", workspace_url, "customers", "consent", "kim@ode.test", "--opt-out")
    assert code == 0
    assert out.startswith("Nothing changed: Opted out of activity tracking")
    code, out, _ = run("--db", workspace_url, "customers", "consent", "K-1", "--opt-in")
    assert code == 0
    assert "used again" in out
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s:
            assert opted_out_at(s, 1) is None
    finally:
        ws.close()
    code, _, err = run("--db", workspace_url, "customers", "consent", "nobody", "--opt-out")
    assert code == 1
    assert "No customer matches 'nobody'" in err
    # The app's own number for the customer (an accountradar:// link's) names it too.
    code, out, _ = run("--db", workspace_url, "customers", "consent", "1", "--opt-out")
    assert code == 0
    assert out.startswith("Opted out of activity tracking on ")
    code, _, err = run("--db", workspace_url, "customers", "consent", "99", "--opt-out")
    assert code == 1
    assert "No customer matches '99'" in err
