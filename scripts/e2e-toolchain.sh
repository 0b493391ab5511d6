#!/usr/bin/env bash
# e2e-toolchain.sh — build and cache the end-to-end test toolchain.
#
# Builds, from pinned Go modules (fetched through the Go module proxy) and a
# pinned PyPI package:
#   * OpenTofu (bin/tofu)
#   * the hashicorp/aws and kreuzwerker/docker providers, laid out as a
#     filesystem mirror for both registry.opentofu.org and registry.terraform.io;
#     the aws provider with only the service packages listed in
#     scripts/e2e-provider-services.txt (and what they need), see prune_aws below
#   * a CLI config file (tofurc) that installs providers from that mirror only,
#     so `tofu init` needs no network
#   * moto server in a Python venv (the fake AWS endpoint for e2e tests)
#
# Everything lives OUTSIDE the repository, in
#   ${CDKTF_IMMUTABLE_CACHE:-$HOME/.cache/cdktf-immutable}/toolchain-<key>/
# where <key> names every pinned version, so a version bump builds a new
# toolchain next to the old one. The file READY is written last: a toolchain
# without it is (re)built, component by component, each component being
# published atomically (build in a scratch dir, then rename) and stamped.
#
# Usage:
#   eval "$(scripts/e2e-toolchain.sh)"      # build if needed, export the env
#   scripts/e2e-toolchain.sh >/dev/null && . "$(scripts/e2e-toolchain.sh --print-dir)/env.sh"
#   scripts/e2e-toolchain.sh --print-dir    # print the toolchain dir, build nothing
#
# Only `export` lines go to stdout; progress goes to stderr. Works with CI=true
# and no stdin. Needs: go (>= the modules' go directives; GOTOOLCHAIN is not
# relied on), python3, and apt-get only if python3 lacks venv support.
set -euo pipefail
shopt -s inherit_errexit   # failures inside $(...) abort the script too

# ---------------------------------------------------------------------------
# Pinned versions. Bump RECIPE_REV when the build recipe itself changes.
# ---------------------------------------------------------------------------
RECIPE_REV=2

# OpenTofu: a tagged release (its go.mod has replace directives, so it can't be
# `go install`ed; it is downloaded as a module and built in place).
TOFU_MODULE=github.com/opentofu/opentofu
TOFU_VERSION=1.11.7
TOFU_MODVER=v1.11.7
TOFU_SUM='h1:Gk/g9KLcmWJmyfGsXMiThmNnM/5o62mFUx0aUv9THoI='

# hashicorp/aws. The module path has no /v6, so release tags are unusable as
# module versions; only a pseudo-version works, and the Go module proxy
# reachable here serves a single post-6.25.0 commit of this repository
# (main at 2026-06-02, VERSION file 6.47.1, changelog "6.48.0 (Unreleased)").
# It is backward compatible within the 6.x line and is built to report, and
# is mirrored as, AWS_PROVIDER_VERSION, the version cdktf pins.
AWS_MODULE=github.com/hashicorp/terraform-provider-aws
AWS_PROVIDER_VERSION=6.25.0
AWS_MODVER=v1.60.1-0.20260602190131-5f2286d6d836
AWS_SUM='h1:haLmsj0WF7e6d2TGbk0fbz5qWdA9f8w9sNpMe6J6WqM='

# kreuzwerker/docker. DOCKER_PROVIDER_VERSION is what @cdktf/provider-docker
# 12.0.3 (latest 12.x) was generated for. Same proxy situation: the only
# commit served is main at 2026-09-16 (after v4.6.0); its schema is a superset
# of 3.6.2's except docker_network.check_duplicate (removed in 4.0.0).
DOCKER_MODULE=github.com/kreuzwerker/terraform-provider-docker
DOCKER_PROVIDER_VERSION=3.6.2
DOCKER_MODVER=v0.0.0-20260916201441-96d331c98ff4
DOCKER_SUM='h1:T3HvvZCRd4h2qkMl+SXA2zza26Rdz8xqV81skikQWy4='

