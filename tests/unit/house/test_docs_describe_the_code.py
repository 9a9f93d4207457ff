"""The docs describe the code as it is and the product, not the work that built it: the
import contracts and mypy's strict floors as pyproject.toml holds them, a benchmarks page
that stays a short reference naming every script, and no passage that narrates who did
what when."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from tests.support.paths import ROOT
from tests.unit.house.test_docs_links import doc_files

BENCHMARKS_LIMIT_BYTES = 25_000

_NUMBERS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}
# How many contracts there are, as the docs say it ("checks five contracts"); "two
# contracts of its own" counts a part of them, and is not matched.
_COUNTED_CONTRACTS = re.compile(
    r"\b(?:the|checks|holds|import-linter's) "
    r"(one|two|three|four|five|six|seven|eight|nine|ten|\d+) (?:import-linter )?contracts\b"
)
# A bullet of the contracts' list: - “name”: `top > next | sibling > ... > bottom`
_CONTRACT_LINE = re.compile(r"^- “([^”]+)”: `([^`]+)`$", re.MULTILINE)
_MYPY_STRICT = re.compile(r"mypy (?:runs )?strict (?:on|in) ([^.;]*)")
_PACKAGE = re.compile(r"`(\w+)/?`")

# Words that narrate the building of the product: who worked on it, the tickets, the
# rounds of work and their dates. Product words that look alike ("the helper text", "a
# session of the window", "for this session only", "one pass over the orders") do not match.
NARRATION = re.compile(
    r"""
      \bengineers?\b
    | \bissues?\s*(?:\#|§|\d)
    | \b(?:this|that|the\ same|earlier|an\ earlier|a\ second)\ (?:work\ )?
      (?:session|pass|branch)\b(?!\ only)
    | \bsession's\b
    | \b(?:pass|round)\ \d+\b
    | \bhelpers?\ [A-Z]\d*\b
    | \bthe\ lead(?:'s)?\ (?:measured|benchmark|run|test|PostgreSQL)
    | \b(?:the|this|product)\ brief\b
    | \bmain\ at\ [0-9a-f]{7}\b
    | \b\d{1,2}:\d{2}(?:-\d{1,2}:\d{2})?\ UTC\b
    | \b\d{1,2}\ (?:January|February|March|April|May|June|July|August|September|October
                 |November|December)\ 20\d\d\b
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _pyproject(root: Path = ROOT) -> dict[str, Any]:
    with (root / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def _layer(text: str) -> str:
    """One layer as the docs write it: siblings joined by " | ", spaces normalised."""
    return " | ".join(" ".join(part.split()) for part in text.split("|"))


def contracts_in_pyproject(root: Path = ROOT) -> dict[str, str]:
    """Each import-linter contract's name and its layers from the top, joined by " > "."""
    found = {}
    for contract in _pyproject(root)["tool"]["importlinter"]["contracts"]:
        assert contract["type"] == "layers", contract["name"]
        found[contract["name"]] = " > ".join(_layer(layer) for layer in contract["layers"])
    return found


def contracts_in_doc(text: str) -> dict[str, str]:
    """The contracts a document lists, one bullet each: its name, then its layers."""
    flat = re.sub(r"\n[ \t]+", " ", text)  # a bullet's continuation lines join it
    return {
        name: " > ".join(_layer(layer) for layer in re.split(r"\s>\s", layers))
        for name, layers in _CONTRACT_LINE.findall(flat)
    }


def strict_floors_in_pyproject(root: Path = ROOT) -> set[str]:
    """The top-level packages mypy checks strictly."""
    overrides = _pyproject(root)["tool"]["mypy"].get("overrides", [])
    return {
        module.split(".")[0]
        for override in overrides
        if override.get("strict")
        for module in override["module"]
    }


def strict_floors_in_doc(text: str) -> list[set[str]]:
    """Each sentence of a document saying which floors mypy checks strictly, as a set."""
    flat = " ".join(text.split())
    return [set(_PACKAGE.findall(match)) for match in _MYPY_STRICT.findall(flat)]


def narration(root: Path = ROOT) -> list[str]:
    """Lines of the docs that narrate how the product was built."""
    found = []
    for path in doc_files(root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = NARRATION.search(line)
            if match:
                found.append(f"{path.relative_to(root)}:{number}: {match.group(0)!r}")
    return found


def test_contracts_are_read_from_a_doc_and_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.importlinter]\nroot_packages = ['a']\n"
        "[[tool.importlinter.contracts]]\nname = 'Inside a: top > rest'\ntype = 'layers'\n"
        'layers = ["top", """left | \\\n   right""", "core"]\n'
        "[tool.mypy]\n[[tool.mypy.overrides]]\nmodule = ['a.*', 'b.*']\nstrict = true\n",
        "utf-8",
    )
    doc = (
        "It checks two contracts:\n\n- “Inside a: top > rest”:\n  `top > left |\n  right > core`\n"
        "- “Gone”: `x > y`\n\nmypy runs strict on two floors: `a` and `b/`.\n"
    )
    assert contracts_in_pyproject(tmp_path) == {"Inside a: top > rest": "top > left | right > core"}
    assert contracts_in_doc(doc) == {
        "Inside a: top > rest": "top > left | right > core",
        "Gone": "x > y",
    }
    assert strict_floors_in_pyproject(tmp_path) == {"a", "b"}
    assert strict_floors_in_doc(doc) == [{"a", "b"}]
    assert _COUNTED_CONTRACTS.findall(doc + "import-linter's three contracts") == ["two", "three"]
    assert _COUNTED_CONTRACTS.findall("`app/` has two contracts of its own") == []
    assert strict_floors_in_doc("mypy strict in `a/`, `b/`, `c/`.") == [{"a", "b", "c"}]


def test_architecture_lists_exactly_the_import_contracts_of_pyproject() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    expected = contracts_in_pyproject()
    assert contracts_in_doc(text) == expected
    word = _NUMBERS.get(len(expected), str(len(expected)))
    for path in (ROOT / "docs" / "architecture.md", ROOT / "CONTRIBUTING.md"):
        counts = _COUNTED_CONTRACTS.findall(path.read_text(encoding="utf-8"))
        assert set(counts) <= {word}, f"{path.name} counts the contracts as {counts}"


def test_the_docs_name_the_floors_mypy_checks_strictly() -> None:
    expected = strict_floors_in_pyproject()
    assert expected >= {"models", "services", "app"}
    for path in (ROOT / "docs" / "architecture.md", ROOT / "CONTRIBUTING.md"):
        said = strict_floors_in_doc(path.read_text(encoding="utf-8"))
        assert said, f"{path.name} does not say which floors mypy checks strictly"
        assert all(floors == expected for floors in said), (path.name, said, expected)


def test_the_benchmarks_page_is_a_short_reference_naming_every_script() -> None:
    page = ROOT / "docs" / "benchmarks.md"
    size = page.stat().st_size
    assert size < BENCHMARKS_LIMIT_BYTES, f"docs/benchmarks.md is {size:,} bytes"
    text = page.read_text(encoding="utf-8")
    scripts = sorted((ROOT / "bench").glob("*.py"))
    assert scripts
    pictures = "each `bench/*_screenshots.py`" in text
    missing = [
        p.name
        for p in scripts
        if p.name not in text and not (pictures and p.name.endswith("_screenshots.py"))
    ]
    assert missing == []


def test_narration_finder_matches_working_notes_and_not_product_words(tmp_path: Path) -> None:
    notes = [
        "Measured while six other engineers' runs shared it",
        "the last order's clock waits for migration 0021 (engineer Q4)",
        "Target (issue 13): a 10,000-column file",
        "Issue 21 quoted AUC 0.754",
        "not done in this session",
        "Every saved question at a million after the session's merges",
        "A second pass after I2's, small and safe changes only",
        "phases before / after (pair 3), pass 2",
        "the lead's PostgreSQL benchmark beside it",
        "the ten questions of the product brief",
        "Before = main at 2e8a194 (a second checkout)",
        "three pairs, 09:47-09:54 UTC, load average 1.6-3.1",
        "on the shared 2-core AMD EPYC machine (23 GB), 26 November 2026",
        "Single runs at each commit of this branch put the fall",
    ]
    product = [
        "or a key for this session only.",
        "the helper text under the field says what to type",
        "once a session in the background",
        "its own session fixtures",
        "All scoring is vectorised, one pass per customer over the orders",
        "only private helpers pass one between themselves",
        "The issues of FitMap users who returned a purchase",
        "error: Scoring (process 4242, started 2026-03-02 09:15) is running",
        "calibration to 1997-09-30, 273-day horizon",
    ]
    assert [line for line in notes if not NARRATION.search(line)] == []
    assert [line for line in product if NARRATION.search(line)] == []
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# App\n\nFast.\n", "utf-8")
    (tmp_path / "CONTRIBUTING.md").write_text("Run it.\n\nSecond pass 2 here.\n", "utf-8")
    (tmp_path / "docs" / "a.md").write_text("Import.\nengineer I6 ran it\n", "utf-8")
    assert narration(tmp_path) == [
        "CONTRIBUTING.md:3: 'pass 2'",
        "docs/a.md:2: 'engineer'",
    ]


def test_no_doc_narrates_how_the_product_was_built() -> None:
    assert narration() == []
