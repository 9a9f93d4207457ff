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


NOT_RANKED = "The model has not yet beaten a random order"


def ranking_words(report: UpliftReport) -> str:
    """Whether today's estimates are shown as a ranking, and why (``report.ranks``): the
    same words in Results ▸ Who to contact, ``report uplift`` and the alert queue's
    order menu. Empty without enough data (the reason says it)."""
    if not report.enough or report.model_curve is None:
        return ""
    model = report.model_curve.coefficient * 100
    low, high = report.qini_low, report.qini_high
    band = ""
    if low is not None and high is not None:
        band = f", 90% interval {low * 100:+.2f} to {high * 100:+.2f}"
    if report.ranks:
        return (
            f"The ranking has beaten a random order on past customers (Qini coefficient "
            f"{model:+.2f} per 100{band}, above zero): customers are ranked by their own "
            f'estimate, and Alerts offers "Most persuadable first".'
        )
    if not band:
        why = "there is no interval to tell it from a random order"
    elif high is not None and high < 0:
        why = "that interval lies below zero, the score of a random order: it did worse"
    else:
        why = "that interval includes zero, the score of a random order"
    return (
        f"{NOT_RANKED}: contacting past customers in its order scored a Qini coefficient "
        f"of {model:+.2f} per 100{band}, and {why}. Until that interval lies above zero, no "
        f'customer is ranked by their own uplift and Alerts does not offer "Most persuadable '
        'first"; every customer gets the average lift measured on past customers.'
    )


def lift_words(report: UpliftReport) -> str:
    """The average lift measured on the past exposures in a sentence, as strongly as its
    interval allows (what each card says while the estimates are not ranked)."""
    if report.lift is None:
        return ""
    points = report.lift * 100  # as Results ▸ Outreach says it (services.learn.lift)
    low = None if report.lift_low is None else report.lift_low * 100
    high = None if report.lift_high is None else report.lift_high * 100
    interval = "" if low is None or high is None else f" (95% CI {low:+.1f} to {high:+.1f})"
    unranked = "" if report.ranks else "; the model cannot yet tell whom it moves most"
    sentence = (
        f"On past customers, outreach raised the chance of a return by about {points:.1f} "
        f"points on average{interval}{unranked}"
        if points > 0
        else f"On past customers, outreach lowered the chance of a return by about "
        f"{-points:.1f} points on average{interval}"
    )
    why = f"{interval[2:-1]}, {why_unclear('zero')}" if interval else "no interval"
    unclear = (
        f"outreach changed the chance of a return by {points:+.1f} points on average on "
        f"past customers ({why})"
    )
    return claim(sentence, low, high, LIFT_NO_EFFECT, unclear=unclear) + "."