# moto server (newest 5.x on PyPI when pinned).
MOTO_VERSION=5.2.5

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The aws provider's service packages (one name a line, # comments). Building all
# ~265 takes 27-53 min on 2 cores at 9 GB peak; this subset a few minutes.
# E2E_PROVIDER_SERVICES_FILE overrides the list (for tests of this script).
AWS_SERVICES_FILE=${E2E_PROVIDER_SERVICES_FILE:-$SCRIPTS_DIR/e2e-provider-services.txt}
[[ -f "$AWS_SERVICES_FILE" ]] || { echo "[e2e-toolchain] ERROR: $AWS_SERVICES_FILE not found" >&2; exit 1; }
# The set, normalized (comments and order do not matter), names the toolchain.
AWS_SERVICES=$(sed 's/#.*//' "$AWS_SERVICES_FILE" | tr -s ' \t' '\n' | sed '/^$/d' | LC_ALL=C sort -u)
[[ -n "$AWS_SERVICES" ]] || { echo "[e2e-toolchain] ERROR: $AWS_SERVICES_FILE lists no service package" >&2; exit 1; }
AWS_SERVICES_HASH=$(printf '%s\n' "$AWS_SERVICES" | sha256sum | cut -c1-10)

short() { local v=$1; echo "${v##*-}"; }   # pseudo-version -> commit prefix
KEY="tofu${TOFU_VERSION}-aws${AWS_PROVIDER_VERSION}.$(short "$AWS_MODVER").svc${AWS_SERVICES_HASH}-docker${DOCKER_PROVIDER_VERSION}.$(short "$DOCKER_MODVER")-moto${MOTO_VERSION}-r${RECIPE_REV}"

CACHE_ROOT=${CDKTF_IMMUTABLE_CACHE:-$HOME/.cache/cdktf-immutable}
TC="$CACHE_ROOT/toolchain-$KEY"
PLATFORM=linux_amd64   # the only platform this toolchain is built for

log() { printf '[e2e-toolchain] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Prints the environment for the toolchain (also written to env.sh).
emit_env() {
  cat <<EOF
export E2E_TOOLCHAIN_DIR='$TC'
export TOFU_BIN='$TC/bin/tofu'
export PATH='$TC/bin':"\$PATH"
export TF_CLI_CONFIG_FILE='$TC/tofurc'
export MOTO_BIN='$TC/moto-venv/bin/moto_server'
export E2E_AWS_PROVIDER_VERSION='$AWS_PROVIDER_VERSION'
export E2E_DOCKER_PROVIDER_VERSION='$DOCKER_PROVIDER_VERSION'
export CHECKPOINT_DISABLE=1
EOF
}

case "${1:-}" in
  --print-dir) echo "$TC"; exit 0 ;;
  --print-key) echo "$KEY"; exit 0 ;;
  "") ;;
  *) die "unknown argument: $1 (use --print-dir, --print-key or nothing)" ;;
esac

# Fast path: a complete toolchain returns at once.
if [[ -f "$TC/READY" ]]; then
  emit_env
  exit 0
fi

# ---------------------------------------------------------------------------
# Slow path: build. One builder at a time per toolchain (flock), and recheck
# READY once the lock is held, since another process may just have finished.
# ---------------------------------------------------------------------------
mkdir -p "$TC"
exec 9>"$TC/.lock"
if ! flock -n 9; then
  log "another build of $TC is running; waiting for it"
  flock 9
fi
if [[ -f "$TC/READY" ]]; then
  emit_env
  exit 0
fi

