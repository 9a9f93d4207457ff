"""A scoring run's notes in words (what `score` prints and the Model report lists)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.scoring.churn import ChurnResult
from services.scoring.lifetime import LifetimeFit


def coverage_words(share: float) -> str:
    """What a coverage says of the ranges meant to hold 8 in 10 (counts of orders are
    whole numbers, so a range holds a little more than that)."""
    if share > 0.9:
        return "(meant for 8 in 10: the ranges are wider than they need be)"
    if share < 0.7:
        return "(meant for 8 in 10: the ranges are too narrow; read them with care)"
    return "(meant for 8 in 10)"


def run_notes(
    churn: ChurnResult, fit: LifetimeFit, confidence: npt.NDArray[np.object_]
) -> list[str]:
    """The run's notes: why the churn model, the horizon, the fits, who is scored by the
    population model and who is marked low confidence for a wide range."""
    notes = [churn.reason]
    if churn.bridged:
        notes.append(churn.bridged)
    # Whether conversation signals earned their place in the classifier, in words.
    notes.append(str((churn.backtest.get("conversations") or {}).get("words") or ""))
    notes.extend(fit.notes)
    notes.extend(churn.notes)
    population = int(churn.population.sum())
    if population:
        notes.append(
            f"{population:,} customers with little or no order history are scored by the "
            "population model (BG/NBD, or the workspace rate without any order) and "
            "marked low confidence"
        )
    wide = int((confidence == "low").sum()) - population
    if wide > 0:
        notes.append(
            f"{wide:,} {'more ' if population else ''}customers are marked low confidence: "
            "the likely range of their "
            "churn risk (8 chances in 10) spans half the scale or more"
        )
    return [n for n in notes if n]
