"""The colours things take by meaning, shared by the screens and the charts: a segment's
tone (the chip in the customer pane, the bar in the dashboard's segments chart)."""

from __future__ import annotations

# Segment -> chip style: good customers green, promising ones blue, slipping ones
# orange, at-risk ones red, gone ones grey.
SEGMENT_TONES = {
    "Champions": "positive",
    "Loyal": "positive",
    "Potential Loyalist": "info",
    "New": "info",
    "Promising": "info",
    "Need Attention": "warning",
    "About to Sleep": "warning",
    "At Risk": "danger",
    "Can't Lose Them": "danger",
    "Hibernating": "muted",
    "Lost": "muted",
}
