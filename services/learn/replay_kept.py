"""The replayed weeks' scores, kept between replays, so that a replay adds the week that is
new instead of scoring the year again.

A replayed week's scores are a function of the scoring data dated up to its day, the day,
the horizon and the scoring settings (services.scoring.compute.compute_scores writes and
reads nothing else). Each week is kept under a key that is the SHA-256 of exactly those:
every array of the week's ScoringData (its bytes, type and shape), the day, the horizon,
the scoring settings (not their version number, which any setting changes) and the code
that scores. A week whose data, settings or code changed in any way has another key and
is scored again; one that did not is read back, and the replay's figures are those of a
replay that scored every week (a test holds it).

The kept weeks live in one file per workspace in the user's cache folder
(``ACCOUNT_RADAR_CACHE_DIR`` overrides it), written through the guarded writer and read
through the safe reader; each replay writes only the weeks it used, so the file never
grows past one replay's weeks. A file that cannot be read is ignored (the weeks are
scored again) and one that cannot be written is left out, with a line in the log: the
replay's figures never depend on it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from models.private_files import make_private_folder
from services.core.output_files import OutputPathError, OutputWriteError, write_bytes_file
from services.core.safe_read import BadFile, read_bytes
from services.scoring.bgnbd import BGNBDParams
from services.scoring.compute import ScoringConfig
from services.scoring.data import ScoringData

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "ACCOUNT_RADAR_CACHE_DIR"
KEPT_LIMIT = 2_000_000_000  # a kept file larger than this is not read
COLUMNS = ("customer_id", "churn", "engagement", "clv_cents", "risk_cents", "churn_low")
FIT = ("r", "alpha", "a", "b")
# A week with too little history for the models: kept as such (no scores, no alerts).
NO_SCORES = None

Week = tuple[pd.DataFrame, BGNBDParams] | None


def cache_dir() -> Path:
    """The user cache folder (ACCOUNT_RADAR_CACHE_DIR overrides the platform default)."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get(CACHE_DIR_ENV) or user_cache_dir("AccountRadar", appauthor=False))


def kept_path(engine: Engine) -> Path:
    """The file of ``engine``'s workspace (named by a digest of its address, no password)."""
    address = engine.url.set(password=None).render_as_string(hide_password=True)
    digest = hashlib.blake2b(address.encode(), digest_size=10).hexdigest()
    return cache_dir() / "replay" / f"weeks-{digest}.npz"


@lru_cache(maxsize=1)
def scoring_code() -> str:
    """A digest of the code that scores: its sources where they are (a clone), else the
    build's version (a frozen bundle is one build)."""
    from services.core.version import build_info

    info = build_info()
    digest = hashlib.sha256(f"{info['version']} {info['build']}".encode())
    folder = Path(__file__).resolve().parents[1] / "scoring"
    for path in sorted(folder.glob("*.py")):
        try:
            digest.update(path.name.encode())
            digest.update(read_bytes(path, 10_000_000))
        except (OSError, BadFile):
            continue
    return digest.hexdigest()


def feed(digest: Any, value: Any) -> None:
    """Add ``value`` to ``digest``, the same way in every process (sets sorted, arrays by
    their bytes)."""
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        said = [str(c) for c in frame.columns], [str(t) for t in frame.dtypes], frame.shape
        digest.update(f"frame {said}".encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    elif isinstance(value, np.ndarray):
        digest.update(f"array {value.dtype.str} {value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(type(value).__name__.encode())
        for f in dataclasses.fields(value):
            digest.update(f.name.encode())
            feed(digest, getattr(value, f.name))
    elif isinstance(value, dict):
        digest.update(b"dict")
        for k in sorted(value, key=repr):
            feed(digest, k)
            feed(digest, value[k])
    elif isinstance(value, set | frozenset):
        digest.update(b"set")
        for item in sorted(value, key=repr):
            feed(digest, item)
    elif isinstance(value, list | tuple):
        digest.update(f"seq {len(value)}".encode())
        for item in value:
            feed(digest, item)
    else:
        digest.update(repr(value).encode())


def week_key(data: ScoringData, day: int, horizon: int, scoring: ScoringConfig) -> str:
    """What a week's scores are a function of, as one digest (the module's docstring)."""
    digest = hashlib.sha256(scoring_code().encode())
    feed(digest, (day, horizon))
    feed(digest, dataclasses.replace(scoring, config_version=0))
    feed(digest, data)
    return digest.hexdigest()


class KeptWeeks:
    """The weeks kept by the last replay of a workspace, and those this replay uses."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old: dict[str, Week] = {}
        self._used: dict[str, Week] = {}
        self.reused = 0
        if path is not None:
            self._old = _read(path)

    def get(self, key: str) -> tuple[bool, Week]:
        """(True, the week) when it is kept; (False, None) when it must be scored."""
        if key in self._used:
            return True, self._used[key]
        if key in self._old:
            self.reused += 1
            self._used[key] = self._old[key]
            return True, self._old[key]
        return False, None

    def put(self, key: str, week: Week) -> None:
        self._used[key] = week

    def save(self) -> None:
        """Keep the weeks this replay used (and only those)."""
        if self.path is None:
            return
        try:
            make_private_folder(self.path.parent)
            write_bytes_file(self.path, _bytes(self._used), force=True, what="the kept weeks")
        except (OSError, OutputPathError, OutputWriteError) as exc:
            log.warning("The replayed weeks were not kept (%s); the next replay scores them.", exc)


def _bytes(weeks: dict[str, Week]) -> bytes:
    arrays: dict[str, np.ndarray] = {
        "keys": np.array(list(weeks), dtype="U64"),
        "scored": np.array([w is not None for w in weeks.values()], dtype=bool),
        "fits": np.array(
            [[getattr(w[1], f) for f in FIT] if w is not None else [0.0] * 4
             for w in weeks.values()], dtype=np.float64,
        ).reshape(-1, 4),
    }  # fmt: skip
    for k, week in enumerate(weeks.values()):
        if week is not None:
            for column in COLUMNS:
                arrays[f"{k}.{column}"] = week[0][column].to_numpy()
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _read(path: Path) -> dict[str, Week]:
    if not path.is_file():
        return {}
    try:
        with np.load(io.BytesIO(read_bytes(path, KEPT_LIMIT)), allow_pickle=False) as kept:
            keys = [str(k) for k in kept["keys"]]
            scored = kept["scored"]
            fits = kept["fits"]
            weeks: dict[str, Week] = {}
            for k, key in enumerate(keys):
                if not scored[k]:
                    weeks[key] = NO_SCORES
                    continue
                frame = pd.DataFrame({c: kept[f"{k}.{c}"] for c in COLUMNS})
                frame.insert(1, "snapshot_id", np.zeros(len(frame), np.int64))
                weeks[key] = (frame, BGNBDParams(*(float(v) for v in fits[k])))
            return weeks
    except (
        OSError,
        BadFile,
        KeyError,
        ValueError,
        IndexError,
        EOFError,
        zipfile.BadZipFile,
    ) as exc:
        log.warning("The kept replay weeks in %s could not be read (%s); scored again.", path, exc)
        return {}
