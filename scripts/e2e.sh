#!/usr/bin/env bash
# End-to-end tests: OpenTofu + the real AWS provider against a moto server.
#   npm run test:e2e [-- <jest args>]     e.g. npm run test:e2e -- -t lifecycle
# Loads (building if missing, 12-22 min cold) the toolchain of scripts/e2e-toolchain.sh,
# builds dist/ (the tests run the built CLI), then runs jest in band.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The machine may set TF_CLI_CONFIG_FILE to another file: always use the toolchain's.
unset TF_CLI_CONFIG_FILE
eval "$(bash scripts/e2e-toolchain.sh)"
export TF_IN_AUTOMATION=1
# Providers are linked, not copied, into each stack's .terraform (the aws provider is ~900 MB).
# One cache per toolchain: a rebuilt provider never meets a checksum cached for another.
export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$E2E_TOOLCHAIN_DIR/plugin-cache}"
mkdir -p "$TF_PLUGIN_CACHE_DIR"
npx tsc -p tsconfig.build.json
started=$(date +%s)
status=0
npx jest -c jest.e2e.config.js --runInBand "$@" || status=$?
echo "[e2e] wall time: $(( $(date +%s) - started ))s (jest), exit $status" >&2
exit $status
