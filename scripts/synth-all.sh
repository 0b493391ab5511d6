#!/usr/bin/env bash
# Synthesizes stacks/main.ts and every examples/*/main.ts into one folder:
#   <out>/app/stacks/<stack>/cdk.tf.json
#   <out>/examples/<example>/stacks/<stack>/cdk.tf.json
# and prints the cdk.tf.json files. Usage: scripts/synth-all.sh <out>
#
# Each app runs as cdktf.json runs it (packages/cli/register/index.js: cached transpiling,
# cheap stack traces), with `cdktf-immutable` (how the examples import the library)
# resolved to lib/ (scripts/lib-from-source.js). <out>/.synth-key names the inputs (every
# file of lib/, stacks/, examples/, releases/ and the runner, cdktf.json, tsconfig.json,
# package-lock.json).
# SYNTH_ALL_FROM=<folder written by this script>: when its key matches, <out> is a copy of
# it instead of a new synth (CI synthesizes once for the scan, the e2e provider check and
# the e2e validate test); when it does not, this synthesizes as usual.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/synth-all.sh <output folder>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
inputs=()
for input in lib stacks examples releases packages/cli/register scripts/lib-from-source.js cdktf.json tsconfig.json \
    package-lock.json; do
  [ -e "$input" ] && inputs+=("$input")
done
key="$(find "${inputs[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
run() {
  local target="$1" app="$2"
  rm -rf "$target"
  mkdir -p "$(dirname "$target")"
  CDKTF_OUTDIR="$target" node --require "$root/scripts/lib-from-source.js" --require "$root/packages/cli/register/index.js" \
    "$app"
}
if [ -n "${SYNTH_ALL_FROM:-}" ] && [ "$(cat "$SYNTH_ALL_FROM/.synth-key" 2>/dev/null)" = "$key" ]; then
  if [ "$(cd "$SYNTH_ALL_FROM" && pwd)" != "$out" ]; then
    rm -rf "$out" && mkdir -p "$out" && cp -R "$SYNTH_ALL_FROM/." "$out/"
  fi
else
  [ -z "${SYNTH_ALL_FROM:-}" ] || echo "synth-all: $SYNTH_ALL_FROM was synthesized from other sources; synthesizing again" >&2
  rm -f "$out/.synth-key"
  run "$out/app" stacks/main.ts
  for main in examples/*/main.ts; do
    [ -f "$main" ] || continue
    name="$(basename "$(dirname "$main")")"
    run "$out/examples/$name" "$main"
  done
  echo "$key" > "$out/.synth-key"
fi
find "$out" -name cdk.tf.json | sort
