#!/usr/bin/env bash
# Prism conformance: installs Stoplight Prism 5.x (npm) into target/prism, serves the pinned spec
# on 127.0.0.1, calls every operation through the generated client (tests/prism.rs), and stops
# Prism by its process id. Prints the tally; details in target/conformance/prism.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# The pinned spec (spec/pin.json): the copy `cargo xtask fetch-spec` placed, else the one in
# ../shared with the pinned sha256.
want=$(sed -n 's/.*"sha256": *"\([0-9a-f]*\)".*/\1/p' "$root/spec/pin.json")
spec=""
for candidate in "$root/spec/openapi.json" "$root"/../shared/cloudflare-openapi/*/openapi.json; do
  if [ -f "$candidate" ] && [ "$(sha256sum < "$candidate" | cut -d' ' -f1)" = "$want" ]; then
    spec="$candidate"
    break
  fi
done
if [ -z "$spec" ]; then echo "no copy of the pinned spec: run cargo xtask fetch-spec"; exit 1; fi
prism_dir="$root/target/prism"
port="${PRISM_PORT:-4010}"

if [ ! -x "$prism_dir/node_modules/.bin/prism" ]; then
  mkdir -p "$prism_dir"
  (cd "$prism_dir" && npm install --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5)
fi
"$prism_dir/node_modules/.bin/prism" --version

# Build first, so the server's start-up overlaps nothing slow and the test starts at once.
cargo test --quiet -p cloudflare-conformance --test prism --no-run

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

PRISM_URL="http://127.0.0.1:$port" cargo test --quiet -p cloudflare-conformance --test prism
