"""`draft CUSTOMER --offline --tone T`: each tone the app offers writes its own words from
the built-in templates, and each still carries what the email is for (the customer's
name, why we write, the offer when there is one)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.workspace import to_url
from models.vocab import OUTREACH_TONES
from services.core.profile import make_profile, save_profile
from services.outreach.checks import word_count
from tests.cli.outreach.test_draft import draft
from tests.unit.alerts.test_alerts_rules import make_book

# What each goal's email must say whatever the tone (on the customer below): the reason
# for writing it. Ada's last order was 300 days ago; her late parcel's ticket is open.
REASONS = {
    "win_back": ("since your last order", "last order"),
    "check_in": ("check in", "check-in"),
    "apology": ("sorry", "apologies"),
    "expansion": ("new",),
}

CONTRACTIONS = re.compile(r"\b(I'm|I'd|I'll|it's|here's|you're|that's|there's|we've|let's)\b", re.I)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ada Lovelace: three orders (the last 100 days ago), scores, an open late-parcel
    ticket; Cy Young, the same without the ticket (so an offer within the cap)."""
    folder = tmp_path_factory.mktemp("tone-base")
    for book in make_book(to_url(str(folder / "w.radar.sqlite"))):
        book.set("alerts.cooldown_days", 0)
        ada = book.customer("Ada Lovelace", owner="Maya Thompson")
        book.orders(ada, [300, 200, 100], cents=12_000)
        book.interaction(ada, "ticket", 5, status="open", subject="Late parcel", text="Late.")
        cy = book.customer("Cy Young", owner="Maya Thompson")
        book.orders(cy, [300, 200, 100], cents=12_000)
        book.score({ada: {"clv": 2000.0, "churn": 0.3}, cy: {"clv": 2000.0, "churn": 0.3}})
        book.generate()
    return folder / "w.radar.sqlite"


@pytest.fixture
def db(base: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.radar.sqlite"
    shutil.copyfile(base, path)
    save_profile(make_profile("Maya Thompson", "maya@fern.example"))  # who signs
    return path


def body_of(result: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    first, _, body = result.stdout.partition("\n\n")
    assert first.startswith("Subject: ")
    return first.removeprefix("Subject: "), body.strip()


@pytest.mark.parametrize("goal", sorted(REASONS))
def test_each_tone_reads_in_its_own_words(db: Path, tmp_path: Path, goal: str) -> None:
    drafts = {
        tone: body_of(draft(db, "Ada Lovelace", "--offline", "--goal", goal, "--tone", tone,
                            home=tmp_path))
        for tone in OUTREACH_TONES
    }  # fmt: skip
    bodies = {tone: body for tone, (_subject, body) in drafts.items()}
    # Every tone a text of its own.
    assert len(set(bodies.values())) == len(OUTREACH_TONES), bodies
    # Concise is short and to the point: well under warm, which opens and closes at length.
    assert word_count(bodies["concise"]) < 0.7 * word_count(bodies["warm"])
    assert (
        len([p for p in bodies["concise"].split("\n\n") if p.strip()]) <= 4
    )  # with hello and sign-off
    # Warm: a personal opening and a closing line before the signature.
    warm_closing = bodies["warm"].split("\n\n")[-2]
    assert warm_closing.startswith(("Take care", "Thank you for bearing with us"))
    # Professional: formal address, no contractions or exclamation marks.
    assert bodies["professional"].startswith("Dear Ada,")
    assert "!" not in bodies["professional"]
    assert not CONTRACTIONS.search(bodies["professional"])
    # Friendly: upbeat, its own contractions.
    assert CONTRACTIONS.search(bodies["friendly"])
    for tone, (subject, body) in drafts.items():
        # The facts the email is for, in every tone: whom, why, and who signs.
        assert "Ada" in subject
        assert body.split("\n", 1)[0] in {"Hi Ada,", "Hi Ada!", "Dear Ada,"}, (tone, body)
        assert any(words in body.lower() for words in REASONS[goal]), (tone, body)
        assert body.endswith("Best regards,\nMaya Thompson"), (tone, body)
        assert "{{" not in body
        assert "{%" not in body


def test_the_reason_and_the_offer_carry_into_every_tone(db: Path, tmp_path: Path) -> None:
    """A win-back: the last order's date and the offer are said in every tone; an apology:
    the open request."""
    win_back = {
        tone: body_of(draft(db, "Cy Young", "--offline", "--goal", "win_back", "--tone",
                            tone, home=tmp_path))[1]
        for tone in OUTREACH_TONES
    }  # fmt: skip
    assert len(set(win_back.values())) == len(OUTREACH_TONES), win_back
    offers = {
        tone: [w for w in body.split() if w.startswith("$")] for tone, body in win_back.items()
    }
    assert len({tuple(o) for o in offers.values()}) == 1, offers  # the same offer in each
    assert offers["warm"], win_back["warm"]
    dates = {tone: body.split("last order")[1][:40] for tone, body in win_back.items()}
    day = dates["warm"].split(" on ")[1].split(",")[0]  # "12 March 2025"
    assert all(day in text for text in dates.values()), dates

    for tone in OUTREACH_TONES:
        _subject, apology = body_of(
            draft(db, "Ada Lovelace", "--offline", "--goal", "apology", "--tone", tone,
                  home=tmp_path)
        )  # fmt: skip
        assert "request is still open" in apology, (tone, apology)
        assert "$" not in apology  # a complaint comes first: no offer, whatever the tone
