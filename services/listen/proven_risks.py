"""Which kinds of risk read out of conversations may raise anything: the reading's precision
per kind, measured on the labelled listening corpus, against the level the
"Risk raised in a conversation" rule states (``conversation_risk.min_precision_percent``).

The figures are measured by ``bench/listening_eval.py --write`` on ``tests/data/listening/
eval`` (services/conversations/measure.py defines
them) and kept in
``resources/listening/measured.json``, which ships with the app; a test measures the
corpus again and fails when the kept figures are not the reading's own.

A risk raises an alert, enters the digest and feeds the churn features only when:
- the app's own reading found it (a model's risk alone was not measured here: it is
  shown, marked unproven, and raises nothing), and
- its kind is proven (``services.core.proof.Proof.proven``).
Every other risk stays on the conversation and the timeline, marked "unproven".
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from services.core.proof import Proof
from services.core.safe_read import BadFile, read_json

# The kinds of risk a customer raises in a conversation (services/conversations/
# risk_cues.py finds them), and each as the screen says it, after the customer's name
# ("Anna raised cancellation").
RISK_KINDS = ("cancellation", "competitor", "budget_cut", "price_complaint", "champion_leaving")
RISK_LABELS = {
    "cancellation": "raised cancellation",
    "competitor": "mentioned a competitor",
    "budget_cut": "said budgets were cut",
    "price_complaint": "complained about the price",
    "champion_leaving": "said our contact is leaving",
}

MEASURED_LIMIT = 200_000
DEFAULT_REQUIRED = 0.85
WHERE = "the labelled listening corpus"
UNPROVEN = "unproven"
MODEL_NOTE = "read by a language model, whose risks have not been measured"


def measured_path() -> Path:
    """resources/listening/measured.json, in the clone or the frozen bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    return base / "resources" / "listening" / "measured.json"


@lru_cache(maxsize=4)
def _measured(path: Path) -> dict[str, Any]:
    try:
        data = read_json(path, MEASURED_LIMIT)
    except (OSError, BadFile):
        return {}
    return data if isinstance(data, dict) else {}


def measured(path: Path | None = None) -> dict[str, Any]:
    """The kept figures (``measure.summary`` of the offline reading), {} when missing."""
    return _measured(path or measured_path())


def risk_proofs(required: float = DEFAULT_REQUIRED, path: Path | None = None) -> dict[str, Proof]:
    """Per kind, its measured precision against ``required`` (0..1)."""
    kinds = measured(path).get("kinds")
    proofs: dict[str, Proof] = {}
    for kind in RISK_KINDS:
        counts = kinds.get(kind) if isinstance(kinds, dict) else None
        hits, found = _count(counts, "hits"), _count(counts, "found")
        if hits > found:  # figures that cannot be: nothing measured
            hits = found = 0
        proofs[kind] = Proof(kind.replace("_", " "), hits, found, required, WHERE)
    return proofs


def _count(counts: object, key: str) -> int:
    """A count of the kept figures; 0 for anything that is not a whole number >= 0."""
    value = counts.get(key) if isinstance(counts, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def proven_kinds(required: float = DEFAULT_REQUIRED, path: Path | None = None) -> frozenset[str]:
    """The kinds whose measured precision is at least ``required``."""
    return frozenset(k for k, proof in risk_proofs(required, path).items() if proof.proven)


def by_rules(risk: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    """Whether a kept risk was found by the app's own reading (not only by a model)."""
    return attributes.get("summary_method") != "model" or risk.get("by") == "rules"


def raising(attributes: Mapping[str, Any], proven: Iterable[str]) -> list[dict[str, Any]]:
    """The kept risks of a conversation's attributes that may raise anything: found by the
    app's own reading, of a proven kind."""
    kinds = frozenset(proven)
    return [
        risk
        for risk in attributes.get("risks") or []
        if isinstance(risk, dict) and str(risk.get("kind")) in kinds and by_rules(risk, attributes)
    ]


def unproven_words(
    risk: Mapping[str, Any], attributes: Mapping[str, Any], proofs: Mapping[str, Proof]
) -> str:
    """Why a kept risk raises nothing, in words; "" when it may raise."""
    if not by_rules(risk, attributes):
        return f"unproven: {MODEL_NOTE}; it raises nothing"
    proof = proofs.get(str(risk.get("kind")))
    if proof is None:
        return "unproven: an unknown kind; it raises nothing"
    return "" if proof.proven else proof.words()


def workspace_proofs(session: Session) -> dict[str, Proof]:
    """Per kind, its measured precision against the level this workspace's rule states."""
    from services.settings.views import ListenSettings

    percent = ListenSettings.read(session).risk_precision_percent
    return risk_proofs(float(percent) / 100.0)


def workspace_proven(session: Session) -> frozenset[str]:
    """The kinds that may raise anything in this workspace."""
    return frozenset(k for k, proof in workspace_proofs(session).items() if proof.proven)


def precision_note(session: Session) -> str:
    """Beside the rule's level in Settings: each kind's measured figure, and which raise."""
    proofs = workspace_proofs(session)
    parts = [
        f"{proof.subject}: {proof.figure()}" + ("" if proof.proven else f", {UNPROVEN}")
        for proof in proofs.values()
    ]
    proven = [p.subject for p in proofs.values() if p.proven]
    raises = f"raising alerts now: {', '.join(proven)}" if proven else "none raises alerts now"
    return f"Measured on {WHERE}: " + "; ".join(parts) + f". {raises[:1].upper()}{raises[1:]}."
