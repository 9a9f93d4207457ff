"""`pack` refuses, in one plain line and writing nothing: an --output whose extension
disagrees with --format, and a template that is a zip bomb, a zip that is no PowerPoint
file, or no zip at all (checked before python-pptx opens it)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation

from tests.cli.packs.test_pack_command import book, run

__all__ = ["book"]  # the fixture, shared


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_an_output_extension_that_disagrees_with_the_format(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    out = tmp_path / "t4.pdf"
    code, _text, err = run("--db", url, "pack", "book", "--format", "pptx", "--output", str(out))
    assert code == 1
    assert _one_line(err) == (
        "error: --output t4.pdf ends in .pdf but --format is pptx: name it t4.pptx, "
        "or choose --format pdf. Nothing was written."
    )
    assert list(tmp_path.glob("t4*")) == []


def test_without_format_the_extension_chooses(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    out = tmp_path / "book.pptx"
    code, _text, err = run("--db", url, "pack", "book", "--output", str(out))
    assert code == 0, err
    assert len(Presentation(str(out)).slides) > 1


def _bomb(path: Path, megabytes: int) -> None:
    """One entry of ``megabytes`` MB of zeros (deflated about 1,000 to 1), in chunks."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("ppt/presentation.xml", "w", force_zip64=True) as entry:
            for _ in range(megabytes):
                entry.write(chunk)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("bomb", "unpacks to 300 MB, more than the 50 MB"),
        ("small bomb", "has a part packed more than 200 to 1 (a zip bomb"),
        ("plain zip", "is a zip archive but not a PowerPoint file (it lacks "
                      "[Content_Types].xml and ppt/presentation.xml)"),
        ("not a zip", "is not a PowerPoint file (not a zip archive)"),
    ],
)  # fmt: skip
def test_a_template_that_is_no_deck_is_refused_unopened(  # type: ignore[no-untyped-def]
    book, tmp_path: Path, kind: str, words: str
) -> None:
    url, _ids = book
    template = tmp_path / "bomb.pptx"
    if kind.endswith("bomb"):
        _bomb(template, 300 if kind == "bomb" else 20)
        assert template.stat().st_size < 2 * 1024 * 1024
    elif kind == "plain zip":
        with zipfile.ZipFile(template, "w") as archive:
            archive.writestr("notes.txt", "hello")
    else:
        template.write_text("not a zip", encoding="utf-8")
    out = tmp_path / "book.pptx"
    started = time.monotonic()
    code, _text, err = run("--db", url, "pack", "book", "--format", "pptx",
                           "--template", str(template), "--output", str(out))  # fmt: skip
    assert time.monotonic() - started < 20
    assert code == 1
    line = _one_line(err)
    assert line.startswith("error: The template bomb.pptx ")
    assert words in line
    assert not out.exists()
