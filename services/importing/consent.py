"""A customer's opt-out of activity tracking as a file gives it (services/people/tracking.py):
the import's time where the file says they opted out, nothing where it does not."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def tracking_opted_out(flags: pd.Series) -> np.ndarray[Any, np.dtype[np.object_]]:
    """The import's time where a customer opted out of activity tracking, else None (an
    absent or false flag never takes back an opt-out: services/importing/changes.py)."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    out = np.full(len(flags), None, dtype=object)
    out[flags.fillna(False).astype(bool).to_numpy()] = now
    return out
