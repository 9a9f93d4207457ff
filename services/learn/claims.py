"""How strongly a measured figure may be stated: the one wording every surface (the
Results sections, the command line's reports, their exports) puts in front of a figure
with an interval. Standard library only (views import it).

A figure whose interval includes "no effect" leads with ``NO_CLEAR_EFFECT``, the same
words everywhere, and only then says the figure and its interval; a figure whose interval
leaves "no effect" out is said as it is.

What "no effect" is depends on the measure:

- ``LIFT_NO_EFFECT`` (0): a difference of re-engagement rates, contacted minus held out,
  or of revenue per customer, or the incremental revenue it makes. Outreach that changed
  nothing leaves the contacted doing as the held out do: a difference of 0.
  The same 0 serves a strategy's lift over the holdout (Results ▸ Experiments) and the
  Qini coefficient of the uplift ranking (Results ▸ Who to contact: 0 is a ranking no
  better than a random order).
- ``ROI_NO_EFFECT`` (-1, that is -100 %): the return on outreach, (incremental margin or
  revenue - cost) / cost. Outreach that changed nothing brings no incremental revenue, so
  its return is (0 - cost) / cost = -100 %: the cost, lost. A return of 0 % is not "no
  effect" but breaking even (the outreach paid for itself and no more); ``BREAK_EVEN``
  names it: a return whose interval includes it leads with ``NOT_CLEARLY_PAYING`` and
  claims no return per dollar.
"""

from __future__ import annotations

LIFT_NO_EFFECT = 0.0
ROI_NO_EFFECT = -1.0
BREAK_EVEN = 0.0
NO_CLEAR_EFFECT = "No clear effect yet"
# A return whose interval leaves -100 % out but includes break-even: outreach did
# something, but whether it paid for itself is not shown; no "each $1 brought $X".
NOT_CLEARLY_PAYING = "Not clearly paying for itself yet"


def includes(low: float | None, high: float | None, value: float) -> bool:
    """Whether the interval [low, high] includes ``value`` (True without an interval:
    nothing rules the value out)."""
    if low is None or high is None:
        return True
    return low <= value <= high


def no_clear_effect(low: float | None, high: float | None, no_effect: float) -> bool:
    """Whether an interval leaves "no effect" possible, so the figure may not be claimed."""
    return includes(low, high, no_effect)


def why_unclear(what: str) -> str:
    """The words that follow ``NO_CLEAR_EFFECT``: "the interval includes <what>"."""
    return f"the interval includes {what}"


def claim(
    sentence: str,
    low: float | None,
    high: float | None,
    no_effect: float,
    *,
    unclear: str,
) -> str:
    """``sentence`` (the figure with its interval, a full sentence) as strongly as its
    interval allows: when the interval includes ``no_effect`` it is led by "No clear
    effect yet: " and ``unclear`` (a sentence of the figure's own that does not claim an
    effect, e.g. "re-engagement +1.2 points (95% CI -3.0 to +5.4, the interval includes
    zero)"); otherwise ``sentence`` as it is."""
    if no_clear_effect(low, high, no_effect):
        return f"{NO_CLEAR_EFFECT}: {unclear}"
    return sentence
