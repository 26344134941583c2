#!/usr/bin/env bash
# Generates a Python client from the OpenAPI document with openapi-python-client (installed
# from PyPI into a cached venv on first use) and fails when the generator skips an
# operation, cannot build a model, or leaves any operation of the document without a module.
#   scripts/check_client_generation.sh [openapi.json]
set -euo pipefail
cd "$(dirname "$0")/.."
doc=${1:-openapi/openapi.json}
version=0.29.1
venv=${KRIYA_CLIENT_GEN_VENV:-${KRIYA_TOOLS_DIR:-${TMPDIR:-/tmp}}/kriya-openapi-python-client-$version}
if [ ! -x "$venv/bin/openapi-python-client" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "openapi-python-client==$version"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No formatter run afterwards: only what the generator makes of the document matters here.
printf 'post_hooks: []\n' >"$work/config.yaml"
if ! "$venv/bin/openapi-python-client" generate --path "$doc" --config "$work/config.yaml" \
  --meta none --output-path "$work/client" >"$work/log" 2>&1; then
  cat "$work/log"
  echo "openapi-python-client failed"
  exit 1
fi
# The generator exits 0 even when it leaves operations or models out; its warnings say so.
"$venv/bin/python" - "$doc" "$work/client" "$work/log" <<'PY'
import json, pathlib, re, sys

doc_path, client, log_path = sys.argv[1:]
doc = json.load(open(doc_path))
log = open(log_path).read()
methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
operations = {
    op["operationId"]: f"{method.upper()} {path}"
    for path, item in doc["paths"].items()
    for method, op in item.items()
    if method in methods
}
modules = {
    p.stem
    for p in pathlib.Path(client, "api").glob("*/*.py")
    if p.name != "__init__.py"
}
snake = lambda s: re.sub(r"[^0-9a-z]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()).strip("_")
missing = sorted(f"{where} ({op})" for op, where in operations.items() if snake(op) not in modules)
skipped = re.findall(r"WARNING parsing (\S+ \S+).*Endpoint will not be generated", log)
broken = re.findall(r"^(Unable to .*)$", log, re.M)
omitted = re.findall(r"WARNING parsing (\S+ \S+).*\n\nCannot parse response.*\((.*)\), response will be omitted", log)
print(f"openapi-python-client: {len(modules)} operation modules generated for "
      f"{len(operations)} operations in {doc_path}")
for where, why in omitted:
    print(f"  note: {where}: a response is generated without a body type ({why})")
problems = [f"skipped: {s}" for s in skipped] + [f"model: {b}" for b in broken] + \
    [f"no module: {m}" for m in missing]
for p in problems:
    print(f"  {p}")
if problems or len(modules) != len(operations):
    print("FAILED: the generated client is incomplete")
    sys.exit(1)
print("ok: every operation has a generated module")
PY
