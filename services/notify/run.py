"""A round of posts: what is new, built, posted, and remembered once it went.

Called after alerts are raised (the window's alert refresh, ``run-daily``) and by
``notify send``. Nothing is posted to a webhook before someone approved its first post
(the window's preview, or ``notify send --approve`` after ``notify preview``). A post
that fails is not remembered, so the next round posts it again; one that went is
remembered before the next is tried, so nothing goes twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.listen.records import Digest
from services.notify.client import PostFailed, post_json
from services.notify.gather import alerts_content, digest_content, new_alerts, trial_content
from services.notify.log import approve, is_approved, posted_keys, remember_posted
from services.notify.message import build_post
from services.notify.records import Post, PostContent, RoundResult
from services.notify.webhook import stored_webhook, url_hash, webhook_problem
from services.settings.views import NotifySettings

log = logging.getLogger(__name__)

Poster = Callable[[str, bytes, float], None]
NOT_SET = (
    "No webhook is set: paste a Slack or Teams incoming webhook's address in Settings ▸ "
    "Slack and Teams (or with 'notify set-webhook')."
)


@dataclass(frozen=True)
class Setup:
    """Where posts go and what is posted, as set (the address read from the keyring)."""

    url: str | None
    service: str
    critical: bool
    sla: bool
    digest: bool
    timeout_s: int

    @property
    def hook(self) -> str:
        return url_hash(self.url or "")

    @property
    def anything(self) -> bool:
        return self.critical or self.sla or self.digest


def read_setup(engine: Engine) -> Setup:
    """The settings and the stored webhook (none when its address is not usable)."""
    with translate_db_errors(), Session(engine) as session:
        s = NotifySettings.read(session)
    url = stored_webhook()
    if url is not None and webhook_problem(url) is not None:
        url = None
    return Setup(url, s.service, s.critical, s.sla, s.digest, s.timeout_s)


def pending_posts(
    engine: Engine,
    setup: Setup,
    *,
    now: dt.datetime | None = None,
    digest: Digest | None = None,
    workspace: str = "",
) -> list[Post]:
    """The posts a round would send now, in order: the new alerts, then the digest."""
    now = now or dt.datetime.now(dt.UTC)
    with translate_db_errors(), Session(engine) as session:
        posted = posted_keys(session, setup.hook)
    contents: list[PostContent] = []
    if setup.critical or setup.sla:
        items = new_alerts(engine, posted, now, critical=setup.critical, sla=setup.sla)
        if items:
            contents.append(alerts_content(items))
    if setup.digest and digest is not None:
        content = digest_content(engine, digest, workspace)
        if not set(content.log_keys) & posted:
            contents.append(content)
    return [build_post(setup.service, c) for c in contents]


def trial_post(engine: Engine, setup: Setup, now: dt.datetime | None = None) -> Post:
    """The test post for the service set."""
    return build_post(setup.service, trial_content(engine, now or dt.datetime.now(dt.UTC)))


def approved(engine: Engine, setup: Setup) -> bool:
    """True when the first post to the webhook set was approved."""
    with translate_db_errors(), Session(engine) as session:
        return is_approved(session, setup.hook)


def approve_webhook(engine: Engine, setup: Setup, *, actor: str = "user") -> None:
    """Remember that the first post to the webhook set was seen and approved."""
    with translate_db_errors(), Session(engine) as session, session.begin():
        approve(session, setup.hook, actor=actor)


def send_posts(
    engine: Engine, setup: Setup, posts: list[Post], *, poster: Poster = post_json
) -> RoundResult:
    """Send ``posts`` in order, remembering each once it went; stop at the first failure
    (the rest wait for the next round, as it does)."""
    if setup.url is None:
        return RoundResult(problem=NOT_SET)
    sent = 0
    lines: list[str] = []
    for post in posts:
        try:
            poster(setup.url, post.body, float(setup.timeout_s))
        except PostFailed as exc:
            log.warning("notify: %s", exc)
            return RoundResult(sent, tuple(lines), exc.words(test=post.log_keys == ("test",)))
        if post.log_keys != ("test",):
            with translate_db_errors(), Session(engine) as session, session.begin():
                remember_posted(session, setup.hook, post.log_keys)
        sent += 1
        lines.append(f"Posted: {post.title}.")
        log.info("notify: posted %s (%d bytes)", post.title, len(post.body))
    return RoundResult(sent, tuple(lines))


def run_round(
    engine: Engine,
    *,
    now: dt.datetime | None = None,
    digest: Digest | None = None,
    workspace: str = "",
    poster: Poster = post_json,
) -> RoundResult:
    """After alerts are raised: post what is new, if a webhook is set and approved."""
    setup = read_setup(engine)
    if setup.url is None or not setup.anything:
        return RoundResult()
    if not approved(engine, setup):
        return RoundResult(
            lines=(
                "Not posted to Slack or Teams yet: the first post waits for your approval "
                "(the window asks; or 'notify preview', then 'notify send --approve').",
            ),
            waiting_approval=True,
        )
    posts = pending_posts(engine, setup, now=now, digest=digest, workspace=workspace)
    return send_posts(engine, setup, posts, poster=poster)


def post_all(
    setup: Setup, posts: list[Post], *, poster: Poster = post_json
) -> tuple[list[Post], str | None]:
    """Send ``posts`` in order, without the database (the window runs this on its network
    worker): those that went, and the first failure in words (the rest wait)."""
    if setup.url is None:
        return [], NOT_SET
    went: list[Post] = []
    for post in posts:
        try:
            poster(setup.url, post.body, float(setup.timeout_s))
        except PostFailed as exc:
            log.warning("notify: %s", exc)
            return went, exc.words(test=post.log_keys == ("test",))
        went.append(post)
    return went, None


def record_posted(engine: Engine, setup: Setup, posts: list[Post]) -> None:
    """Remember that ``posts`` went to the webhook set (a test post is not remembered)."""
    keys = [k for post in posts for k in post.log_keys if k != "test"]
    if keys:
        with translate_db_errors(), Session(engine) as session, session.begin():
            remember_posted(session, setup.hook, keys)
