"""Whether a signal has earned the right to raise anything: services/core/proof.py (kept in
core, so that every layer measures it the one way); the alert rules import it from here."""

from services.core.proof import MIN_JUDGED, Proof, percent, wilson

__all__ = ["MIN_JUDGED", "Proof", "percent", "wilson"]
