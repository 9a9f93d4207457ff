#!/usr/bin/env bash
# Build the macOS app and its disk image on a macOS runner (.github/workflows/macos.yml):
# the PyInstaller bundle as "Account Radar.app" and its self-test, signing with the
# hardened runtime when an identity is given, a .dmg with an Applications link,
# notarization and stapling when credentials are given.
#
#   packaging/macos/build.sh
#
# Signing:      MACOS_SIGN_IDENTITY="Developer ID Application: Example Ltd (TEAMID)"
#               (the certificate in the login or a temporary keychain)
# Notarizing:   NOTARY_PROFILE (a profile stored with `xcrun notarytool store-credentials`)
#               or NOTARY_APPLE_ID, NOTARY_TEAM_ID and NOTARY_PASSWORD (an app password)
# Without them each step says it was skipped; the .dmg is still built.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-python3.11}"

"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt -r packaging/requirements-build.txt

# The icon, then the bundle (the spec adds the .app on macOS) and its self-test.
.venv/bin/python packaging/macos/make_icns.py
.venv/bin/python packaging/build.py
APP="dist/Account Radar.app"
[ -d "$APP" ] || { echo "no $APP was built"; exit 1; }
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/AccountRadar" --self-test

VERSION=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
mkdir -p dist/installers
DMG="dist/installers/AccountRadar-$VERSION.dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  # Inside out: every library and executable first, then the app (no --deep: Apple
  # advises against it, it signs nested code with the wrong options).
  find "$APP/Contents" -type f \( -name "*.so" -o -name "*.dylib" -o -perm -u+x \) -print0 |
    while IFS= read -r -d '' f; do
      if file "$f" | grep -q "Mach-O"; then
        codesign --force --timestamp --options runtime \
          --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$f"
      fi
    done
  codesign --force --timestamp --options runtime \
    --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$APP"
  codesign --verify --strict --verbose=2 "$APP"
else
  echo "not signed: MACOS_SIGN_IDENTITY not set"
fi

# The disk image: the app and a link to /Applications to drag it onto.
STAGE=$(mktemp -d)
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "Account Radar $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
rm -rf "$STAGE"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$DMG"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
  elif [ -n "${NOTARY_APPLE_ID:-}" ]; then
    xcrun notarytool submit "$DMG" --apple-id "$NOTARY_APPLE_ID" \
      --team-id "$NOTARY_TEAM_ID" --password "$NOTARY_PASSWORD" --wait
  else
    echo "not notarized: NOTARY_PROFILE or NOTARY_APPLE_ID not set"
  fi
  if [ -n "${NOTARY_PROFILE:-}${NOTARY_APPLE_ID:-}" ]; then
    xcrun stapler staple "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose "$DMG"
  fi
else
  echo "not notarized: the app is not signed"
fi

# The disk image opens and its app runs.
MOUNT=$(mktemp -d)
hdiutil attach "$DMG" -nobrowse -readonly -mountpoint "$MOUNT" >/dev/null
QT_QPA_PLATFORM=offscreen "$MOUNT/Account Radar.app/Contents/MacOS/AccountRadar" --self-test
hdiutil detach "$MOUNT" >/dev/null
echo "macOS: $DMG ($(du -h "$DMG" | cut -f1))"
