#!/usr/bin/env bash
# Sign an MSI on Linux with osslsigncode (Debian: apt-get install osslsigncode) when a
# certificate is given: CERT_PFX (path to a .pfx / PKCS#12 file) and CERT_PASSWORD.
# Without one it says so and leaves the MSI as it is (exit 0): CI builds unsigned.
# TIMESTAMP_URL: the time-stamping authority (default DigiCert's; empty: no time stamp,
# for a test certificate on a machine with no way out).
#
#   CERT_PFX=corp.pfx CERT_PASSWORD=... packaging/windows/sign.sh dist/installers/X.msi
set -euo pipefail
msi="${1:?usage: sign.sh FILE.msi}"
if [ -z "${CERT_PFX:-}" ]; then
  echo "not signed: CERT_PFX not set"
  exit 0
fi
command -v osslsigncode >/dev/null || { echo "osslsigncode not found (apt-get install osslsigncode)"; exit 1; }
signed="${msi%.msi}.signed.msi"
stamp=()
ts="${TIMESTAMP_URL-http://timestamp.digicert.com}"
[ -n "$ts" ] && stamp=(-t "$ts")
rm -f "$signed"
osslsigncode sign -pkcs12 "$CERT_PFX" -pass "${CERT_PASSWORD:-}" -h sha256 \
  -n "Account Radar" "${stamp[@]}" -in "$msi" -out "$signed" >/dev/null
mv "$signed" "$msi"
echo "signed: $msi"
