"""Render the main window on a 2,000-customer demo workspace, light and dark.

    .venv/bin/python bench/screenshots.py [--workspace PATH] [--out docs]

Writes docs/screenshot-light.png and docs/screenshot-dark.png (offscreen, 1400x860),
with a lapsing customer selected: the kind of customer the app exists to find.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from app.gui import build_demo_workspace, make_controller, wait_until  # noqa: E402
from app.workspace import to_url, workspace_exists  # noqa: E402
from views.theme import ThemeMode  # noqa: E402

SIZE = (1400, 860)


def pick_customer(window: object) -> int:
    """A customer drifting away: good history, quiet for months, something open."""
    model = window.customers_pane.model  # type: ignore[attr-defined]
    days = model.column_values("days_since_last_order")
    orders = model.column_values("orders")
    tickets = model.column_values("open_tickets")
    opps = model.column_values("open_opportunities")
    ids = model.visible_ids()
    # Among the most valuable customers (the default order is revenue, highest first).
    for min_extra in (2, 1, 0):
        for i in range(min(len(ids), 300)):
            extra = int(tickets[i] > 0) + int(opps[i] > 0)
            if 100 <= days[i] <= 400 and orders[i] >= 8 and extra >= min_extra:
                return int(ids[i])
    return int(ids[0])


def shoot(url: str, mode: ThemeMode, out: Path, customer_id: int | None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        controller = make_controller(app, settings, show_dialogs=False)  # type: ignore[arg-type]
        window = controller.window
        window.resize(*SIZE)
        window.show()
        controller.open_url(url, startup=True)
        assert wait_until(lambda: window.customers_pane.model.rowCount() > 0, 60)
        assert wait_until(lambda: window.detail_pane.detail is not None, 60)
        if customer_id is None:
            customer_id = pick_customer(window)
        window.customers_pane.select_customer(customer_id)
        assert wait_until(
            lambda: (
                window.detail_pane.detail is not None
                and window.detail_pane.detail.id == customer_id
            ),
            60,
        )
        assert wait_until(lambda: controller.jobs.is_idle(), 60)
        app.processEvents()
        image = window.grab().toImage()
        image.save(str(out))
        print(f"wrote {out} ({image.width()}x{image.height()}), customer {customer_id}")
        controller.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    return customer_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", default=str(Path(tempfile.gettempdir()) / "ar-shots.radar.sqlite")
    )
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--customer", type=int, default=None)
    args = parser.parse_args()
    url = to_url(args.workspace)
    if not workspace_exists(url):
        build_demo_workspace(url, customers=2000)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    customer = shoot(url, ThemeMode.LIGHT, out / "screenshot-light.png", args.customer)
    shoot(url, ThemeMode.DARK, out / "screenshot-dark.png", customer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
