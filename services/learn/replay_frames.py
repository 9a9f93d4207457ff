"""The replay's intermediate results, kept between replays by what they were computed from.

After the weeks' scores (services/learn/replay_kept.py), most of a replay's time goes to
work that is a pure function of the weeks' alert inputs: the rules' candidates of every
week under each threshold the suggestions try, and the weeks admitted again for each
floor and weight the worth choice tries and each set of thresholds the suggestions try.
Each such result is kept here under the SHA-256 of everything it is computed from (the
week's inputs, every frame's bytes, the settings in full, the stable tie-breaks and the
code of the rules, the replay and the listening figures the rules read); a replay on the
next day, whose weeks' inputs did not change, reads them back instead of computing them,
and only the figures that depend on the newest data (the lapses, counted up to the last
day) are computed again. A result whose inputs changed in any way has another key: the
figures are those of a replay that computed everything (a test holds it).

One file per workspace beside the kept weeks, written through the guarded writer and read
through the safe reader, without pickles (plain arrays of numbers and text); each replay
writes only the results it used. A file that cannot be read is ignored, one that cannot be
written is left out with a line in the log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from models.private_files import make_private_folder
from services.alerts.config import AlertConfig
from services.alerts.inputs import AlertInputs
from services.alerts.rules import evaluate_rules
from services.alerts.worth import ORDER_RULES, Worth, rank_by_worth
from services.core.output_files import OutputPathError, OutputWriteError, write_bytes_file
from services.core.safe_read import BadFile, read_bytes
from services.learn.replay_kept import KEPT_LIMIT, feed, kept_path, scoring_code

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
# The code and data the kept results are a function of (beside the scores' own code).
CODE = (
    "services/alerts/*.py",
    "services/learn/replay_*.py",
    "services/learn/alert_replay.py",
    "resources/listening/measured.json",
)
# The column types a kept frame may have: anything else is computed, not kept.
NUMBERS = ("int64", "float64", "bool")
TEXTS = ("object", "str", "string")
# The worth the rules are evaluated with before the settings' own is applied (no floor).
NO_FLOOR = Worth(floor=0.0, weight=0.0, source="none", uses_lower_bound=False)
# The candidates' columns the replay never reads.
WORDING = ["reason"]


@lru_cache(maxsize=1)
def rules_code() -> str:
    """A digest of the code the kept results are computed by (CODE) and of the scoring's."""
    digest = hashlib.sha256(scoring_code().encode())
    for pattern in CODE:
        for path in sorted(ROOT.glob(pattern)):
            try:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(read_bytes(path, 10_000_000))
            except (OSError, BadFile):
                continue
    return digest.hexdigest()


def key_of(*values: Any) -> str:
    """The SHA-256 of ``values`` (frames by their content) and of the code."""
    digest = hashlib.sha256(rules_code().encode())
    feed(digest, values)
    return digest.hexdigest()


def evaluate_kept(
    memo: KeptFrames | None,
    inputs_key: str,
    inputs: AlertInputs,
    config: AlertConfig,
    config_key: str | None = None,
) -> tuple[pd.DataFrame, set[str]]:
    """services.alerts.rules.evaluate_rules(inputs, config) without the reasons' wording
    (the replay reads none; kept, it would be most of the file), or its result kept under
    the key of the inputs (``inputs_key``: ``key_of(inputs)``) and of the settings in full
    (``config_key``: ``key_of`` the settings with ``NO_FLOOR``, computed when not given)."""
    if memo is None:
        frame, evaluated = evaluate_rules(inputs, config)
        return frame.drop(columns=WORDING, errors="ignore"), evaluated
    # What a lapse warning must be worth is applied last (services.alerts.rules ends with
    # services.alerts.worth.rank_by_worth, which sets the order warnings' priority and
    # leaves out those below the floor, row by row): the rules are evaluated and kept with
    # no floor, and the worth applied to what is read back, so that another floor or
    # weight (the replay chooses them) evaluates no rule again.
    neutral = dataclasses.replace(config, worth=NO_FLOOR)
    settings = config_key if config_key is not None else key_of(neutral)
    done: set[str] = set()

    def compute() -> pd.DataFrame:
        frame, evaluated = evaluate_rules(inputs, neutral)
        done.update(evaluated)
        return frame.drop(columns=WORDING, errors="ignore")

    def rules() -> list[str]:
        if not done:  # kept candidates: the rules evaluated come with them
            done.update(evaluate_rules(inputs, neutral)[1])
        return sorted(done)

    frame = memo.get(key_of("candidates", inputs_key, settings), compute)
    if frame["rule_key"].isin(ORDER_RULES).any():
        frame = rank_by_worth(frame, inputs.customers, inputs.horizon_days, config.worth)
    return frame, set(memo.words(key_of("evaluated", inputs_key, settings), rules))