log "building toolchain in $TC"
mkdir -p "$TC/.stamps" "$TC/logs" "$TC/.work"
WORK=$(mktemp -d "$TC/.work/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Wrap a build command with /usr/bin/time -v when available, so wall time and
# peak RSS of each step land in logs/<name>.time (informational only).
timed() {
  local name=$1; shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v -o "$TC/logs/$name.time" "$@"
  else
    "$@"
  fi
}

# --- prerequisites -----------------------------------------------------------
command -v go >/dev/null || die "go is not installed (a Go toolchain is required to build tofu and the providers)"
command -v python3 >/dev/null || die "python3 is not installed"

export GOFLAGS=-buildvcs=false   # module zips have no VCS metadata
export GOTOOLCHAIN=local         # never try to download another Go toolchain
export GOWORK=off
export CGO_ENABLED=0             # static binaries, as upstream releases are
export GOMAXPROCS=${GOMAXPROCS:-$(nproc)}
# The aws provider fills ~11 GB of Go build cache. Keep it private to this
# build (it survives an interrupted run, so a rerun resumes quickly) and drop
# it once the toolchain is READY. Set E2E_TOOLCHAIN_GOCACHE to keep one.
export GOCACHE=${E2E_TOOLCHAIN_GOCACHE:-$TC/.work/gocache}

# Downloads MODULE@VERSION through the Go module proxy, checks its hash against
# the pinned one and prints its (read-only) directory in the module cache.
# The pinned h1: hash replaces the checksum-database lookup for the top-level
# module (GONOSUMDB), which the proxy here does not always answer; the
# module's dependencies are still verified against its own go.sum.
go_module_dir() {
  local mod=$1 ver=$2 sum=$3 json dir got
  # Run outside any Go module so no go.mod/go.sum is touched.
  json=$(cd "$WORK" && GONOSUMDB="$mod" go mod download -json "$mod@$ver") \
    || die "go mod download $mod@$ver failed: $json"
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  got=$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  [[ -n "$dir" && -d "$dir" ]] || die "no module dir for $mod@$ver: $json"
  [[ "$got" == "$sum" ]] || die "hash mismatch for $mod@$ver: got $got, pinned $sum"
  echo "$dir"
}

# Copies a module to a writable scratch dir and prints its path.
writable_copy() {
  local src=$1 name=$2 dst="$WORK/$2-src"
  rm -rf "$dst"
  cp -R "$src" "$dst"
  chmod -R u+w "$dst"
  echo "$dst"
}

# Installs FILE (already complete) at DEST atomically.
publish() {
  local file=$1 dest=$2
  mkdir -p "$(dirname "$dest")"
  chmod 0755 "$file"
  mv -f "$file" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
}

done_stamp() { [[ -f "$TC/.stamps/$1" ]]; }
stamp() { date -u +%FT%TZ >"$TC/.stamps/$1"; }

# --- 1. OpenTofu ---------------------------------------------------------------
build_tofu() {
  done_stamp tofu && [[ -x "$TC/bin/tofu" ]] && return 0
  log "OpenTofu $TOFU_VERSION: downloading $TOFU_MODULE@$TOFU_MODVER"
  local moddir src
  moddir=$(go_module_dir "$TOFU_MODULE" "$TOFU_MODVER" "$TOFU_SUM")
  src=$(writable_copy "$moddir" tofu)
  log "OpenTofu $TOFU_VERSION: building"
  # version.dev=no turns off the -dev prerelease marker, as release builds do.
  (cd "$src" && timed tofu go build -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$WORK/tofu" ./cmd/tofu) >"$TC/logs/tofu.log" 2>&1 \
    || { tail -n 50 "$TC/logs/tofu.log" >&2; die "tofu build failed (log: $TC/logs/tofu.log)"; }
  # (env -u: a TF_CLI_CONFIG_FILE pointing at a missing file only adds a warning)
  # The output is read whole before it is matched: with `tofu version | grep -q` grep may
  # exit after the first line, tofu then dies of SIGPIPE writing the second, and pipefail
  # fails the check (it did once in a cold CI run).
  local reported
  reported=$(env -u TF_CLI_CONFIG_FILE "$WORK/tofu" version 2>/dev/null) || true
  grep -q "^OpenTofu v$TOFU_VERSION\$" <<<"$reported" \
    || die "built tofu does not report v$TOFU_VERSION (it printed: ${reported:-nothing})"
  publish "$WORK/tofu" "$TC/bin/tofu"
  rm -rf "$src"
  stamp tofu
}

# --- 2./3. providers ---------------------------------------------------------------
# build_provider NAME NAMESPACE TYPE VERSION MODULE MODVER SUM LDFLAGS [PREPARE]
# PREPARE, if given, is a function called with the module dir and the writable
# source copy before `go build`.
# Builds terraform-provider-TYPE_vVERSION and hard-links it into the mirror for
# both registry hosts (cdktf writes bare `aws`, which OpenTofu resolves to
# registry.opentofu.org; other tools default to registry.terraform.io).
build_provider() {
  local name=$1 ns=$2 type=$3 version=$4 mod=$5 modver=$6 sum=$7 ldflags=$8 prepare=${9:-}
  local bin="terraform-provider-${type}_v${version}"
  local primary="$TC/mirror/registry.opentofu.org/$ns/$type/$version/$PLATFORM/$bin"
  local secondary="$TC/mirror/registry.terraform.io/$ns/$type/$version/$PLATFORM/$bin"
  done_stamp "$name" && [[ -x "$primary" && -x "$secondary" ]] && return 0

  if [[ ! -x "$primary" ]] || ! done_stamp "$name-bin"; then
    log "$ns/$type $version: downloading $mod@$modver"
    local moddir src
    moddir=$(go_module_dir "$mod" "$modver" "$sum")
    src=$(writable_copy "$moddir" "$name")
    [[ -z "$prepare" ]] || "$prepare" "$moddir" "$src"
    log "$ns/$type $version: building"
    (cd "$src" && timed "$name" go build -trimpath -ldflags "-s -w $ldflags" -o "$WORK/$bin" .) \
      >"$TC/logs/$name.log" 2>&1 \
      || { tail -n 50 "$TC/logs/$name.log" >&2; die "$name build failed (log: $TC/logs/$name.log)"; }
    rm -rf "$src"
    publish "$WORK/$bin" "$primary"
    stamp "$name-bin"
  fi
  mkdir -p "$(dirname "$secondary")"
  ln -f "$primary" "$secondary.tmp.$$" 2>/dev/null || cp -f "$primary" "$secondary.tmp.$$"
  mv -f "$secondary.tmp.$$" "$secondary"
  stamp "$name"
}

# The aws provider registers every service package in two generated files
# (internal/provider/sdkv2/service_packages_gen.go, internal/conns/awsclient_gen.go);
# scripts/e2e-provider-prune.go rewrites them to the listed packages plus the ones
# these import or ask API clients of, so nothing else is compiled. It also writes
#   aws-provider-types.tsv     every type of the full provider: type, kind, package
#   aws-provider-services.txt  the packages the built provider contains
# which scripts/e2e-provider-services.js reads to check the stacks against the set.
prune_aws() {
  local moddir=$1 src=$2 prune="$SCRIPTS_DIR/e2e-provider-prune.go"
  log "hashicorp/aws: keeping the service packages of $AWS_SERVICES_FILE"
  (cd "$WORK" && go run "$prune" types "$moddir") >"$WORK/aws-provider-types.tsv" \
    || die "listing the aws provider's types failed"
  (cd "$WORK" && go run "$prune" prune "$src" "$AWS_SERVICES_FILE") \
      >"$WORK/aws-provider-services.txt" 2>"$TC/logs/aws-prune.log" \
    || { cat "$TC/logs/aws-prune.log" >&2; die "pruning the aws provider's service packages failed"; }
  log "hashicorp/aws: $(wc -l <"$WORK/aws-provider-services.txt") service packages: $(tr '\n' ' ' <"$WORK/aws-provider-services.txt")"
  mv -f "$WORK/aws-provider-types.tsv" "$TC/aws-provider-types.tsv"
  mv -f "$WORK/aws-provider-services.txt" "$TC/aws-provider-services.txt"
}

# --- 4. CLI config ---------------------------------------------------------------
write_tofurc() {
  # Only the filesystem mirror is configured, so no provider is ever looked up
  # on the network. "*/*/*" matches every hostname, namespace and type.
  cat >"$WORK/tofurc" <<EOF
# Generated by scripts/e2e-toolchain.sh: providers come only from the local mirror.
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$TC/mirror"
    include = ["*/*/*"]
  }
}
EOF
  mv -f "$WORK/tofurc" "$TC/tofurc"
}

