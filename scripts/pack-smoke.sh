#!/usr/bin/env bash
# Packs both packages as they would be published (scripts/pack.js: cdktf-immutable, the
# constructs, and cdktf-immutable-cli, the command line) and checks them as consumers get them:
#  - the construct package alone, in an empty project: no @aws-sdk/* in node_modules and no
#    cdktf-immutable command; a consumer sees the public API with types (the root entry
#    point and the release, review, names and docker subpaths), the root entry point works
#    without the optional @cdktf/provider-docker installed;
#  - the CLI package (with the construct package it names, at exactly its version) in
#    another: `npx cdktf-immutable --version`, and the built command resolves the library
#    through the package, not a copy of lib/;
#  - both consumers' node_modules sizes;
#  - then, as a new user: `cdktf-immutable init --from <folder of both tarballs>` in an empty
#    folder, `npm install` (the npm registry for the pinned peers and tools, the npm cache
#    reused; PACK_SMOKE_SKIP_INIT=1 skips this part when offline), `cdktf synth` through the
#    packaged runner (cdktf-immutable-cli/register), the scaffold's type check and its jest
#    snapshot test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
packed=()
while IFS= read -r line; do packed+=("$line"); done < <(node scripts/pack.js "$work/packed")
tarball="${packed[0]}" cli_tarball="${packed[1]}"
expected="$(node -p "require('$root/package.json').version")"
[ "$(basename "$tarball")" = "cdktf-immutable-$expected.tgz" ] && [ "$(basename "$cli_tarball")" = "cdktf-immutable-cli-$expected.tgz" ] \
  || { echo "scripts/pack.js wrote ${packed[*]}"; exit 1; }
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1)) and $(basename "$cli_tarball") ($(du -h "$cli_tarball" | cut -f1))"
tar -tzf "$tarball" > "$work/contents.txt"
for required in package/dist/lib/index.js package/dist/lib/index.d.ts package/README.md \
    package/dist/lib/release/index.js package/dist/lib/release/index.d.ts package/dist/lib/review/index.js package/dist/lib/review/index.d.ts \
    package/dist/lib/names/index.js package/dist/lib/names/index.d.ts \
    package/dist/lib/docker/index.js package/dist/lib/docker/index.d.ts; do
  grep -qx "$required" "$work/contents.txt" || { echo "missing from the construct package: $required"; exit 1; }
done
if grep -E '^package/(test|stacks|examples|bin|dist/bin|register|templates|packages|lib/.*\.ts$|node_modules)' "$work/contents.txt" | grep -v '\.d\.ts$'; then
  echo "the construct package contains files that must not be published (above)"; exit 1
fi
tar -tzf "$cli_tarball" > "$work/cli-contents.txt"
for required in package/dist/cdktf-immutable.js package/dist/cli/main.js package/README.md \
    package/register/index.js package/register/cached-transpiler.js package/templates/init/main.ts package/templates/init/gitignore \
    package/templates/init/github/workflows/pr.yml; do
  grep -qx "$required" "$work/cli-contents.txt" || { echo "missing from the CLI package: $required"; exit 1; }
done
if grep -E '^package/(lib|dist/lib|test|node_modules)/|\.ts$|\.build-key$' "$work/cli-contents.txt" | grep -v '^package/templates/'; then
  echo "the CLI package contains files that must not be published (above): the library is its dependency, not a copy"; exit 1
fi
[ "$(tar -xzOf "$cli_tarball" package/package.json | node -p "JSON.parse(require('fs').readFileSync(0, 'utf8')).dependencies['cdktf-immutable']")" = "$expected" ] \
  || { echo "the CLI package does not depend on cdktf-immutable at exactly $expected"; exit 1; }
echo "the CLI package depends on cdktf-immutable $expected and holds no copy of the library"

# Peers come from this repository's node_modules (no second download of the providers).
link_peers() {
  for peer in cdktf constructs @cdktf/provider-aws @types/node; do
    mkdir -p "node_modules/$(dirname "$peer")"
    ln -sfn "$root/node_modules/$peer" "node_modules/$peer"
  done
}

# The command line's consumer: both tarballs (npm would take cdktf-immutable from the
# registry otherwise), the AWS SDK from the registry (the npm cache reused).
mkdir -p "$work/cli-consumer" && cd "$work/cli-consumer"
echo '{"name":"cli-consumer","version":"1.0.0","private":true}' > package.json
npm install --silent --no-save --no-audit --no-fund --ignore-scripts --legacy-peer-deps --prefer-offline \
  "$tarball" "$cli_tarball" >/dev/null
