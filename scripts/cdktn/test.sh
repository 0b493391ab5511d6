#!/usr/bin/env bash
# npm run test:cdktn: tests the CDK Terrain (cdktn) build of cdktf-immutable.
#  1. installs cdktn, @cdktn/provider-aws and constructs (scripts/cdktn/config.js) into a
#     cache folder outside the repository, reused while complete (scripts/cdktn/deps.js);
#  2. builds dist/ if lib/ or bin/ changed (scripts/build-dist.js, so the build of npm test
#     is reused) and the cdktn package (npm run build:cdktn);
#  3. runs the unit suites with cdktf resolved to cdktn (jest.cdktn.config.js);
#  4. installs the packed cdktn-immutable alone into a fresh consumer project with only
#     cdktn peers (no @aws-sdk/*, no command), type-checks its declarations (no
#     skipLibCheck), checks the subpaths, and compiles and synthesizes the README's cdktn
#     example;
#  5. synthesizes the same example with cdktf-immutable and cdktf and checks that both
#     give the same resources at the same addresses (the upgrade path's empty plan);
#  6. installs cdktn-immutable-cli beside it in another project: `npx cdktn-immutable
#     --version`, its messages name cdktn (not cdktf), and `cdktn-immutable init` scaffolds
#     a cdktn repository that type-checks and synthesizes through cdktn-immutable-cli/register.
# Ends with a plain line "cdktn: N passed, N failed" (the unit tests); exits non-zero
# if any step failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
started=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=()
say() { echo "[cdktn] $* ($(( $(date +%s) - started )) s)"; }
tsc="$root/node_modules/.bin/tsc"

say "dependencies"
deps="$(node scripts/cdktn/deps.js)" || { echo "cdktn: 0 passed, 0 failed"; echo "[cdktn] installing the cdktn dependencies failed"; exit 1; }
[ -d "$deps/node_modules/cdktn" ] || { echo "cdktn: 0 passed, 0 failed"; echo "[cdktn] scripts/cdktn/deps.js printed '$deps', not a folder with node_modules/cdktn"; exit 1; }

say "build: dist/, packages/cli/dist/ and the cdktn packages"
if ! { node scripts/build-dist.js && npm run --silent build:cdktn; }; then
  echo "cdktn: 0 passed, 0 failed"; echo "[cdktn] the build failed"; exit 1
fi
version="$(node -p "require('$root/package.json').version")"
tarball="$root/build/cdktn/cdktn-immutable-$version.tgz"
cli_tarball="$root/build/cdktn/cdktn-immutable-cli-$version.tgz"

say "unit suites against cdktn (jest.cdktn.config.js)"
npx jest -c jest.cdktn.config.js 2>&1 | tee "$work/jest.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failures+=("unit suites")

# ---- a fresh consumer with cdktn-immutable and only the cdktn peers
say "consumer project: install $(basename "$tarball")"
consumer="$work/consumer"
mkdir -p "$consumer" && cd "$consumer"
echo '{"name":"cdktn-consumer","version":"1.0.0","private":true}' > package.json
# The peers come from the cached install (no second download of the provider bindings).
if npm install --silent --no-save --no-audit --no-fund --ignore-scripts --legacy-peer-deps "$tarball" >/dev/null; then
  for peer in cdktn constructs @cdktn/provider-aws; do
    mkdir -p "node_modules/$(dirname "$peer")"
    ln -sfn "$deps/node_modules/$peer" "node_modules/$peer"
  done
  mkdir -p node_modules/@types && ln -sfn "$root/node_modules/@types/node" node_modules/@types/node

  check() { # <description> <command...>
    local what="$1"; shift
    if "$@"; then echo "[cdktn] ok: $what"; else echo "[cdktn] FAILED: $what"; failures+=("$what"); fi
  }
  check "cdktf is not installed in the consumer" node -e "try { require.resolve('cdktf'); process.exit(1); } catch { process.exit(0); }"
  check "the construct package alone installs no @aws-sdk/* and no command" \
    bash -c "[ ! -e node_modules/@aws-sdk ] && [ ! -e node_modules/.bin/cdktn-immutable ]"
  check "the published declarations type-check with cdktn's, without skipLibCheck" \
    "$tsc" --noEmit --strict --module commonjs --target ES2022 --types node $(find node_modules/cdktn-immutable/dist -name '*.d.ts')
  check "there is no cdktn-immutable/docker" bash -c "! node -e \"require('cdktn-immutable/docker')\" 2>/dev/null"

  cat > subpaths.ts <<'TS'