# --- 5. moto server ---------------------------------------------------------------
ensure_python_venv() {
  # A throwaway venv proves both the venv module and ensurepip work.
  if python3 -m venv "$WORK/venv-probe" >/dev/null 2>&1; then
    rm -rf "$WORK/venv-probe"
    return 0
  fi
  rm -rf "$WORK/venv-probe"
  command -v apt-get >/dev/null || die "python3 cannot create venvs and apt-get is unavailable"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo -n"
  local pyver; pyver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  log "installing python venv support with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Try without refreshing the package lists first; update only if needed.
  if ! $sudo apt-get install -y -q "python${pyver}-venv" </dev/null >&2 \
     && ! $sudo apt-get install -y -q python3-venv </dev/null >&2; then
    $sudo apt-get update -q </dev/null >&2
    $sudo apt-get install -y -q "python${pyver}-venv" </dev/null >&2 \
      || $sudo apt-get install -y -q python3-venv </dev/null >&2
  fi
  python3 -m venv "$WORK/venv-probe" >/dev/null || die "python3 still cannot create a venv"
  rm -rf "$WORK/venv-probe"
}

build_moto() {
  local venv="$TC/moto-venv"
  done_stamp moto && [[ -x "$venv/bin/moto_server" ]] && return 0
  ensure_python_venv
  # A venv's scripts embed its absolute path, so it is built in place; the
  # stamp (written only after the import check) is what marks it complete.
  rm -rf "$venv"
  log "moto $MOTO_VERSION: creating venv"
  python3 -m venv "$venv"
  timed moto "$venv/bin/python" -m pip install --no-input --disable-pip-version-check -q \
      "moto[server]==$MOTO_VERSION" </dev/null >"$TC/logs/moto.log" 2>&1 \
    || { tail -n 50 "$TC/logs/moto.log" >&2; die "pip install moto failed (log: $TC/logs/moto.log)"; }
  local got; got=$("$venv/bin/python" -c 'import moto, flask; print(moto.__version__)')
  [[ "$got" == "$MOTO_VERSION" ]] || die "moto reports $got, expected $MOTO_VERSION"
  [[ -x "$venv/bin/moto_server" ]] || die "moto_server missing from $venv/bin"
  stamp moto
}

