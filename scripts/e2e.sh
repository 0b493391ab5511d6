#!/usr/bin/env bash
# End-to-end tests: OpenTofu + the real AWS provider against a moto server.
#   npm run test:e2e [-- <jest args>]     e.g. npm run test:e2e -- -t lifecycle
# Loads (building if missing, 12-22 min cold) the toolchain of scripts/e2e-toolchain.sh,
# builds dist/ if lib/ or bin/ changed (the tests run the built CLI), then runs the test
# files in parallel, one jest worker each: they spend most of their time waiting for the
# provider (a load balancer alone is about a minute of polling), not on the CPU.
#   E2E_WORKERS=<n>   parallel files (default: one per file, at most 8); 1 runs them in band
# Each file is self-contained (its own moto server, temporary folder, synth output and
# state; see test/e2e/harness), so files can run in any order and at the same time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The machine may set TF_CLI_CONFIG_FILE to another file: always use the toolchain's.
unset TF_CLI_CONFIG_FILE
eval "$(bash scripts/e2e-toolchain.sh)"
export TF_IN_AUTOMATION=1
# Providers are linked, not copied, into each stack's .terraform from a plugin cache: one
# per jest worker under this folder (test/e2e/harness/tofu.ts), removed afterwards. A cache
# shared by parallel files (or by other runs on the machine) is not safe: a tofu init
# rewrites it while another file's plan runs a provider from it.
E2E_PLUGIN_CACHE_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/e2e-plugin-caches-XXXXXX")"
export E2E_PLUGIN_CACHE_ROOT
trap 'rm -rf "$E2E_PLUGIN_CACHE_ROOT"' EXIT
node scripts/build-dist.js
files=$(find test/e2e -name '*.e2e.test.ts' | wc -l)
workers="${E2E_WORKERS:-$(( files < 8 ? files : 8 ))}"
started=$(date +%s)
status=0
npx jest -c jest.e2e.config.js --maxWorkers="$workers" "$@" || status=$?
echo "[e2e] wall time: $(( $(date +%s) - started ))s (jest, up to $workers files at once), exit $status" >&2
exit $status
