#!/usr/bin/env bash
# Base images for building Hoist's Dockerfile on a private test engine, where
# no image can be pulled. Imports into the engine at DOCKER_HOST:
#   hoist-test/debian:trixie-slim   stands in for debian:bookworm-slim (RUNTIME_IMAGE)
#   hoist-test/node:20-trixie-slim  stands in for node:20-bookworm-slim (NODE_IMAGE):
#                                   the same root with this machine's node and npm in /usr/local
#
#   DOCKER_HOST=unix:///tmp/hoist-engine.XXXXXX/docker.sock bash scripts/test-image-bases.sh
#
# Prints `--build-arg NODE_IMAGE=... --build-arg RUNTIME_IMAGE=...` as its last line.
# With --root-only it imports nothing (DOCKER_HOST may be unset) and prints the name of the
# root file system the images are (or would be) made from: what makes them differ.
#
# The root file system comes from `debootstrap --variant=minbase trixie` (Debian
# trixie: the mirror apt uses here), trimmed as Debian's slim images are (no
# docs, man pages, locales or apt lists). debootstrap takes 40 s to a few
# minutes, so the root is kept in $HOIST_TEST_CACHE_DIR (default
# /var/cache/hoist-test) and made again once it is a week old.
#
# Facts of this machine, not of the Dockerfile users build, go into the node
# stand-in only: npm reaches its registry through a TLS proxy whose CA only the
# host trusts (NODE_EXTRA_CA_CERTS), and node-gyp cannot download node's
# headers, so they are copied and named (npm_config_nodedir).
#
# Needs root, debootstrap, node and the docker CLI.
set -euo pipefail

CACHE_DIR=${HOIST_TEST_CACHE_DIR:-/var/cache/hoist-test}
MAX_AGE_DAYS=7
RUNTIME_IMAGE=hoist-test/debian:trixie-slim
NODE_IMAGE=hoist-test/node:20-trixie-slim

log() { echo "test-image-bases: $*" >&2; }
die() {
  log "$*"
  exit 1
}

root_only=0
[ "${1:-}" = --root-only ] && root_only=1
if [ "$root_only" = 0 ]; then
  [ -n "${DOCKER_HOST:-}" ] || die "set DOCKER_HOST to the engine the images go to"
  command -v docker >/dev/null || die "the docker CLI is not found"
fi
command -v debootstrap >/dev/null || die "debootstrap not found: apt-get install -y debootstrap"

mirror() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# The newest trimmed root younger than MAX_AGE_DAYS; made (and older ones removed) when there is none.
root_dir() {
  mkdir -p "$CACHE_DIR"
  local found
  found=$(find "$CACHE_DIR" -maxdepth 1 -name 'trixie-minbase-*' -type d -mtime -"$MAX_AGE_DAYS" |
    sort | tail -n 1)
  if [ -n "$found" ] && [ -f "$found/.complete" ]; then
    echo "$found"
    return
  fi
  local root="$CACHE_DIR/trixie-minbase-$(date +%Y%m%d)"
  local work="$root.partial"
  rm -rf "$work"
  log "debootstrap --variant=minbase trixie from $(mirror) (kept in $CACHE_DIR)"
  debootstrap --variant=minbase trixie "$work" "$(mirror)" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $CACHE_DIR/debootstrap.log"
  rm -rf "$work"/usr/share/doc/* "$work"/usr/share/man/* "$work"/usr/share/locale/* \
    "$work"/usr/share/info/* "$work"/var/cache/apt/*.bin "$work"/var/cache/apt/archives/*.deb \
    "$work"/var/lib/apt/lists/* "$work"/dev/* "$work"/proc/* "$work"/sys/*
  touch "$work/.complete"
  find "$CACHE_DIR" -maxdepth 1 -name 'trixie-minbase-*' -type d ! -name "$(basename "$root")" \
    -exec rm -rf {} +
  rm -rf "$root"
  mv "$work" "$root"
  echo "$root"
}

# The image's label names the root it was made from: an engine that has it needs no import.
has_image() {
  [ "$(docker image inspect -f '{{ index .Config.Labels "io.hoist.test.root" }}' "$1" 2>/dev/null)" = "$2" ]
}

root=$(root_dir)
stamp=$(basename "$root")
if [ "$root_only" = 1 ]; then
  echo "$stamp"
  exit 0
fi
changes=(--change "LABEL io.hoist.test.root=$stamp" --change 'CMD ["bash"]')

if ! has_image "$RUNTIME_IMAGE" "$stamp"; then
  log "importing $RUNTIME_IMAGE"
  tar -C "$root" --exclude ./.complete -c . | docker import "${changes[@]}" - "$RUNTIME_IMAGE" >/dev/null
fi

if ! has_image "$NODE_IMAGE" "$stamp"; then
  log "importing $NODE_IMAGE"
  staging=$(mktemp -d)
  trap 'rm -rf "$staging" "$staging.list"' EXIT
  mkdir -p "$staging/usr/local/bin" "$staging/usr/local/lib/node_modules" \
    "$staging/usr/local/include" "$staging/usr/local/etc"
  node_bin=$(command -v node)
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  cp "$node_bin" "$staging/usr/local/bin/node"
  cp -a "$npm_dir" "$staging/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$staging/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$staging/usr/local/bin/npx"
  node_prefix=$(dirname "$(dirname "$(readlink -f "$node_bin")")")
  cp -a "$node_prefix/include/node" "$staging/usr/local/include/node"
  cp /etc/ssl/certs/ca-certificates.crt "$staging/usr/local/etc/host-ca-certificates.crt"
  # One tar stream; an entry the root has already (./usr/local/bin ...) must not come twice.
  (cd "$staging" && find . -mindepth 1 | while IFS= read -r entry; do
    [ -e "$root/$entry" ] || [ -L "$root/$entry" ] || echo "$entry"
  done) >"$staging.list"
  tar -c -C "$root" --exclude ./.complete . -C "$staging" --no-recursion -T "$staging.list" |
    docker import "${changes[@]}" \
      --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/etc/host-ca-certificates.crt' \
      --change 'ENV npm_config_nodedir=/usr/local' \
      - "$NODE_IMAGE" >/dev/null
fi

echo "--build-arg NODE_IMAGE=$NODE_IMAGE --build-arg RUNTIME_IMAGE=$RUNTIME_IMAGE"
