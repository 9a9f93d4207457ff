"""The docs a clone carries: every relative link and picture resolves, the README stays
short, and nothing in the project points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import ROOT

README_LIMIT_BYTES = 12_288

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_EXTERNAL = ("http://", "https://", "mailto:")


def doc_files(root: Path = ROOT) -> list[Path]:
    """README.md, CONTRIBUTING.md and every Markdown file of docs/."""
    return [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "docs").glob("*.md"))]


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file (a repeated heading gets -1, -2...)."""
    seen: dict[str, int] = {}
    found = set()
    for match in _HEADING.finditer(_FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """The relative links and pictures of one Markdown file that do not resolve."""
    problems = []
    for target in _LINK.findall(_prose(path.read_text(encoding="utf-8"))):
        if target.startswith(_EXTERNAL):
            continue
        file_part, _, fragment = target.partition("#")
        where = (path.parent / file_part).resolve() if file_part else path
        name = f"{path.relative_to(root)}: {target}"
        if not where.exists():
            problems.append(f"{name} (no such file)")
        elif not where.resolve().is_relative_to(root.resolve()):
            problems.append(f"{name} (outside the repository)")
        elif fragment and where.suffix == ".md" and fragment not in anchors(where):
            problems.append(f"{name} (no such heading)")
    return problems


def test_link_checker_finds_a_missing_file_a_missing_picture_and_a_missing_heading(
    tmp_path: Path,
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## The first launch\n", "utf-8")
    (tmp_path / "README.md").write_text(
        "[ok](docs/guide.md#the-first-launch) [gone](docs/nothing.md) "
        "![pic](docs/window/none.png) [bad anchor](docs/guide.md#pictures) "
        "[web](https://example.com/x.md) `[not a link](nowhere.md)`\n"
        "```\n[in code](nowhere.md)\n```\n",
        "utf-8",
    )
    assert broken_links(tmp_path / "README.md", tmp_path) == [
        "README.md: docs/nothing.md (no such file)",
        "README.md: docs/window/none.png (no such file)",
        "README.md: docs/guide.md#pictures (no such heading)",
    ]


def test_slug_matches_github_anchors() -> None:
    assert slug("Shared workspaces and roles") == "shared-workspaces-and-roles"
    assert slug("For IT: the packaged build, installers") == "for-it-the-packaged-build-installers"
    assert slug("The `export` command") == "the-export-command"


def test_every_relative_link_and_picture_in_the_docs_resolves() -> None:
    files = doc_files()
    assert all(f.exists() for f in files), [str(f) for f in files if not f.exists()]
    assert len(files) >= 9  # README, CONTRIBUTING and the seven documents of docs/
    assert [p for f in files for p in broken_links(f)] == []


def test_the_docs_folder_is_complete() -> None:
    names = {p.name for p in (ROOT / "docs").glob("*.md")}
    expected = {"user-guide.md", "command-line.md", "it.md", "troubleshooting.md"}
    expected |= {"benchmarks.md", "architecture.md", "design.md"}
    assert expected <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"docs/{name}" in readme for name in expected)
    assert "CONTRIBUTING.md" in readme


def test_readme_stays_short() -> None:
    size = (ROOT / "README.md").stat().st_size
    assert size <= README_LIMIT_BYTES, f"README.md is {size:,} bytes: move detail into docs/"


def test_readme_keeps_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run     # installs everything into .venv (first time only)" in readme
    assert "make test    # installs everything into .venv (first time only)" in readme


_OUTSIDE = re.compile(r"\.\./shared\b|/work/|\bbriefs/|\bDESIGN\.md|\bSTYLE\.md")
_FOLDERS = ("app", "views", "services", "models", "tests", "bench", "packaging", "docs", ".ci")


def _project_files(root: Path) -> list[Path]:
    """The project's own Python, Markdown, TOML and Makefiles (not .venv, build or dist)."""
    files = [p for p in root.iterdir() if p.is_file()]
    files += [
        p for folder in _FOLDERS if (root / folder).is_dir() for p in (root / folder).rglob("*")
    ]
    wanted = {".py", ".md", ".toml"}
    return sorted(p for p in files if p.is_file() and (p.suffix in wanted or p.name == "Makefile"))


def outside_references(root: Path = ROOT) -> list[str]:
    """Lines of the project's code and docs that point at files outside the repository."""
    found = []
    for path in _project_files(root):
        if path == Path(__file__).resolve() or "__pycache__" in path.parts:
            continue  # this test names the patterns it looks for
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_outside_reference_finder_finds_one(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('"""Scoring defaults (DESIGN.md section 6)."""\n', "utf-8")
    (tmp_path / "b.md").write_text("See ../shared/samples/ and docs/design.md.\n", "utf-8")
    assert outside_references(tmp_path) == [
        'a.py:1: """Scoring defaults (DESIGN.md section 6)."""',
        "b.md:1: See ../shared/samples/ and docs/design.md.",
    ]


def test_nothing_in_the_project_points_outside_it() -> None:
    """The design and style notes live in docs/design.md and CONTRIBUTING.md."""
    assert outside_references() == []