def frames_path(engine: Engine) -> Path:
    """The file of ``engine``'s workspace, beside its kept weeks."""
    weeks = kept_path(engine)
    return weeks.with_name(weeks.name.replace("weeks-", "frames-", 1))


class KeptFrames:
    """The results kept by the last replay of a workspace, and those this replay uses."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old = _Pools.read(path) if path is not None else _Pools.empty()
        self._used: dict[str, pd.DataFrame] = {}
        self._words: dict[str, list[str]] = {}
        self._from_old: set[str] = set()  # read back: written again as they were read
        self.reused = 0
        self.computed = 0

    def get(self, key: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The result kept under ``key``, else ``compute()``'s (then kept)."""
        if key in self._used:
            return self._used[key]
        frame = self._old.frame(key)
        if frame is not None:
            self.reused += 1
            self._from_old.add(key)
        else:
            self.computed += 1
            frame = compute()
        self._used[key] = frame
        return frame

    def words(self, key: str, compute: Callable[[], list[str]]) -> list[str]:
        """The words kept under ``key`` (a short list: the rules a week evaluated), else
        ``compute()``'s (then kept)."""
        if key not in self._words:
            old = self._old.words.get(key)
            if isinstance(old, list) and all(isinstance(w, str) for w in old):
                self._words[key] = [str(w) for w in old]
            else:
                self._words[key] = compute()
        return self._words[key]

    def save(self) -> None:
        """Keep the results this replay used (and only those)."""
        if self.path is None:
            return
        try:
            make_private_folder(self.path.parent)
            said = _bytes(self._used, self._words, self._old, self._from_old)
            write_bytes_file(self.path, said, force=True, what="the kept results")
        except (OSError, OutputPathError, OutputWriteError) as exc:
            log.warning("The replay's results were not kept (%s); the next one computes them.", exc)


def _keepable(frame: pd.DataFrame) -> bool:
    """Numbers, truth values and text columns only (what reads back exactly as it was)."""
    return all(str(t) in NUMBERS + TEXTS for t in frame.dtypes)


# The file: every kept frame's columns laid end to end in one array per type ("pools"),
# and a plain JSON index of where each frame's columns are (name, type, start) and how
# many rows it has. A text column is kept as codes into one list of the distinct texts
# (in the index; -1: missing) and a mark per value of a missing one that was None rather
# than NaN; a column holding anything but text and missing values is not kept.
POOLS = ("int64", "float64", "bool", "codes", "none")
KINDS: dict[str, Any] = {"int64": np.int64, "float64": np.float64, "bool": bool,
                         "codes": np.int64, "none": bool}  # fmt: skip


class _Pools:
    def __init__(self, index: dict[str, Any], pools: dict[str, np.ndarray]) -> None:
        self.frames: dict[str, Any] = index.get("frames", {})
        self.words: dict[str, Any] = index.get("words", {})
        self.texts = np.array(index.get("texts", []) + [""], dtype=object)
        self.pools = pools

    @classmethod
    def empty(cls) -> _Pools:
        return cls({}, {name: np.zeros(0, KINDS[name]) for name in POOLS})

    @classmethod
    def read(cls, path: Path) -> _Pools:
        if not path.is_file():
            return cls.empty()
        try:
            with np.load(io.BytesIO(read_bytes(path, KEPT_LIMIT)), allow_pickle=False) as kept:
                index = json.loads(bytes(kept["index"]).decode("utf-8"))
                pools = {name: kept[name] for name in POOLS}
            if not isinstance(index, dict) or not all(isinstance(t, str) for t in index["texts"]):
                raise ValueError("the index is not what this build writes")
            return cls(index, pools)
        except (
            OSError, BadFile, KeyError, ValueError, IndexError, TypeError, EOFError,
            UnicodeDecodeError, zipfile.BadZipFile,
        ) as exc:  # fmt: skip
            log.warning("The kept replay results in %s could not be read (%s); computed again.",
                        path, exc)  # fmt: skip
            return cls.empty()

    def frame(self, key: str) -> pd.DataFrame | None:
        """The frame kept under ``key``; None when none is (or it does not read back)."""
        said = self.frames.get(key)
        if said is None:
            return None
        try:
            return self._frame(said)
        except (KeyError, ValueError, IndexError, TypeError) as exc:
            log.warning("A kept replay result could not be read (%s); computed again.", exc)
            return None

    def _frame(self, said: dict[str, Any]) -> pd.DataFrame:
        rows = int(said["rows"])
        data: dict[str, Any] = {}
        for name, kind, start in said["columns"]:
            begin, end = int(start), int(start) + rows
            if kind in NUMBERS:
                values = self.pools[kind][begin:end]
                if len(values) != rows:
                    raise ValueError("a kept result is cut short")
                data[name] = values
                continue
            if kind not in TEXTS:
                raise ValueError(f"a kept column of type {kind}")
            codes = self.pools["codes"][begin:end]
            none = self.pools["none"][begin:end]
            if len(codes) != rows or len(none) != rows:
                raise ValueError("a kept result is cut short")
            if codes.size and (codes.min() < -1 or codes.max() >= len(self.texts) - 1):
                raise ValueError("a kept text is not in the list")
            texts = self.texts[codes]  # -1: the last, a placeholder for missing
            texts[codes < 0] = np.nan
            texts[none] = None
            data[name] = (
                pd.Series(texts, dtype=object, copy=False, index=pd.RangeIndex(rows))
                if kind == "object"
                else pd.Series(texts, dtype=kind)
            )
        names = [c[0] for c in said["columns"]]
        if not rows:
            return pd.DataFrame(columns=names)
        return pd.DataFrame(data, columns=names, copy=False)


