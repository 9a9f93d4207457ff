"""The uplift ranking's headline in words, the same in Results ▸ Who to contact and in
``report uplift``. Standard library only (views import it)."""

from __future__ import annotations

from services.learn.claims import LIFT_NO_EFFECT, claim, why_unclear
from services.learn.uplift_records import UpliftReport


def qini_headline(report: UpliftReport) -> str:
    """What the Qini coefficient says, as strongly as its interval allows: a coefficient
    of 0 (the ranking no better than a random order) is "no effect", so an interval that
    includes it leads with "No clear effect yet"."""
    if not report.enough or report.model_curve is None:
        return report.reason
    model = report.model_curve.coefficient * 100
    low, high = report.qini_low, report.qini_high
    interval = ""
    if low is not None and high is not None:
        interval = f"90% interval {low * 100:+.2f} to {high * 100:+.2f}"
    band = f", {interval}" if interval else ""
    why = f"{interval}, {why_unclear('zero')}" if interval else "no interval to tell it from zero"
    if model > 0:
        text = (
            f"On past customers, contacting the most persuadable first added {model:.2f} "
            f"returns per 100 over a random order (Qini coefficient{band})"
        )
    else:
        text = (
            f"On past customers, contacting the most persuadable first did no better than a "
            f"random order (Qini coefficient {model:+.2f} per 100{band})"
        )
    unclear = (
        f"contacting the most persuadable first against a random order: Qini coefficient "
        f"{model:+.2f} per 100 on past customers ({why})"
    )
    text = claim(text, low, high, LIFT_NO_EFFECT, unclear=unclear)
    if report.risk_curve is not None:
        text += f"; highest churn risk first: {report.risk_curve.coefficient * 100:+.2f}"
    return text + "."
