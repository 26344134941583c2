#!/usr/bin/env bash
# Loads the demo (its trainings and past months of hotel sales) into a fresh server, fetches
# every report as an SVG chart (Accept: image/svg+xml), renders each in headless Chromium from
# Debian's packages and saves a screenshot; fails when a chart does not render as an SVG
# document with its axes labelled, or when its screenshot is blank.
#   scripts/check_report_charts.sh [output dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/charts}
mkdir -p "$out"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get install -y -q chromium >/dev/null
fi
cargo build -q
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
KRIYA_DATA_DIR="$data" KRIYA_BIND="127.0.0.1:$port" ./target/debug/kriya serve >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sf "$base/healthz" >/dev/null && break
  sleep 0.2
done
KRIYA_DATA_DIR="$data" ./target/debug/kriya demo >/dev/null

token() {
  curl -sf "$base/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"demo-kriya-2026\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
admin=$(token kurator@demo.kriya.id)
seller=$(token daun-abadi@demo.kriya.id)

fetch() { # name token path
  curl -sf -H "Authorization: Bearer $2" -H 'Accept: image/svg+xml' "$base$3" >"$out/$1.svg"
}
fetch overview "$admin" "/v1/admin/reports/overview?from=2020-08&to=2022-02"
fetch seller-daun-abadi "$seller" "/v1/sellers/me/report?from=2020-08&to=2022-02"
n=0
for id in $(curl -sf -H "Authorization: Bearer $admin" "$base/v1/admin/trainings" |
  python3 -c 'import json, sys; [print(t["id"]) for t in json.load(sys.stdin)["items"]]'); do
  n=$((n + 1))
  fetch "training-$n" "$admin" "/v1/admin/reports/trainings/$id?months=6"
done

chrome=(chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars)
status=0
for svg in "$out"/*.svg; do
  png="${svg%.svg}.png"
  # What the browser parsed: an SVG root with its axis titles.
  dom=$("${chrome[@]}" --dump-dom "file://$(realpath "$svg")" 2>/dev/null)
  if ! grep -q '<svg' <<<"$dom" || ! grep -q 'Bulan (WIB)' <<<"$dom"; then
    echo "$svg: not rendered as a labelled SVG chart" >&2
    status=1
  fi
  "${chrome[@]}" --window-size=960,540 --screenshot="$png" "file://$(realpath "$svg")" 2>/dev/null
  # A blank screenshot compresses to almost nothing; a chart's lines and labels do not.
  size=$(stat -c %s "$png")
  if [ "$size" -lt 8000 ]; then
    echo "$png: looks blank ($size bytes)" >&2
    status=1
  fi
  echo "$(basename "$svg"): rendered, screenshot $png ($size bytes)"
done
exit $status
