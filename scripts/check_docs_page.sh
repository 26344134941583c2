#!/usr/bin/env bash
# Renders /docs (Swagger UI) in headless Chromium from Debian's packages, checks that the
# page lists every operation of the OpenAPI document, and saves a screenshot.
#   scripts/check_docs_page.sh [screenshot.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/docs.png}
if ! command -v chromium >/dev/null 2>&1; then
  apt-get install -y -q chromium >/dev/null
fi
cargo build -q
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KRIYA_DATA_DIR="$data" KRIYA_BIND="127.0.0.1:$port" ./target/debug/kriya serve >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
chrome=(chromium --headless --no-sandbox --disable-gpu --no-first-run --virtual-time-budget=8000)
rendered=$("${chrome[@]}" --dump-dom "http://127.0.0.1:$port/docs/" 2>/dev/null | grep -o 'class="opblock opblock-[a-z]*' | wc -l)
expected=$(./target/debug/kriya openapi | python3 -c 'import json, sys; d = json.load(sys.stdin); print(sum(len(v) for v in d["paths"].values()))')
"${chrome[@]}" --window-size=1280,1600 --screenshot="$out" "http://127.0.0.1:$port/docs/" 2>/dev/null
echo "operations rendered: $rendered of $expected; screenshot: $out"
[ "$rendered" -eq "$expected" ]
