"""packaging/macos: what can be checked off a Mac. The example managed-preferences plist
is read by the app's policy reader as IT would deploy it, its settings are real and
valid; the scripts parse; the icon's sizes are drawn from the SVG."""

from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from services.core.policy import reload_policy
from services.settings import SETTINGS, validate_setting

ROOT = Path(__file__).resolve().parents[2]
MACOS = ROOT / "packaging" / "macos"


def test_the_example_policy_plist_is_read_as_the_app_reads_managed_preferences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = MACOS / "policies.example.plist"
    with example.open("rb") as f:
        data = plistlib.load(f)
    for part in ("locked", "defaults"):
        for key, value in data[part].items():
            assert key in SETTINGS
            assert validate_setting(key, value) is None
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(example))
    try:
        read = reload_policy()
        assert read.problems == []
        assert read.locked["llm.base_url"] == "http://llm.corp.example:8080/v1"
        assert read.locked["outreach.sent_fields"] == ["first_name", "tier", "last_order"]
        assert read.defaults["learn.holdout_percent"] == 10
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


def test_the_entitlements_are_a_plist_with_the_hardened_runtime_exceptions() -> None:
    with (MACOS / "entitlements.plist").open("rb") as f:
        entitlements = plistlib.load(f)
    assert entitlements == {
        "com.apple.security.cs.allow-unsigned-executable-memory": True,
        "com.apple.security.cs.disable-library-validation": True,
    }


def test_the_scripts_parse() -> None:
    assert subprocess.run(["bash", "-n", str(MACOS / "build.sh")]).returncode == 0
    workflow = (ROOT / ".github" / "workflows" / "macos.yml").read_text()
    assert "packaging/macos/build.sh" in workflow
    assert "runs-on: macos-14" in workflow
    spec = (ROOT / "packaging" / "account_radar.spec").read_text()
    assert 'bundle_identifier="com.accountradar.app"' in spec
    assert (
        "/Library/Managed Preferences/com.accountradar.app.plist"
        in (ROOT / "services" / "core" / "policy.py").read_text()
    )


def test_the_icon_sizes_are_drawn_from_the_svg(tmp_path: Path, qapp) -> None:  # noqa: ARG001
    sys.path.insert(0, str(MACOS))
    import make_icns

    made = make_icns.render_iconset(ROOT / "resources" / "icons" / "account-radar.svg", tmp_path)
    assert len(made) == 2 * len(make_icns.SIZES)
    from PySide6.QtGui import QImage

    big = QImage(str(tmp_path / "icon_512x512@2x.png"))
    assert (big.width(), big.height()) == (1024, 1024)
    assert big.pixelColor(512, 512).alpha() > 0  # something is drawn in the middle