cli_size="$(du -sh node_modules | cut -f1)"
link_peers
version="$(npx --no-install cdktf-immutable --version)"
[ "$version" = "$expected" ] || { echo "npx cdktf-immutable --version printed '$version', expected '$expected'"; exit 1; }
echo "npx cdktf-immutable --version: $version"
[ "$(node -p "require.resolve('cdktf-immutable/release', { paths: [require('path').dirname(require.resolve('cdktf-immutable-cli/package.json'))] })")" \
  = "$PWD/node_modules/cdktf-immutable/dist/lib/release/index.js" ] || { echo "the CLI does not load the installed cdktf-immutable"; exit 1; }
ls node_modules/@aws-sdk/client-ssm/package.json >/dev/null

mkdir -p "$work/consumer" && cd "$work/consumer"
echo '{"name":"consumer","version":"1.0.0","private":true}' > package.json
# The optional @cdktf/provider-docker is linked only for the cdktf-immutable/docker check below.
npm install --silent --no-save --no-audit --no-fund --ignore-scripts --legacy-peer-deps "$tarball" >/dev/null
library_size="$(du -sh node_modules | cut -f1)"
if [ -e node_modules/@aws-sdk ] || [ -e node_modules/.bin/cdktf-immutable ]; then
  echo "a consumer of the construct package alone has $(ls -d node_modules/@aws-sdk node_modules/.bin/cdktf-immutable 2>/dev/null | tr '\n' ' ')"; exit 1
fi
echo "the construct package alone installs no @aws-sdk/* and no cdktf-immutable command"
echo "install size (node_modules, peers not installed): construct package $library_size, CLI package (with the construct package) $cli_size"
link_peers
if node -e "require.resolve('@cdktf/provider-docker/package.json')" 2>/dev/null; then
  echo "@cdktf/provider-docker is resolvable from the consumer; the check without it would prove nothing"; exit 1
fi

cat > consumer.ts <<'TS'
import { App, TerraformStack } from 'cdktf';
import { Generation, generationName, ImmutabilityAspect, NameRule, ResourcePolicy } from 'cdktf-immutable';

const stack = new TerraformStack(new App(), 'consumer');
ImmutabilityAspect.enable(stack);
const generation: Generation = Generation.of(stack, { imageId: 'ami-0123456789abcdef0' });
const name: string = generationName(NameRule.TARGET_GROUP, { base: 'web', slot: 'blue', generation });
if (!/^web-blue-[0-9a-f]{10}$/.test(name) || ResourcePolicy.classify('aws_launch_template') !== 'immutable') {
  throw new Error(`unexpected public API behaviour: ${name}`);
}
console.log(`consumer compiled against the published types: ${name}`);
TS
"$root/node_modules/.bin/tsc" --strict --esModuleInterop --skipLibCheck --module commonjs --target ES2022 --types node consumer.ts
node consumer.js
echo "(without @cdktf/provider-docker installed)"
if node -e "require('cdktf-immutable/docker')" 2>"$work/docker-missing.txt" || ! grep -q "Cannot find module '@cdktf/provider-docker/" "$work/docker-missing.txt"; then
  echo "cdktf-immutable/docker loaded, or failed for another reason than the missing @cdktf/provider-docker:"; cat "$work/docker-missing.txt"; exit 1
fi
echo "cdktf-immutable/docker names the missing @cdktf/provider-docker"

# With the optional peer installed, the Docker entry point compiles and synthesizes.
ln -sfn "$root/node_modules/@cdktf/provider-docker" node_modules/@cdktf/provider-docker
mkdir -p context && printf 'FROM scratch\nCOPY app.txt /\n' > context/Dockerfile && echo hello > context/app.txt
cat > docker.ts <<'TS'
import { App, TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { ImageSource } from 'cdktf-immutable';
import { DockerImagePipeline, DockerImageSource, hashDockerContext } from 'cdktf-immutable/docker';

const stack = new TerraformStack(new App(), 'images');
new DockerProvider(stack, 'docker', {});
const pipeline = new DockerImagePipeline(stack, 'Api', { repository: 'localhost:5000/api', contextPath: 'context', push: true });
const reference: string = DockerImageSource.fromPipeline(pipeline).bind(stack).imageReference;
const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, unknown> };
const hash = hashDockerContext('context').hash;
if (!/^[0-9a-f]{64}$/.test(hash) || !json.resource.docker_registry_image || !reference || typeof ImageSource.fromAmiId !== 'function') {
  throw new Error(`unexpected cdktf-immutable/docker behaviour: ${JSON.stringify({ hash, resources: Object.keys(json.resource) })}`);
}
console.log(`consumer compiled against cdktf-immutable/docker: ${Object.keys(json.resource).sort().join(', ')}`);
TS
"$root/node_modules/.bin/tsc" --strict --esModuleInterop --skipLibCheck --module node16 --target ES2022 --types node docker.ts
node docker.js
"$root/node_modules/.bin/tsc" --strict --esModuleInterop --skipLibCheck --module commonjs --moduleResolution node10 --target ES2022 --types node --noEmit docker.ts
echo "the docker subpath types resolve with node10 module resolution too (typesVersions)"

