"""Keep Python's full garbage collections short while the window works.

A full (generation 2) collection walks every object the process holds, with the GIL,
so every thread stops: with Qt, pandas, scikit-learn and SQLAlchemy loaded that is over
100 ms, and a background job that allocates a lot (Draft for all writing hundreds of
drafts) triggers several of them, each a visible stall of the window. Before such a job
starts, the objects alive (modules, the loaded tables) are moved out of the collector's
sight (``gc.freeze``); later collections walk only what came after.
"""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> None:
    """Leave every object tracked now out of later collections.

    No collection first: that is the 100 ms stall this avoids. The price is that the
    young garbage of this moment (a few thousand objects at most) is never freed."""
    gc.freeze()
