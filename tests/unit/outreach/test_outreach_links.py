"""Links in a draft are flagged unless they go to one of the team's domains, and a draft
that asks for a password, a login, card details or to verify an account is flagged
whatever its links."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.core.domains import team_domain
from services.outreach.checks import check_draft
from services.outreach.links import find_links
from services.outreach.records import DraftContext, TemplateEntry
from services.outreach.templates import render_template_draft, sample_context
from services.settings import validate_setting

TEAM = ("example.com", "shop.example.com")
HELLO = "Hi Ada,\n\nIt has been a while. "


def ctx(domains: tuple[str, ...] = TEAM, **changes: object) -> DraftContext:
    return replace(sample_context(), team_domains=domains, **changes)  # type: ignore[arg-type]


def problems(body: str, domains: tuple[str, ...] = TEAM, subject: str = "Hello") -> list[str]:
    found = check_draft(subject, HELLO + body, ctx(domains), max_words=220)
    return [p.message for p in found if p.kind in ("link", "secrets")]


@pytest.mark.parametrize(
    "body",
    [
        "See what is new at https://example.com/new.",
        "The sale is on at shop.example.com/sale and www.example.com.",
        "Our new range: [the spring range](https://shop.example.com/spring?utm=mail).",
        "Write to us at help@example.com or mailto:care@example.com.",
        "A subdomain counts: https://news.shop.example.com/x and HTTPS://EXAMPLE.COM./",
        # Not addresses: abbreviations, numbers, file names, money, a product name.
        "e.g. this, i.e. that, 4.5 stars, invoice.pdf, Node.js, $1,540.00, 10 a.m. sharp.",
    ],
)
def test_the_teams_own_links_and_ordinary_words_pass(body: str) -> None:
    assert problems(body) == []


@pytest.mark.parametrize(
    ("body", "host"),
    [
        ("Claim it at https://evil.test/offer now.", "evil.test"),
        ("Claim it at evil.example/offer.", "evil.example"),
        ("Claim it at www.evil.io.", "www.evil.io"),
        ("Claim it at //evil.test/path.", "evil.test"),
        ("Reply to refunds@evil.test.", "refunds@evil.test"),
        ("Reply to mailto:refunds@evil.test", "evil.test"),
        ("Go to http://192.168.0.1:8080/x", "192.168.0.1"),
        ("Look-alike ending: https://example.com.evil.test/", "example.com.evil.test"),
        ("Not a subdomain: https://notexample.com/", "notexample.com"),
        ("Escaped: https://%65vil.test/", "evil.test"),
        ("Full width: ｅｖｉｌ．ｔｅｓｔ", "evil.test"),
        ("An invisible space: evil\u200b.test/x", "evil.test"),
        ("Backslash: http:\\\\evil.test\\@example.com", "evil.test"),
    ],
)
def test_links_elsewhere_are_flagged_with_their_real_host(body: str, host: str) -> None:
    found = problems(body)
    assert len(found) == 1, found
    assert host in found[0]
    assert "check it or remove it" in found[0]


def test_link_text_cannot_hide_the_real_host() -> None:
    (markdown,) = problems("Sign up at [example.com](http://evil.test/x) today.")
    assert markdown.startswith("A link shown as example.com goes to evil.test,")
    (html,) = problems('Go to <a href="https://evil.test">https://example.com</a>.')
    assert html.startswith("A link shown as example.com goes to evil.test,")
    (plain,) = problems("Sign up [here](evil.test) today.")
    assert plain.startswith("Link to evil.test is not one of your team's domains")
    # The text is a team domain but the target is too: nothing hidden, nothing flagged.
    assert problems("[example.com](https://shop.example.com/)") == []


def test_the_at_trick_names_the_real_host() -> None:
    (message,) = problems("Your gift: https://example.com@evil.test/gift")
    assert message.startswith("Link to evil.test is not one of your team's domains")
    assert "'example.com@' in front of it is only a user name" in message


def test_idn_look_alikes_are_not_the_team_domain() -> None:
    cyrillic = "https://ex\u0430mple.com/offer"  # a Cyrillic а
    (message,) = problems(f"Your gift: {cyrillic}")
    assert "exаmple.com (xn--exmple-4nf.com)" in message
    assert "letters of another alphabet" in message
    # "ß" is not "ss" for a browser: straße.example is not strasse.example.
    (german,) = problems("https://straße.example/", domains=("strasse.example",))
    assert "Link to straße.example" in german
    (typed,) = problems("Your gift: xn--exmple-4nf.com")
    assert "letters of another alphabet" in typed
    # A team domain written with Unicode letters is listed in its IDNA form.
    assert problems("https://bücher.example.com/", domains=("bücher.example.com",)) == []
    assert problems("https://xn--bcher-kva.example.com/", domains=("bücher.example.com",)) == []


def test_code_links_are_flagged() -> None:
    (message,) = problems("[Open](javascript:alert(1))")
    assert "javascript: link" in message
    assert "remove it" in message


def test_no_team_domains_set_flags_every_link_and_says_where_to_set_them() -> None:
    (message,) = problems("See https://example.com/new", domains=())
    assert "Link to example.com" in message
    assert "Settings ▸ Email drafting ▸ Team domains" in message


def test_the_subject_is_checked_and_the_customers_own_address_is_not_flagged() -> None:
    assert problems("Hello.", subject="Your prize at evil.test") != []
    own = check_draft(
        "Hello", HELLO + "We have you as ada@gmail.com.", ctx(email="ada@gmail.com"), max_words=220
    )
    assert own == []


def test_each_host_is_named_once_and_many_are_summed_up() -> None:
    assert len(problems("https://evil.test/a and https://evil.test/b")) == 1
    many = " ".join(f"https://evil{n}.test/" for n in range(8))
    found = problems(many)
    assert len(found) == 6
    assert found[-1] == "3 more links are not to your team's domains."


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("Sign in with your password to claim your gift.", "password"),
        ("Please log in to keep your points.", "log in"),
        ("Just verify your account and we will send it.", "verify your account"),
        ("Reply with your card number and expiry date.", "card number"),
        ("Confirm your details at https://example.com/me", "Confirm your details"),
        ("Send us the one-time code you received.", "one-time code"),
        ("Your PIN is needed.", "PIN"),
    ],
)
def test_a_draft_asking_for_secrets_is_flagged_whatever_its_links(body: str, phrase: str) -> None:
    found = problems(body)
    assert any(m.startswith("The draft asks the customer to sign in") for m in found), found
    secret = next(m for m in found if m.startswith("The draft asks"))
    assert f"“{phrase}”" in secret
    assert "never asks for a password" in secret


def test_ordinary_words_are_not_a_request_for_secrets() -> None:
    body = "The new designs on sale suit a long walk; the pine kit is back. Sign up? No need."
    assert problems(body) == []


def test_template_drafts_with_the_teams_links_pass_and_others_do_not() -> None:
    entry = TemplateEntry(
        subject="We miss you, {{ first_name }}",
        body="Hi {{ first_name }},\n\nOur spring range is at https://shop.example.com/spring"
        " and [our blog](https://example.com/blog).\n\n{{ signature }}",
        custom=True,
    )
    library = {"win_back": entry}
    ok = render_template_draft(ctx(), "win_back", library=library)
    assert [p.kind for p in ok.problems] == []
    elsewhere = render_template_draft(ctx(("example.org",)), "win_back", library=library)
    assert [p.kind for p in elsewhere.problems] == ["link", "link"]


def test_the_setting_takes_domains_and_refuses_other_text() -> None:
    assert validate_setting("outreach.team_domains", ["example.com", "shop.example.com"]) is None
    assert validate_setting("outreach.team_domains", ["https://www.Example.com/x"]) is None
    problem = validate_setting("outreach.team_domains", ["example.com", "not a domain"])
    assert problem is not None
    assert "'not a domain' is not a domain name" in problem
    assert team_domain("https://www.Example.com/x") == "example.com"
    assert team_domain("*.example.com") == "example.com"
    assert team_domain("@example.com") == "example.com"


def test_find_links_reads_in_order() -> None:
    links = find_links("a https://one.test/ then two.test and x@three.test")
    assert [link.host for link in links] == ["one.test", "two.test", "three.test"]