# --- 6. final check: an offline `tofu init` against the mirror, and the aws
# provider's schema holds exactly the types of its service packages ---------------
verify_init() {
  local dir="$WORK/verify"
  mkdir -p "$dir"
  cat >"$dir/main.tf.json" <<EOF
{
  "terraform": {
    "required_providers": {
      "aws": { "source": "aws", "version": "$AWS_PROVIDER_VERSION" },
      "docker": { "source": "kreuzwerker/docker", "version": "$DOCKER_PROVIDER_VERSION" }
    }
  }
}
EOF
  (cd "$dir" && TF_CLI_CONFIG_FILE="$TC/tofurc" CHECKPOINT_DISABLE=1 \
      "$TC/bin/tofu" init -input=false -no-color </dev/null >"$TC/logs/verify-init.log" 2>&1) \
    || { cat "$TC/logs/verify-init.log" >&2; die "offline tofu init against the mirror failed"; }
  (cd "$dir" && TF_CLI_CONFIG_FILE="$TC/tofurc" CHECKPOINT_DISABLE=1 \
      "$TC/bin/tofu" providers schema -json </dev/null >"$dir/schema.json" 2>>"$TC/logs/verify-init.log") \
    || { cat "$TC/logs/verify-init.log" >&2; die "tofu providers schema failed"; }
  python3 - "$dir/schema.json" "$TC/aws-provider-types.tsv" "$TC/aws-provider-services.txt" >&2 <<'PY' \
    || die "the aws provider's schema does not match its service packages (see above)"
import json, sys
schema = json.load(open(sys.argv[1]))["provider_schemas"]
aws = next(v for k, v in schema.items() if k.endswith("/hashicorp/aws"))
have = {"resource": set(aws.get("resource_schemas", {})), "data": set(aws.get("data_source_schemas", {}))}
services = set(open(sys.argv[3]).read().split())
missing, extra = [], []
for line in open(sys.argv[2]):
    name, kind, service = line.rstrip("\n").split("\t")
    if kind in have:
        if service in services and name not in have[kind]:
            missing.append(f"{kind} {name} ({service})")
        if service not in services and name in have[kind]:
            extra.append(f"{kind} {name} ({service})")
for label, items in (("missing", missing), ("not pruned", extra)):
    if items:
        print(f"[e2e-toolchain] aws provider types {label}: {', '.join(items[:20])}")
print(f"[e2e-toolchain] aws provider: {len(have['resource'])} resource and {len(have['data'])} data source types from {len(services)} service packages")
sys.exit(1 if missing or extra else 0)
PY
  rm -rf "$dir"
}

build_tofu
build_provider aws hashicorp aws "$AWS_PROVIDER_VERSION" "$AWS_MODULE" "$AWS_MODVER" "$AWS_SUM" \
  "-X github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=$AWS_PROVIDER_VERSION" prune_aws
build_provider docker kreuzwerker docker "$DOCKER_PROVIDER_VERSION" "$DOCKER_MODULE" "$DOCKER_MODVER" "$DOCKER_SUM" \
  "-X main.version=$DOCKER_PROVIDER_VERSION -X main.commit=$(short "$DOCKER_MODVER")"
write_tofurc
build_moto
verify_init

emit_env >"$WORK/env.sh"
mv -f "$WORK/env.sh" "$TC/env.sh"
rm -rf "$TC/.work"                # scratch dirs and the private build cache
date -u +%FT%TZ >"$TC/READY"   # last: marks the toolchain complete
log "toolchain ready: $TC"
emit_env
