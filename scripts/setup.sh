#!/usr/bin/env bash
# Installs what Hoist and its tests need on a Debian machine, then builds it (API and web UI).
#   bash scripts/setup.sh            packages, npm ci, build
#   bash scripts/setup.sh --engine   the same but prometheus and docker-compose (only the tests
#                                    use them), and starts the local Docker engine if none answers
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-registry >/dev/null || need+=(docker-registry)
[ -x /bin/busybox ] || need+=(busybox-static)
# The image test makes its base images with debootstrap (no image can be pulled here).
command -v debootstrap >/dev/null || need+=(debootstrap)
# The web UI's end-to-end tests drive Debian's Chromium (playwright-core cannot download one here).
[ -x /usr/bin/chromium ] || need+=(chromium)
# The HTTPS tests make certificates with openssl; the metrics test scrapes Hoist with a real
# Prometheus. Only for the tests, so not with --engine (which runs Hoist, not the tests): on a
# systemd host Debian's package also starts its own service.
command -v openssl >/dev/null || need+=(openssl)
[ "${1:-}" = "--engine" ] || command -v prometheus >/dev/null || need+=(prometheus)
# The image test runs deploy/compose.yaml with Compose v1 (Debian has no compose plugin).
[ "${1:-}" = "--engine" ] || command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (better-sqlite3 builds from source: about 2 minutes)"
  npm ci --no-audit --no-fund
fi
npm run --silent build

if [ "${1:-}" = "--engine" ]; then
  sock=/var/run/docker.sock
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "setup: DOCKER_HOST is set ($DOCKER_HOST); not starting a local engine"
  elif curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
    echo "setup: the local Docker engine is running"
  else
    echo "setup: starting the local Docker engine (log: /var/log/hoist-dockerd.log)"
    nohup dockerd >/var/log/hoist-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
      curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && break
      sleep 1
    done
    curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null ||
      { echo "setup: dockerd did not start; see /var/log/hoist-dockerd.log" >&2; exit 1; }
  fi
fi
