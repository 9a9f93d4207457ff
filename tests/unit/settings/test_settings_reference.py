"""The settings reference in docs/it.md is what the schema gives
(services/settings/reference.py): a setting changed without running
``python -m services.settings.reference --write`` fails here."""

from __future__ import annotations

import dataclasses
import io

import pytest

from services.settings import SETTINGS
from services.settings import reference as reference_module
from services.settings.reference import BEGIN, DOC, END, listed, main, section, with_section


def test_the_reference_in_docs_it_md_is_current() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert document.count(BEGIN) == 1
    assert document.count(END) == 1
    assert with_section(document) == document, (
        "docs/it.md's settings reference is out of date: run "
        "python -m services.settings.reference --write"
    )


def test_a_changed_setting_makes_the_reference_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    document = DOC.read_text(encoding="utf-8")
    spec = SETTINGS["learn.attribution_days"]
    changed = {**SETTINGS, spec.key: dataclasses.replace(spec, default=45)}
    monkeypatch.setattr(reference_module, "SETTINGS", changed)
    assert with_section(document) != document
    row = "| `learn.attribution_days` | whole number (days), at least 1 and at most 365 | `45` |"
    assert row in section()


def test_one_row_per_setting_a_policy_sets() -> None:
    rows = section().splitlines()
    keys = {row.split("`")[1] for row in rows if row.startswith("| `")}
    assert "learn.attribution_days" in keys
    assert "workspace.location" in keys  # hidden, but set by IT
    assert "config.version" not in keys
    assert "learn.holdout_draws" not in keys
    assert "workspace.name" not in keys  # hidden, and no policy's business
    assert keys == {key for key, spec in SETTINGS.items() if listed(spec)}
    personal = next(row for row in rows if row.startswith("| `smtp.host` |"))
    assert "| personal |" in personal
    closed = next(row for row in rows if row.startswith("| `llm.allow_cloud` |"))
    assert "an unreadable lock holds it at `false`" in closed


def test_the_generator_prints_the_section_and_needs_its_markers() -> None:
    out = io.StringIO()
    assert main([], out) == 0
    assert out.getvalue() == section() + "\n"
    with pytest.raises(ValueError, match="no '<!-- settings reference"):
        with_section("# A document without the markers\n")