import { emptyRelease, stageRelease } from 'cdktn-immutable/release';
import { guardPlan } from 'cdktn-immutable/review';

const staged = stageRelease(emptyRelease('dev'), { image: 'ami-0123456789abcdef0', source: '--image', now: new Date(0) });
const heavy = Object.keys(require.cache).filter((p) => /[\\/]node_modules[\\/](cdktn|constructs)[\\/]/.test(p));
if (staged.slots.blue.image !== 'ami-0123456789abcdef0' || guardPlan({ format_version: '1.2', planned_values: { root_module: {} }, resource_changes: [] }, 'plan.json').violations.length !== 0 || heavy.length > 0) {
  throw new Error(`unexpected subpath behaviour: ${JSON.stringify({ staged, heavy })}`);
}
TS
  check "the release and review subpaths compile (node16) and load no cdktn" bash -c \
    "'$tsc' --strict --skipLibCheck --module node16 --target ES2022 --types node subpaths.ts && node subpaths.js"

  # The README's cdktn example (the first ts block under "### CDK Terrain (cdktn)"), verbatim.
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const section = text.split(/\n### CDK Terrain \(cdktn\)\n/)[1];
    const block = section && /```ts\n([\s\S]*?)```/.exec(section.split(/\n## /)[0]);
    if (!block) { console.error("README.md has no ts example under \"### CDK Terrain (cdktn)\""); process.exit(1); }
    process.stdout.write(block[1]);
  ' "$root/README.md" > main.ts || failures+=("README example found")
  check "the README's cdktn example compiles against the published types" \
    "$tsc" --strict --esModuleInterop --skipLibCheck --module commonjs --target ES2022 --types node main.ts
  check "the README's cdktn example synthesizes with cdktn and loads no cdktf" node -e '
    process.env.CDKTF_OUTDIR = process.argv[1];
    require("./main.js");
    const loaded = Object.keys(require.cache);
    const from = (name) => loaded.filter((p) => p.includes(`/node_modules/${name}/`)).length;
    if (from("cdktf") + from("@cdktf") > 0 || from("cdktn") === 0 || from("@cdktn/provider-aws") === 0 || from("cdktn-immutable") === 0) {
      console.error(JSON.stringify({ cdktf: from("cdktf"), cdktn: from("cdktn"), provider: from("@cdktn/provider-aws"), library: from("cdktn-immutable") }));
      process.exit(1);
    }
  ' "$work/out-cdktn"

  # ---- the same example on cdktf: the same resources at the same addresses
  say "the same example with cdktf-immutable and cdktf"
  mkdir -p "$work/cdktf-consumer/node_modules/@cdktf" "$work/cdktf-consumer/node_modules/@types"
  for peer in cdktf constructs @cdktf/provider-aws @types/node; do
    ln -sfn "$root/node_modules/$peer" "$work/cdktf-consumer/node_modules/$peer"
  done
  ln -sfn "$root" "$work/cdktf-consumer/node_modules/cdktf-immutable"
  sed -e "s#'cdktn-immutable#'cdktf-immutable#g; s#'cdktn'#'cdktf'#g; s#'@cdktn/#'@cdktf/#g" main.ts > "$work/cdktf-consumer/main.ts"
  check "the example compiles and synthesizes with cdktf too" bash -c \
    "cd '$work/cdktf-consumer' && '$tsc' --strict --esModuleInterop --skipLibCheck --module commonjs --target ES2022 --types node main.ts && CDKTF_OUTDIR='$work/out-cdktf' node main.js"
  check "cdktf and cdktn synthesize the same resources at the same addresses" node "$root/scripts/cdktn/compare-synth.js" "$work/out-cdktf" "$work/out-cdktn"
else
  failures+=("installing the cdktn-immutable tarball")
fi

# ---- the command line: cdktn-immutable-cli beside cdktn-immutable
say "command-line project: install $(basename "$cli_tarball")"
cli_consumer="$work/cli-consumer"
mkdir -p "$cli_consumer" && cd "$cli_consumer"
echo '{"name":"cdktn-cli-consumer","version":"1.0.0","private":true}' > package.json
if npm install --silent --no-save --no-audit --no-fund --ignore-scripts --legacy-peer-deps --prefer-offline \
    "$tarball" "$cli_tarball" >/dev/null; then
  mkdir -p node_modules/@cdktn
  for peer in cdktn constructs @cdktn/provider-aws; do ln -sfn "$deps/node_modules/$peer" "node_modules/$peer"; done
  check "npx cdktn-immutable --version" bash -c "[ \"\$(npx --no-install cdktn-immutable --version)\" = '$version' ]"
  npx --no-install cdktn-immutable --help > help.txt 2>&1
  npx --no-install cdktn-immutable release --help >> help.txt 2>&1
  npx --no-install cdktn-immutable release promote 2>> help.txt
  check "the command's messages name cdktn and cdktn-immutable, never cdktf (but cdktf.json, cdktf.out)" bash -c \
    "grep -q 'Usage: cdktn-immutable <command>' help.txt && grep -q 'cdktn-immutable deploy' help.txt \
      && grep -q '^cdktn-immutable: release promote' help.txt && ! sed -E 's/cdktf\\.(json|out)//g' help.txt | grep -q cdktf"

  say "cdktn-immutable init: a cdktn repository"
  npx --no-install cdktn-immutable init "$work/infra" > "$work/init.txt" 2>&1 || failures+=("cdktn-immutable init")
  cd "$work/infra"
  check "the scaffold depends on cdktn-immutable, cdktn-immutable-cli, cdktn, cdktn-cli and @cdktn/provider-aws" node -e '
    const p = require("./package.json");
    const want = { "cdktn-immutable": "^" + process.argv[1], cdktn: "0.24.0", constructs: "10.6.0", "@cdktn/provider-aws": "25.7.0" };
    const ok = JSON.stringify(p.dependencies) === JSON.stringify(want) && p.devDependencies["cdktn-immutable-cli"] === "^" + process.argv[1]
      && p.devDependencies["cdktn-cli"] === "0.24.0" && !JSON.stringify(p).includes("cdktf")
      && require("./cdktf.json").app === "node --require cdktn-immutable-cli/register main.ts";
    if (!ok) { console.error(JSON.stringify(p, null, 2)); process.exit(1); }
  ' "$version"
  check "the scaffold imports cdktn and cdktn-immutable only" bash -c "! grep -rn \"from '\(cdktf\|@cdktf/\)\" --include='*.ts' ."
  # Its node_modules: the two packages as installed above, cdktn's from the cache, the tools of this repository.
  mkdir -p node_modules/@types node_modules/@cdktn
  for pkg in cdktn-immutable cdktn-immutable-cli; do ln -sfn "$cli_consumer/node_modules/$pkg" "node_modules/$pkg"; done
  for pkg in cdktn constructs @cdktn/provider-aws; do ln -sfn "$deps/node_modules/$pkg" "node_modules/$pkg"; done
  for pkg in ts-node typescript @types/node @types/jest; do ln -sfn "$root/node_modules/$pkg" "node_modules/$pkg"; done
  check "the scaffold type-checks against cdktn-immutable" "$tsc" -p tsconfig.json
  check "the scaffold synthesizes on cdktn through cdktn-immutable-cli/register" bash -c \
    "CDKTF_OUTDIR='$work/infra-out' node --require cdktn-immutable-cli/register main.ts 2> '$work/infra-synth.txt' \
      && node -e \"if (Object.keys(require('$work/infra-out/manifest.json').stacks).join() !== 'images') process.exit(1)\" \
      && grep -q 'npx cdktn-immutable release stage dev' '$work/infra-synth.txt'"
else
  failures+=("installing the cdktn-immutable-cli tarball")
fi
cd "$root"

say "done"
line="$(grep -E '^Tests: ' "$work/jest.log" | tail -1)"
passed="$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")"
failed="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")"
if [ "${#failures[@]}" -gt 0 ]; then
  printf '[cdktn] failed: %s\n' "${failures[@]}"
fi
echo "[cdktn] wall time: $(( $(date +%s) - started )) s"
echo "cdktn: ${passed:-0} passed, ${failed:-0} failed"
[ "${#failures[@]}" -eq 0 ]
