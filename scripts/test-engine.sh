#!/usr/bin/env bash
# A private, throwaway Docker engine and registry for Hoist's integration tests.
#
#   scripts/test-engine.sh start        # prints the path of an env file as its last line
#   . "$(scripts/test-engine.sh start | tail -n 1)"
#   scripts/test-engine.sh stop "$HOIST_TEST_ENGINE_DIR"
#
# `start` runs dockerd with its own data root, exec root and socket in a fresh
# /tmp/hoist-engine.XXXXXX directory (it never touches /var/run/docker.sock or a
# dockerd already running on the machine) and a CNCF distribution registry
# (Debian's docker-registry) on 127.0.0.1 with its storage in the same
# directory. The env file exports HOIST_TEST_DOCKER_HOST, HOIST_TEST_REGISTRY
# and HOIST_TEST_ENGINE_DIR. `stop DIR` stops both and removes DIR.
#
# Needs root (dockerd), dockerd from docker.io, docker-registry and node.
set -euo pipefail

READY_TIMEOUT_SECONDS=${HOIST_TEST_ENGINE_READY_TIMEOUT:-60}
STOP_TIMEOUT_SECONDS=${HOIST_TEST_ENGINE_STOP_TIMEOUT:-40}

log() { echo "test-engine: $*" >&2; }
die() {
  log "$*"
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

# A free TCP port on 127.0.0.1 (the kernel picks it; nothing holds it afterwards).
free_port() {
  node -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });
  '
}

# Exit 0 when GET <path> answers 200. Usage: http_ok unix:/path/sock /_ping | http_ok tcp:host:port /v2/
http_ok() {
  node -e '
    const http = require("node:http");
    const [target, path] = process.argv.slice(1);
    const opts = { path, method: "GET", timeout: 2000 };
    if (target.startsWith("unix:")) opts.socketPath = target.slice(5);
    else { const [h, p] = target.slice(4).split(":"); opts.host = h; opts.port = Number(p); }
    const req = http.request(opts, (res) => { res.resume(); process.exit(res.statusCode === 200 ? 0 : 1); });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => process.exit(1));
    req.end();
  ' "$1" "$2"
}

# Kills the engine's running containers (SIGKILL), so its shutdown need not wait
# out their stop timeouts. Best effort: an engine that does not answer is
# stopped anyway.
kill_containers() {
  node -e '
    const http = require("node:http");
    const socketPath = process.argv[1];
    const call = (method, path) => new Promise((resolve) => {
      const req = http.request({ socketPath, path, method, timeout: 5000 }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(body));
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(null));
      req.end();
    });
    (async () => {
      const list = await call("GET", "/containers/json");
      let containers = [];
      try { containers = JSON.parse(list ?? "[]"); } catch {}
      await Promise.all(containers.map((c) => call("POST", `/containers/${c.Id}/kill`)));
    })();
  ' "$1" 2>/dev/null || true
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

pid_from() { [ -s "$1" ] && tr -dc '0-9' <"$1" || true; }

# Sends TERM, waits up to $2 seconds, then KILL; returns once the process is gone.
stop_pid() {
  local pid=$1 timeout=$2 waited=0
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid" && [ "$waited" -lt $((timeout * 4)) ]; do
    sleep 0.25
    waited=$((waited + 1))
  done
  if alive "$pid"; then
    log "pid $pid did not exit after ${timeout}s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root (dockerd needs it)"
  need dockerd "install the docker.io package"
  need docker-registry "install the docker-registry package"
  need node "Node.js is needed to probe the engine"

  local dir
  dir=$(mktemp -d /tmp/hoist-engine.XXXXXX)
  chmod 755 "$dir"
  mkdir -p "$dir/data" "$dir/exec" "$dir/registry"

  # An empty daemon config: /etc/docker/daemon.json (if any) must not leak into
  # the private engine (a "hosts" entry there would even stop it from starting).
  echo '{}' >"$dir/daemon.json"

  log "starting dockerd in $dir"
  setsid dockerd \
    --config-file "$dir/daemon.json" \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/docker.pid" \
    -H "unix://$dir/docker.sock" \
    --bridge=none --iptables=false --ip6tables=false \
    --storage-driver=vfs \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  local dockerd_pid=$!
  # dockerd writes docker.pid itself once running; this one covers an early failure.
  echo "$dockerd_pid" >"$dir/dockerd-launch.pid"

  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))

  # The registry: a free port can be taken by someone else before the registry
  # binds it, so a registry that dies at once is retried on another port.
  local port registry_pid attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    cat >"$dir/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: hoist-test-$port
