#!/bin/sh
# What the end-to-end tier (tests/e2e) needs on a Debian or Ubuntu machine: an X server
# (Xvfb), a window manager (openbox), the input and window tools (xdotool, xwininfo and
# xprop from x11-utils), screenshots and their comparison (ImageMagick), a font, and the
# libraries Qt's xcb platform plugin loads (checked with ldd on PySide6's libqxcb.so).
# Installs only when something is missing (CI runs as root on a fresh machine).
set -eu

PACKAGES="xvfb openbox xdotool x11-utils imagemagick fonts-dejavu-core
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxkbcommon-x11-0
libegl1 libgl1 libfontconfig1 libdbus-1-3"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for package in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing="$missing $package"
    done
else
    for tool in Xvfb openbox xdotool xwininfo xprop import compare; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    if [ -n "$missing" ]; then
        echo "tests/e2e needs:$missing (no dpkg here: install them with your package manager)" >&2
        exit 1
    fi
fi
[ -z "$missing" ] && exit 0

echo "tests/e2e: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
$SUDO apt-get update -q
# shellcheck disable=SC2086  (one word per package)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
