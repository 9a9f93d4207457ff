"""A post's bytes: workspace text is data (never markup or a link), long posts are capped,
and the readable side says what the bytes say."""

from __future__ import annotations

import json

from services.notify.message import MAX_ALERTS, build_post
from services.notify.records import AlertItem, PostContent


def _item(n: int, customer: str = "Ana", reason: str = "Quiet for 60 days") -> AlertItem:
    return AlertItem(
        n, "critical", customer, "critical", "Gone quiet", reason, "€1,000", "Due Mon, Nov 30"
    )


def test_slack_control_characters_are_escaped() -> None:
    post = build_post("slack", PostContent("T", (_item(1, "<!channel> & <https://x|y>"),)))
    text = json.loads(post.body)["blocks"][1]["text"]["text"]
    assert "<!channel>" not in text
    assert "<https://x" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://x|y&gt;" in text
    assert "<accountradar://alert/1|Open in Account Radar>" in text  # our own link stays one


def test_card_markdown_in_workspace_text_is_escaped() -> None:
    post = build_post("teams", PostContent("T", (_item(1, reason="[click](https://evil.test)"),)))
    card = json.loads(post.body)["attachments"][0]["content"]
    texts = [b["text"] for c in card["body"][1:] for b in c["items"] if b["type"] == "TextBlock"]
    assert "\\[click\\]\\(https://evil.test\\)" in texts
    assert "[Open in Account Radar](accountradar://alert/1)" in texts
    assert card["version"] == "1.4"


def test_a_long_post_is_capped_but_every_alert_is_logged() -> None:
    items = tuple(_item(n) for n in range(1, MAX_ALERTS + 6))
    for service in ("slack", "teams"):
        post = build_post(service, PostContent("T", items))
        assert len(post.log_keys) == MAX_ALERTS + 5
        assert "and 5 more in Account Radar" in post.readable
        assert "and 5 more in Account Radar" in post.body.decode("utf-8")
        assert f"accountradar://alert/{MAX_ALERTS + 1}" not in post.body.decode("utf-8")


def test_the_pretty_form_is_the_body_pretty_printed() -> None:
    post = build_post("slack", PostContent("Café ✓", (_item(1),)))
    assert json.loads(post.pretty) == json.loads(post.body)
    assert "Café ✓" in post.body.decode("utf-8")  # UTF-8, not \\u escapes
    assert post.readable.startswith("Café ✓\n\nAna: Critical, Gone quiet\n  Quiet for 60 days\n")


def test_the_readable_side_lists_its_lines_as_the_post_sends_them() -> None:
    lines = ("3 new critical alerts", "1 task due today")
    slack = build_post("slack", PostContent("Digest", (), lines))
    teams = build_post("teams", PostContent("Digest", (), lines))
    for post in (slack, teams):
        assert post.readable == "Digest\n\n• 3 new critical alerts\n• 1 task due today\n"
        assert "- 3 new" not in post.readable
    said = json.loads(slack.body)["blocks"][1]["text"]["text"]
    assert said == "• 3 new critical alerts\n• 1 task due today"
    card = json.loads(teams.body)["attachments"][0]["content"]
    assert [b["text"] for b in card["body"][1:]] == [
        "• 3 new critical alerts",
        "• 1 task due today",
    ]
