"""The section of ``report alerts`` on the risks read out of conversations: each kind's
precision and recall measured on the labelled listening corpus
(services/listen/proven_risks.py keeps them), the level the Risk raised in a conversation
rule asks for, and whether the kind raises alerts (services/core/proof.py's words)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.core.proof import Proof

TITLE = "Risks read in conversations, measured on the labelled listening corpus"
METHOD = (
    "Precision: of the customer's sentences the reading found a kind in, the share a careful "
    "reader labelled with it; recall: of those labelled with it, the share found. The corpus "
    "(tests/data/listening/eval) is never learned from. A kind raises alerts, enters the "
    "digest and the scores only while proven: at least 20 judged and a precision at or over "
    "the rule's level."
)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def listening_figures(proofs: dict[str, Proof]) -> list[dict[str, Any]]:
    """Per kind: its proof's figures and the corpus's labelled count (for the recall)."""
    from services.listen.proven_risks import measured

    kinds = measured().get("kinds")
    out = []
    for kind, proof in proofs.items():
        counts = kinds.get(kind) if isinstance(kinds, dict) else None
        labelled = counts.get("labelled") if isinstance(counts, dict) else None
        labelled = labelled if isinstance(labelled, int) and labelled > 0 else None
        out.append({
            "kind": kind, "precision": proof.precision, "interval": proof.interval,
            "judged": proof.judged, "hits": proof.hits, "labelled": labelled,
            "recall": proof.hits / labelled if labelled else None,
            "required": proof.required, "proven": proof.proven, "words": proof.words(),
        })  # fmt: skip
    return out


def listening_table(proofs: dict[str, Proof]) -> list[str]:
    """The section as lines of at most 100 columns."""
    lines = [TITLE, *textwrap.wrap(METHOD, 100), ""]
    lines.append(f"{'Kind':<18}{'Prec':>6}{'95 % interval':>15}{'Judged':>8}{'Recall':>8}"
                 f"{'Asks':>6}  Raises alerts")  # fmt: skip
    for f in listening_figures(proofs):
        low_high = "–" if f["interval"] is None else (
            f"{f['interval'][0]:.0%}–{f['interval'][1]:.0%}")  # fmt: skip
        lines.append(
            f"{f['kind'].replace('_', ' '):<18}{_percent(f['precision']):>6}{low_high:>15}"
            f"{f['judged']:>8,}{_percent(f['recall']):>8}{_percent(f['required']):>6}  "
            f"{'yes' if f['proven'] else 'no: unproven'}"
        )
    return lines


def listening_rows(proofs: dict[str, Proof]) -> Iterator[list[object]]:
    """The section's rows of the CSV, in report_alerts.CSV_HEADER's columns: group
    conversation_risk, the kind, its findings judged and right, precision, the labelled
    sentences as ``lapsed`` and recall."""
    for f in listening_figures(proofs):
        yield [
            "conversation_risk", f["kind"], f["kind"].replace("_", " "), "", "", "",
            f["judged"], f["hits"], "" if f["precision"] is None else round(f["precision"], 4),
            f["labelled"] or "", f["hits"], "" if f["recall"] is None else round(f["recall"], 4),
            "", "", "", "", "", round(f["required"] * 100, 2), "", "", "", "",
        ]  # fmt: skip


def read_proofs(engine: Any) -> dict[str, Proof]:
    """Each kind's proof against the workspace's level."""
    from sqlalchemy.orm import Session

    from services.listen.proven_risks import workspace_proofs

    with Session(engine) as session:
        return workspace_proofs(session)
