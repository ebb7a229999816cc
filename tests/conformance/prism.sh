#!/usr/bin/env bash
# Prism conformance: installs Stoplight Prism 5.x (npm) into target/prism, serves the pinned spec
# on 127.0.0.1, calls every operation through the generated client (tests/prism.rs), and stops
# Prism by its process id. Prints the tally; details in target/conformance/prism.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
prism_dir="$root/target/prism"
mkdir -p "$prism_dir"
# The spec the generated crate describes: the pinned spec (spec/pin.json) with the project's
# corrections (spec/overlay.yaml) applied.
spec="$prism_dir/spec.json"
cargo xtask overlay "$spec"
port="${PRISM_PORT:-4010}"

if [ ! -x "$prism_dir/node_modules/.bin/prism" ]; then
  mkdir -p "$prism_dir"
  (cd "$prism_dir" && npm install --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5)
fi
"$prism_dir/node_modules/.bin/prism" --version

# Build first, so the server's start-up overlaps nothing slow and the test starts at once.
# `--workspace`: the same features as `cargo test --workspace`, so CI reuses what that built
# (one package alone would resolve other features of tokio and rebuild the client twice).
cargo test --quiet --workspace --test prism --no-run
cargo build --quiet --workspace --examples

log="$root/target/conformance/prism-server.log"
mkdir -p "$(dirname "$log")"
"$prism_dir/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$port" "$spec" >"$log" 2>&1 &
prism_pid=$!
trap 'kill "$prism_pid" 2>/dev/null || true; wait "$prism_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  if curl -s -o /dev/null -H 'Accept: application/json' "http://127.0.0.1:$port/"; then break; fi
  if ! kill -0 "$prism_pid" 2>/dev/null; then echo "prism exited:"; tail -20 "$log"; exit 1; fi
  sleep 1
done

PRISM_URL="http://127.0.0.1:$port" cargo test --quiet --workspace --test prism

# The runnable examples of the workflows users come for (generated/examples), as a user runs
# them: credentials and ids from the environment. The spec lists some operations' security as
# `api_email` + `api_key` only, which Prism enforces although the live API takes a token for
# them too; the examples run against a second Prism of the same spec without `security`, so
# what they test is the requests and responses (authentication is tested on loopback).
kill "$prism_pid" 2>/dev/null || true
wait "$prism_pid" 2>/dev/null || true
open_spec="$root/target/prism/spec-without-security.json"
python3 - "$spec" "$open_spec" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.pop("security", None)
for item in doc.get("paths", {}).values():
    for op in item.values():
        if isinstance(op, dict):
            op.pop("security", None)

def resolve(node):
    for _ in range(32):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        cur = doc
        for part in ref[2:].split("/"):
            cur = cur.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(cur, dict) else {}
        node = cur
    return node

# OpenAPI 3.0: a required readOnly property is required in responses only. Prism requires it
# in requests too, so the examples' spec drops such properties from `required`.
def walk(node):
    if isinstance(node, dict):
        # A `required` beside `oneOf`/`anyOf` without properties of its own: the DNS record
        # union lists response fields there (`id`, `created_on`, …), which no create request
        # has, and the live API does not ask for. Dropped for the examples' server.
        if ("oneOf" in node or "anyOf" in node) and "properties" not in node:
            node.pop("required", None)
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(node.get("required"), list):
            node["required"] = [
                name for name in node["required"]
                if not resolve(props.get(name, {})).get("readOnly") is True
                and not (isinstance(props.get(name), dict) and props[name].get("readOnly") is True)
            ]
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)

walk(doc)
json.dump(doc, open(sys.argv[2], "w"))
PY
"$prism_dir/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$port" "$open_spec" >"$log.examples" 2>&1 &
prism_pid=$!
for _ in $(seq 1 120); do
  if curl -s -o /dev/null -H 'Accept: application/json' "http://127.0.0.1:$port/"; then break; fi
  if ! kill -0 "$prism_pid" 2>/dev/null; then echo "prism exited:"; tail -20 "$log.examples"; exit 1; fi
  sleep 1
done
failed=0
for example in "$root"/generated/examples/*.rs; do
  name="$(basename "$example" .rs)"
  if CLOUDFLARE_API_TOKEN=conformance-token CLOUDFLARE_BASE_URL="http://127.0.0.1:$port" \
     CLOUDFLARE_ZONE_ID=023e105f4ecef8ad9ca31a8372d0c353 CLOUDFLARE_ACCOUNT_ID=01a7362d577a6c3019a474fd6f485823 \
     "$root/target/debug/examples/$name" 023e105f4ecef8ad9ca31a8372d0c353 >"$root/target/conformance/example-$name.log" 2>&1; then
    echo "example $name: ok"
  else
    echo "example $name: FAILED"; cat "$root/target/conformance/example-$name.log"; failed=1
  fi
done
exit "$failed"
