#!/usr/bin/env bash
# npm run scan: checkov (pinned, from PyPI) over every synthesized stack and example.
# Zero failed checks is the bar. A check that does not apply is suppressed next to
# the resource in code (a "checkov:skip=<ID>" key in the resource's "//" block, with
# the reason), never in a skip list here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
CHECKOV_VERSION=3.3.30
cache="${CDKTF_IMMUTABLE_CACHE:-$HOME/.cache/cdktf-immutable}"
venv="$cache/checkov-$CHECKOV_VERSION"

if [ ! -f "$venv/READY" ]; then
  echo "installing checkov $CHECKOV_VERSION into $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  touch "$venv/READY"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bash "$root/scripts/synth-all.sh" "$out" >/dev/null
set +e
# BC_SKIP_MAPPING: no download of check metadata (there is no network but the registries).
BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" --directory "$out" --framework terraform_json \
  --skip-download --output json >"$out/results.json" 2>"$out/stderr.txt"
status=$?
set -e
if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$out/results.json" 2>/dev/null; then
  echo "checkov produced no JSON report (exit $status):"; tail -20 "$out/stderr.txt"; exit 2
fi
node "$root/scripts/scan-report.js" "$out/results.json" "$out" "$CHECKOV_VERSION"