EOF
    log "starting docker-registry on 127.0.0.1:$port"
    setsid docker-registry serve "$dir/registry.yml" </dev/null >"$dir/registry.log" 2>&1 &
    registry_pid=$!
    echo "$registry_pid" >"$dir/registry.pid"
    until http_ok "tcp:127.0.0.1:$port" /v2/; do
      if ! alive "$registry_pid" || [ "$SECONDS" -ge "$deadline" ]; then break; fi
      sleep 0.1
    done
    if alive "$registry_pid" && http_ok "tcp:127.0.0.1:$port" /v2/; then break; fi
    log "docker-registry did not start on 127.0.0.1:$port (attempt $attempt); the end of $dir/registry.log:"
    tail -n 10 "$dir/registry.log" >&2 || true
    stop_pid "$registry_pid" 5
    if [ "$attempt" = 5 ] || [ "$SECONDS" -ge "$deadline" ]; then
      cmd_stop "$dir" || true
      exit 1
    fi
  done

  until http_ok "unix:$dir/docker.sock" /_ping; do
    if ! alive "$dockerd_pid"; then
      log "dockerd exited before it was ready; the end of $dir/dockerd.log:"
      tail -n 30 "$dir/dockerd.log" >&2 || true
      cmd_stop "$dir" || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd did not answer /_ping on $dir/docker.sock within ${READY_TIMEOUT_SECONDS}s; the end of $dir/dockerd.log:"
      tail -n 30 "$dir/dockerd.log" >&2 || true
      cmd_stop "$dir" || true
      exit 1
    fi
    sleep 0.25
  done

  cat >"$dir/env" <<EOF
export HOIST_TEST_DOCKER_HOST=unix://$dir/docker.sock
export HOIST_TEST_REGISTRY=127.0.0.1:$port
export HOIST_TEST_ENGINE_DIR=$dir
EOF
  log "ready: engine unix://$dir/docker.sock, registry 127.0.0.1:$port"
  echo "$dir/env"
}

cmd_stop() {
  local dir=${1:-${HOIST_TEST_ENGINE_DIR:-}}
  [ -n "$dir" ] || die "usage: $0 stop DIR (the directory that start created)"
  dir=${dir%/}
  case "$dir" in
    /tmp/hoist-engine.??????) ;;
    *) die "refusing to stop/remove '$dir': not a /tmp/hoist-engine.XXXXXX directory" ;;
  esac
  [ -d "$dir" ] || {
    log "$dir does not exist: nothing to stop"
    return 0
  }

  local registry_pid dockerd_pid containerd_pid
  registry_pid=$(pid_from "$dir/registry.pid")
  dockerd_pid=$(pid_from "$dir/docker.pid")
  [ -n "$dockerd_pid" ] || dockerd_pid=$(pid_from "$dir/dockerd-launch.pid")
  containerd_pid=$(pid_from "$dir/exec/containerd/containerd.pid")

  if alive "$dockerd_pid" && [ -S "$dir/docker.sock" ]; then
    kill_containers "$dir/docker.sock"
  fi
  # Both at once (each takes a second or more); dockerd stops its containers and
  # its own containerd on TERM.
  stop_pid "$registry_pid" 10 &
  local registry_stopper=$!
  stop_pid "$dockerd_pid" "$STOP_TIMEOUT_SECONDS"
  wait "$registry_stopper" || true
  stop_pid "$containerd_pid" 10

  # Anything left that was started from this directory (containerd shims after
  # a killed daemon): match on the unique directory path, nothing broader.
  local p pid cmdline
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = "$$" ] && continue
    cmdline=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    case "$cmdline" in
      *"$dir/exec/"* | *"$dir/data/"*) kill -KILL "$pid" 2>/dev/null || true ;;
    esac
  done

  # Mounts dockerd left behind (network namespaces, shm), deepest first.
  local mounts
  mounts=$(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  if [ -n "$mounts" ]; then
    while IFS= read -r m; do
      umount -l "$m" 2>/dev/null || true
    done <<<"$mounts"
  fi

  rm -rf "$dir" || {
    chattr -R -i "$dir" 2>/dev/null || true
    rm -rf "$dir"
  }
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
