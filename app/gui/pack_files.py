"""Writing a review pack to a file, for the window and the command line alike: the charts
drawn by the app's own charts (on the UI thread: they are widgets), then the PDF or the
slides written through the one guarded writer (services/core/output_files.py): never over
the workspace or another database, over an existing file only when asked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtGui import QImage

from services.packs.records import PDF, PPTX, Pack


def pack_images(pack: Pack) -> dict[str, QImage]:
    """Every chart of the pack drawn as an image (UI thread)."""
    from views.packs.pictures import chart_image

    return {chart.key: chart_image(chart) for chart in pack.charts}


def write_pack_file(  # noqa: PLR0913
    pack: Pack,
    images: Mapping[str, QImage],
    fmt: str,
    path: str | Path,
    *,
    template: Path | None = None,
    force: bool = False,
    protected: Iterable[str | Path] = (),
    page_size: str | None = None,
) -> Path:
    """Write the pack as ``fmt`` (PDF or PPTX) to ``path``; the path written. Needs no
    window: may run on a worker thread once the images are drawn."""
    from services.core.output_files import write_atomically
    from services.packs.make import write_pack_slides
    from views.packs.pdf import write_pdf
    from views.packs.pictures import png_bytes

    if fmt == PPTX:
        pictures = {key: png_bytes(image) for key, image in images.items()}
        return write_pack_slides(pack, pictures, path, template=template, force=force,
                                 protected=protected)  # fmt: skip
    if fmt != PDF:
        raise ValueError(f"unknown pack format {fmt!r}")

    def write(temporary: Path) -> Path:
        write_pdf(pack, images, temporary, page_size)
        return Path(path)

    return write_atomically(path, write, force=force, protected=protected,
                            what="the review pack")  # fmt: skip
