"""Draft for all and channel experiments: an alert whose running experiment
asked for a call or a meeting is left out of the batch, saying so, so that an email does
not stand in for the channel the draw gave it. Beside services/outreach/batch.py."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from services.alerts.experiments import strategies_for_alerts
from services.outreach.batch_records import PlannedSkip

SKIP_CHANNEL = 'Experiment "{experiment}": {words} instead'
_WORDS = {"call": "a call", "meeting": "a meeting"}


class _Target(Protocol):
    @property
    def customer_id(self) -> int: ...
    @property
    def alert_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...


T = TypeVar("T", bound=_Target)


def leave_out_other_channels(
    session: Session, to_draft: list[T], skipped: list[PlannedSkip]
) -> tuple[list[T], list[PlannedSkip]]:
    """The targets to draft without those a channel experiment gave a call or a meeting,
    which join the skipped with the reason."""
    assigned = strategies_for_alerts(session, [t.alert_id for t in to_draft])
    keep: list[T] = []
    out = list(skipped)
    for target in to_draft:
        strategy = assigned.get(target.alert_id)
        if strategy is None or strategy.kind != "channel" or strategy.value not in _WORDS:
            keep.append(target)
            continue
        reason = SKIP_CHANNEL.format(experiment=strategy.experiment, words=_WORDS[strategy.value])
        out.append(
            PlannedSkip(target.customer_id, target.name, target.alert_id, reason, target.email)
        )
    return keep, out
