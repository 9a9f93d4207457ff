"""Settings ▸ Per segment's name follows its kind: switching a rule's kind leaves no name
of the other kind behind (the new kind's first name not taken, or its own name when the
new kind has it), and a tier or region no customer has is warned of, not refused."""

from __future__ import annotations

from typing import Any

import pytest

from views.settings.segment_page import SegmentColumn, SegmentPage, SegmentPageData

KINDS = (("segment", "RFM segment"), ("tier", "Tier"), ("region", "Region"))
NAMES = {
    "segment": ("Champions", "Loyal", "At Risk"),
    "tier": ("Gold", "Silver"),
    "region": ("EMEA", "North America"),
}


@pytest.fixture
def page(qtbot) -> SegmentPage:  # type: ignore[no-untyped-def]
    rules: tuple[dict[str, Any], ...] = (
        {"kind": "tier", "name": "Gold", "values": {}},
        {"kind": "segment", "name": "Champions", "values": {"outreach.incentive_cap_percent": 5}},
    )
    data = SegmentPageData(
        rules=rules,
        kinds=KINDS,
        columns=(SegmentColumn("outreach.incentive_cap_percent", "Offer cap", "percent"),),
        names=NAMES,
    )
    widget = SegmentPage(data, lambda _rules: None)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def test_switching_the_kind_takes_a_name_of_that_kind(page: SegmentPage) -> None:
    page.table.selectRow(1)  # Champions, an RFM segment
    assert page.segment_name.currentText() == "Champions"
    page.kind.setCurrentIndex(page.kind.findData("tier"))
    # Gold is the other rule's: the first tier no rule names.
    assert page.segment_name.currentText() == "Silver"
    assert page.value()[1] == {
        "kind": "tier",
        "name": "Silver",
        "values": {"outreach.incentive_cap_percent": 5},
    }
    page.kind.setCurrentIndex(page.kind.findData("region"))
    assert page.value()[1]["name"] == "EMEA"
    assert not page.name_warning.isVisibleTo(page)
    page.kind.setCurrentIndex(page.kind.findData("segment"))
    assert page.value()[1] == {
        "kind": "segment",
        "name": "Champions",
        "values": {"outreach.incentive_cap_percent": 5},
    }


def test_a_tier_no_customer_has_is_warned_of_and_kept(page: SegmentPage) -> None:
    page.table.selectRow(0)
    assert not page.name_warning.isVisibleTo(page)
    page.segment_name.setCurrentText("Platinum")
    assert page.name_warning.isVisibleTo(page)
    assert page.name_warning.text().startswith("No customer has the tier 'Platinum' today")
    assert page.value()[0]["name"] == "Platinum"  # kept: a warning, not a refusal
    assert page.problem() is None
    assert not page.error.isVisibleTo(page)
    page.segment_name.setCurrentText("silver")  # any case: a customer has it
    assert not page.name_warning.isVisibleTo(page)
    page.table.selectRow(1)  # an RFM segment: no warning (the check refuses a wrong one)
    assert not page.name_warning.isVisibleTo(page)
