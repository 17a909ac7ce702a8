#!/bin/sh
# Builds the HTML report of the bundled incident (testdata/incident) and renders it to a PNG
# with headless Chromium, for checking the layout by eye. Not part of `cargo test` or CI.
#
# Usage: scripts/render-report.sh [OUT.png]   (default: target/report.png; the HTML is written
# beside it as target/report.html)
#
# Needs the Debian package `chromium` (apt-get install -y chromium). The flags keep Chromium
# off the network: the report itself loads nothing, and background services are turned off.
set -eu

cd "$(dirname "$0")/.."
png=${1:-target/report.png}
html=${png%.png}.html

cargo build --quiet --locked
./target/debug/t3forensics report -q --html "$html" testdata/incident/*.log

if ! command -v chromium >/dev/null 2>&1; then
    echo "render-report.sh: chromium not found; install it with: apt-get install -y chromium" >&2
    exit 2
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --screenshot="$(realpath -m "$png")" --window-size=1400,2000 \
    "file://$(realpath "$html")"
echo "render-report.sh: wrote $png from $html"
