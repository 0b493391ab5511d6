#!/usr/bin/env bash
# Synthesizes stacks/main.ts and every examples/*/main.ts into one folder:
#   <out>/app/stacks/<stack>/cdk.tf.json
#   <out>/examples/<example>/stacks/<stack>/cdk.tf.json
# Usage: scripts/synth-all.sh <out>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/synth-all.sh <output folder>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
run() {
  local target="$1" app="$2"
  rm -rf "$target"
  mkdir -p "$(dirname "$target")"
  CDKTF_OUTDIR="$target" node --require ts-node/register/transpile-only "$app"
}
run "$out/app" stacks/main.ts
for main in examples/*/main.ts; do
  [ -f "$main" ] || continue
  name="$(basename "$(dirname "$main")")"
  run "$out/examples/$name" "$main"
done
find "$out" -name cdk.tf.json | sort
