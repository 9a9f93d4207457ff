"""The rules of the offline reading (services/conversations/risk_cues.py): a risk is the
words of its kind together with what they act on, said as standing (not negated, not the
condition of a hypothetical, not a question asked out of interest, not a past resolved).
They are also features of the trained reading (test_reading.py measures the whole)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.conversations.reading_rules import RISK_KINDS, RISK_LABELS
from services.conversations.risk_cues import risk_cues

NAMED = ("Northwind", "Tailspin Toys")


def kinds(sentence: str, competitors: tuple[str, ...] = NAMED) -> list[str]:
    return [cue.kind for cue in risk_cues(sentence, competitors)]


@pytest.mark.parametrize(
    ("sentence", "kinds_said"),
    [
        ("We are evaluating Northwind for next year.", ["competitor"]),
        ("tailspin   toys called us last week.", ["competitor"]),
        ("We're switching to Fabrikam next quarter.", ["competitor"]),
        ("Fabrikam offered us a 30% discount.", ["competitor"]),
        ("We're looking at other vendors.", ["competitor"]),
        ("We are not looking at other vendors.", []),
        ("Told us they are moving to another supplier.", ["competitor"]),
        ("Our new buyer is reviewing all suppliers.", ["competitor"]),
        ("The programme is being cut next year.", ["budget_cut"]),
        ("We're switching to annual billing.", []),
        ("It's too expensive for what we use.", ["price_complaint"]),
        ("The price is really high.", ["price_complaint"]),
        ("Honestly it's not worth the money.", ["price_complaint"]),
        ("The renewal price went up 15%, which is hard to justify.", ["price_complaint"]),
        ("We can't justify the spend anymore.", ["price_complaint"]),
        ("Honestly the value is great for the price.", []),
        ("We're a bit tight on budget this quarter.", ["budget_cut"]),
        ("We can't afford another increase.", ["budget_cut"]),
        ("Our budgets were cut 20 % this year.", ["budget_cut"]),
        ("We have no budget for this next year.", ["budget_cut"]),
        ("Our budget was not cut this year.", []),
        ("We might cancel our subscription.", ["cancellation"]),
        ("We don't think we'll renew.", ["cancellation"]),
        ("We won't be renewing the contract.", ["cancellation"]),
        ("We're not cancelling, just asking.", []),
        ("We have no plans to cancel.", []),
        ("Please cancel tomorrow's meeting.", []),
        ("I'm leaving the company in January.", ["champion_leaving"]),
        ("Maria is leaving at the end of the month.", ["champion_leaving"]),
        ("We have a new head of procurement.", []),  # a new joiner: nobody left
        ("I'm moving to a new role next month.", ["champion_leaving"]),
        ("I'm leaving for the airport now.", []),
        ("I'm not leaving the company.", []),
        (
            "Budgets were cut, so we will cancel and move to Northwind.",
            ["cancellation", "competitor", "budget_cut"],
        ),
        ("Thanks, everything works well.", []),
        # What the reading got wrong by the word: a meeting or an order cancelled, a vendor
        # met or left behind, a budget cut and a champion gone said in other words.
        ("Can you cancel Thursday's check-in? Let's do Friday instead.", []),
        ("Please cancel the duplicate order.", []),
        ("We're cancelling the old purchase order.", []),
        ("We met Clarion at the trade show last month.", []),
        ("We switched from them to you two years ago.", []),
        (
            "Our budget for next year was cut by twenty percent, so we are reviewing every "
            "supplier.",
            ["competitor", "budget_cut"],
        ),
        ("Henry left us two weeks ago.", ["champion_leaving"]),
        ("Henry left us a voicemail.", []),
        ("Dana is on holiday until the 3rd.", []),
        ("Finance has frozen discretionary spending.", ["budget_cut"]),
        (
            "Your prices went up again and it is getting too expensive.",
            ["price_complaint"],
        ),
        ("My last day here is Friday.", ["champion_leaving"]),
        ("We are evaluating other vendors.", ["competitor"]),
        ("We've started a trial with Brightwave.", ["competitor"]),
        ("We'll cancel at renewal unless the exports work.", ["cancellation"]),
        ("If the price goes up again we'll look elsewhere.", ["competitor"]),
        ("Even if budgets were cut, this is the last thing we'd drop.", []),
        ("Is there a penalty if we cancel early?", []),
        ("Can you cancel our subscription at the end of the month?", ["cancellation"]),
        ("We looked at other vendors last year but you won.", []),
    ],
)
def test_the_kinds_a_customers_sentence_raises(sentence: str, kinds_said: list[str]) -> None:
    assert kinds(sentence) == kinds_said


def test_every_kind_has_its_label_in_plain_words() -> None:
    assert set(RISK_LABELS) == set(RISK_KINDS)
    assert RISK_LABELS["cancellation"] == "raised cancellation"
    assert all("_" not in label for label in RISK_LABELS.values())


def test_a_vendor_is_found_without_its_name_in_the_settings_and_its_name_is_kept() -> None:
    cue = risk_cues("We're running a pilot with Orbitas Cloud next month.")[0]
    assert (cue.kind, cue.name) == ("competitor", "Orbitas Cloud")
    assert kinds("We are evaluating Northwind.", ()) == ["competitor"]


def test_a_named_competitor_said_in_passing_is_no_risk() -> None:
    assert kinds("tailspin toys called us last week.") == ["competitor"]
    assert kinds("We moved away from Tailspin Toys years ago.") == []


def test_each_cue_is_the_words_that_carry_it() -> None:
    sentence = "Thanks for the update. Honestly we're going to cancel the subscription."
    cue = risk_cues(sentence)[0]
    assert "cancel the subscription" in sentence[cue.start : cue.end]


@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    for cue in risk_cues(text, NAMED):
        assert cue.kind in RISK_KINDS
        assert 0 <= cue.start < cue.end <= len(text)