# The subpaths are "exports" entries, which TypeScript reads with node16/nodenext (or
# bundler) module resolution; "typesVersions" serves the classic node10 resolution.
cat > subpaths.ts <<'TS'
import { emptyRelease, formatReleaseFile, parseReleaseFile, ReleaseFile, ReleaseFileError, stageRelease } from 'cdktf-immutable/release';
import { guardPlan, GuardReport, PlanFileError } from 'cdktf-immutable/review';
import { AMI_ID, defaultAmiParameterName } from 'cdktf-immutable/names';

const staged: ReleaseFile = stageRelease(emptyRelease('dev'), { image: 'ami-0123456789abcdef0', source: '--image', now: new Date(0) });
const parsed = parseReleaseFile(formatReleaseFile(staged), 'releases/dev.json');
const report: GuardReport = guardPlan({ format_version: '1.2', planned_values: { root_module: {} }, resource_changes: [] }, 'plan.json');
let refused = '';
try {
  parseReleaseFile('{}', 'releases/dev.json');
} catch (error) {
  refused = error instanceof ReleaseFileError ? error.message : '';
}
const heavy = Object.keys(require.cache).filter((p) => /[\\/]node_modules[\\/](cdktf|constructs)[\\/]/.test(p));
if (parsed.slots.blue.image !== 'ami-0123456789abcdef0' || report.violations.length !== 0 || !refused.startsWith('releases/dev.json: ')
  || !(new PlanFileError('x') instanceof Error) || heavy.length > 0 || !AMI_ID.test('ami-0123456789abcdef0')
  || defaultAmiParameterName('web') !== '/images/web/ami-id') {
  throw new Error(`unexpected subpath behaviour: ${JSON.stringify({ parsed, report, refused, heavy })}`);
}
console.log('consumer compiled against cdktf-immutable/release, /review and /names (no cdktf loaded)');
TS
"$root/node_modules/.bin/tsc" --strict --esModuleInterop --skipLibCheck --module node16 --target ES2022 --types node subpaths.ts
node subpaths.js
"$root/node_modules/.bin/tsc" --strict --esModuleInterop --skipLibCheck --module commonjs --moduleResolution node10 --target ES2022 --types node --noEmit subpaths.ts
echo "the subpath types resolve with node10 module resolution too (typesVersions)"

# Internal names (stripInternal, or simply not exported) must not compile for a consumer.
echo "import { ENVIRONMENT_PATTERN } from 'cdktf-immutable/release'; console.log(ENVIRONMENT_PATTERN);" > internal.ts
if "$root/node_modules/.bin/tsc" --strict --skipLibCheck --module node16 --target ES2022 --types node --noEmit internal.ts >/dev/null 2>&1; then
  echo "an internal name (ENVIRONMENT_PATTERN) is reachable from cdktf-immutable/release"; exit 1
fi
echo "internal names stay out of the published subpaths"

# Names marked @internal are stripped from the published declarations, and deep imports
# past "exports" are refused.
if grep -rl '@internal' node_modules/cdktf-immutable/dist --include='*.d.ts'; then
  echo "the published declarations above still contain @internal names"; exit 1
fi
echo "import { trafficWeights } from 'cdktf-immutable/dist/lib/deploy/private/traffic'; console.log(trafficWeights);" > deep.ts
if "$root/node_modules/.bin/tsc" --strict --skipLibCheck --module node16 --target ES2022 --types node --noEmit deep.ts >/dev/null 2>&1; then
  echo "a private module (deploy/private/traffic) is reachable by deep import"; exit 1
fi
echo "no @internal declaration is published and private modules are not importable"

# The published declarations type-check on their own, without skipLibCheck: nothing that
# stripInternal removed is still referenced by a public type.
"$root/node_modules/.bin/tsc" --noEmit --strict --module commonjs --target ES2022 --types node $(find node_modules/cdktf-immutable/dist -name '*.d.ts')
echo "the published declarations type-check without skipLibCheck"

