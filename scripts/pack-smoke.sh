#!/usr/bin/env bash
# Packs the library as it would be published, installs the tarball into an empty
# project and checks that a consumer sees the public API with types and that
# `npx cdktf-immutable --version` works.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -1)"
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
tar -tzf "$work/$tarball" > "$work/contents.txt"
for required in package/dist/lib/index.js package/dist/lib/index.d.ts package/dist/bin/cdktf-immutable.js package/README.md; do
  grep -qx "$required" "$work/contents.txt" || { echo "missing from the package: $required"; exit 1; }
done
if grep -E '^package/(test|stacks|examples|lib/.*\.ts$|node_modules)' "$work/contents.txt" | grep -v '\.d\.ts$'; then
  echo "the package contains files that must not be published (above)"; exit 1
fi

mkdir -p "$work/consumer" && cd "$work/consumer"
echo '{"name":"consumer","version":"1.0.0","private":true}' > package.json
# Peers come from this repository's node_modules (no second download of the providers).
npm install --silent --no-save --no-audit --no-fund --ignore-scripts --legacy-peer-deps "$work/$tarball" >/dev/null
for peer in cdktf constructs @cdktf/provider-aws @cdktf/provider-docker @types/node; do
  mkdir -p "node_modules/$(dirname "$peer")"
  ln -sfn "$root/node_modules/$peer" "node_modules/$peer"
done

version="$(npx --no-install cdktf-immutable --version)"
expected="$(node -p "require('$root/package.json').version")"
[ "$version" = "$expected" ] || { echo "npx cdktf-immutable --version printed '$version', expected '$expected'"; exit 1; }
echo "npx cdktf-immutable --version: $version"

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