def _text_codes(
    values: pd.Series, vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray] | None:
    """A text column's codes into ``vocabulary`` (extended) and its None marks; None when
    it holds anything but text and missing values."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # lists, mappings: not text
        return None
    if not all(isinstance(u, str) for u in uniques):
        return None
    mapped = np.array([vocabulary.setdefault(u, len(vocabulary)) for u in uniques], np.int64)
    out = np.where(codes >= 0, mapped[np.maximum(codes, 0)] if mapped.size else -1, -1)
    raw = values.to_numpy(dtype=object)
    none = np.array([v is None for v in raw], bool) if values.dtype == object else None
    return out.astype(np.int64), none if none is not None else np.zeros(len(values), bool)


Laid = list[tuple[str, str, list[np.ndarray]]]


def _copied(old: _Pools, key: str) -> Laid:
    """The columns of the frame ``old`` keeps under ``key``, as its arrays hold them."""
    said = old.frames[key]
    rows = int(said["rows"])
    out: Laid = []
    for name, kind, start in said["columns"]:
        pools = (kind,) if kind in NUMBERS else ("codes", "none")
        out.append((name, kind, [old.pools[p][int(start) : int(start) + rows] for p in pools]))
    return out


def _encoded(frame: pd.DataFrame, vocabulary: dict[str, int]) -> Laid | None:
    """``frame``'s columns as the file lays them out; None when one cannot be kept."""
    if not _keepable(frame):
        return None
    out: Laid = []
    for column in frame.columns:
        values = frame[column]
        kind = str(values.dtype)
        if kind in NUMBERS:
            out.append((str(column), kind, [values.to_numpy(kind)]))
            continue
        coded = _text_codes(values, vocabulary)
        if coded is None:
            return None
        out.append((str(column), kind, list(coded)))
    return out


def _bytes(
    frames: dict[str, pd.DataFrame],
    words: dict[str, list[str]],
    old: _Pools | None = None,
    as_read: set[str] | frozenset[str] = frozenset(),
) -> bytes:
    """The file of ``frames`` and ``words``; those in ``as_read`` are copied from ``old``'s
    arrays as they are (what was read back is written back without being encoded again)."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in POOLS}
    filled = dict.fromkeys(POOLS, 0)
    # The old texts first, in their order: the codes copied from the old file stay right.
    texts = [] if old is None else [str(t) for t in old.texts[:-1]]
    vocabulary: dict[str, int] = {t: n for n, t in enumerate(texts)}
    index: dict[str, Any] = {}
    for key, frame in frames.items():
        copied = old is not None and key in as_read and key in old.frames
        laid = _copied(old, key) if copied and old is not None else _encoded(frame, vocabulary)
        if laid is None:
            continue
        rows, columns = len(frame), []
        for name, kind, arrays in laid:
            pools = (kind,) if kind in NUMBERS else ("codes", "none")
            columns.append((name, kind, filled[pools[0]]))
            for pool, array in zip(pools, arrays, strict=True):
                parts[pool].append(array)
                filled[pool] += rows
        index[key] = {"rows": rows, "columns": columns}
    arrays_out = {
        name: np.concatenate(parts[name]).astype(KINDS[name]) if parts[name]
        else np.zeros(0, KINDS[name])
        for name in POOLS
    }  # fmt: skip
    said = {"frames": index, "texts": sorted(vocabulary, key=vocabulary.__getitem__),
            "words": words}  # fmt: skip
    arrays_out["index"] = np.frombuffer(json.dumps(said).encode("utf-8"), np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays_out)  # type: ignore[arg-type]
    return buffer.getvalue()