# A new user's repository: init from the folder of both tarballs, npm install, synth, type check, test.
if [ "${PACK_SMOKE_SKIP_INIT:-}" = "1" ]; then
  echo "PACK_SMOKE_SKIP_INIT=1: the init check is skipped"; exit 0
fi
cd "$work"
init_started=$(date +%s)
(cd cli-consumer && npx --no-install cdktf-immutable init ../infra --from ../packed >/dev/null)
cd infra
[ "$(node -p "const p = require('./package.json'); [p.dependencies['cdktf-immutable'], p.devDependencies['cdktf-immutable-cli']].join(' ')")" \
  = "file:vendor/$(basename "$tarball") file:vendor/$(basename "$cli_tarball")" ] || { echo "init did not take both tarballs"; cat package.json; exit 1; }
install_started=$(date +%s)
npm install --silent --no-audit --no-fund --prefer-offline >/dev/null 2>"$work/install.txt" || { cat "$work/install.txt"; exit 1; }
install_seconds=$(( $(date +%s) - install_started ))
[ "$(node -p "require('./cdktf.json').app")" = "node --require cdktf-immutable-cli/register main.ts" ] || { echo "cdktf.json does not run the packaged runner"; exit 1; }
synth_started=$(date +%s)
CHECKPOINT_DISABLE=1 npx --no-install cdktf synth >"$work/synth.txt" 2>&1 || { cat "$work/synth.txt"; exit 1; }
synth_seconds=$(( $(date +%s) - synth_started ))
grep -q "Generated Terraform code for the stacks: images" "$work/synth.txt" || { cat "$work/synth.txt"; echo "the scaffold's first synth did not generate the images stack"; exit 1; }
[ -d node_modules/.cache/cdktf-immutable-ts-node ] || { echo "the packaged runner did not cache its transpile output in the project's node_modules/.cache"; exit 1; }
echo "init -> first synth: $(( $(date +%s) - init_started ))s (npm install ${install_seconds}s, cdktf synth ${synth_seconds}s)"
npm run --silent typecheck
echo "the scaffold type-checks against the installed package"
npm test --silent -- --ci=false >"$work/test.txt" 2>&1 || { cat "$work/test.txt"; exit 1; }
# One test for the fixtures, one snapshot per stack (the images stack and one per environment),
# one load check per real release file.
envs=$(ls releases/*.json | wc -l | tr -d ' ')
expected=$(( 1 + (1 + envs) + envs ))
grep -Eq "Tests: *${expected} passed, ${expected} total" "$work/test.txt" \
  || { cat "$work/test.txt"; echo "the scaffold's jest test did not run ${expected} tests (${envs} environments)"; exit 1; }
echo "the scaffold's jest snapshot test passes"

# Two services sharing the images stack (init --services web,api), on the same install.
cd "$work"
(cd cli-consumer && npx --no-install cdktf-immutable init ../services --services web,api --from ../packed >/dev/null)
cd services
ln -s ../infra/node_modules node_modules
CHECKPOINT_DISABLE=1 npx --no-install cdktf synth >"$work/services-synth.txt" 2>&1 || { cat "$work/services-synth.txt"; exit 1; }
grep -q "warning: stack api-dev is skipped: releases/api/dev.json has no image yet" "$work/services-synth.txt" \
  || { cat "$work/services-synth.txt"; echo "the two-service scaffold did not synthesize as expected"; exit 1; }
npx --no-install cdktf-immutable release stage dev --fleet api --image ami-0123456789abcdef0 >/dev/null
CHECKPOINT_DISABLE=1 npx --no-install cdktf synth >"$work/services-synth.txt" 2>&1 || { cat "$work/services-synth.txt"; exit 1; }
[ -f cdktf.out/stacks/api-dev/cdk.tf.json ] || { cat "$work/services-synth.txt"; echo "the staged service's stack api-dev was not synthesized"; exit 1; }
npm run --silent typecheck
npm test --silent -- --ci=false >"$work/services-test.txt" 2>&1 || { cat "$work/services-test.txt"; exit 1; }
grep -q "Tests: *10 passed, 10 total" "$work/services-test.txt" || { cat "$work/services-test.txt"; echo "the two-service scaffold's jest test did not run 10 tests"; exit 1; }
echo "init --services web,api: synth (api-dev once staged), type check and jest test (10 tests) pass"
