"""Every report's CSV is written by the exports' rules: a customer's name, an owner's or a
playbook's that a spreadsheet would run as a formula is kept as text."""

from __future__ import annotations

import csv
import io

from app.cli.report_output import write_plain_csv


def test_a_cell_a_spreadsheet_would_run_is_kept_as_text_and_numbers_stay_numbers() -> None:
    out = io.StringIO()
    rows = [
        (7, '=HYPERLINK("http://evil.example","Click")', -3.5, 12),
        (8, "+SUM(A1:A9)", 0.25, -1),
        (9, "Ada Lovelace", None, 0),
    ]
    write_plain_csv(out, ["customer_id", "customer", "uplift_points", "n"], rows)
    text = out.getvalue()
    assert "\r" not in text
    assert text.endswith("\n")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["customer_id", "customer", "uplift_points", "n"]
    assert read[1] == ["7", '\'=HYPERLINK("http://evil.example","Click")', "-3.5", "12"]
    assert read[2] == ["8", "'+SUM(A1:A9)", "0.25", "-1"]
    assert read[3][1] == "Ada Lovelace"
