#!/usr/bin/env bash
# Private, throwaway Docker engines and a registry for Hoist's integration tests.
#
#   scripts/test-engine.sh start        # prints the path of an env file as its last line
#   . "$(scripts/test-engine.sh start | tail -n 1)"
#   scripts/test-engine.sh stop "$HOIST_TEST_ENGINE_DIR"
#
# `start` makes a fresh /tmp/hoist-engine.XXXXXX directory and runs, in it:
#   - a standalone dockerd (data root, exec root and socket of its own: it never
#     touches /var/run/docker.sock or a dockerd already running on the machine);
#   - a second dockerd in DIR/swarm, turned into a one-node Swarm (manager on
#     127.0.0.1:2378, data path port 4790);
#   - a CNCF distribution registry (Debian's docker-registry) on 127.0.0.1,
#     which both engines pull from, with its storage in DIR/registry.
# The env file exports HOIST_TEST_DOCKER_HOST, HOIST_TEST_SWARM_DOCKER_HOST,
# HOIST_TEST_REGISTRY and HOIST_TEST_ENGINE_DIR. `stop DIR` stops them all and
# removes DIR.
#
# Swarm gossip always listens on port 7946, so only one Swarm manager can run
# per machine: `start` fails, saying so, when that port is taken.
# HOIST_TEST_ENGINE_SWARM=0 starts no Swarm engine (HOIST_TEST_SWARM_DOCKER_HOST
# is then not set, and the Swarm tests fail saying it is missing).
#
# Needs root (dockerd), dockerd from docker.io, docker-registry and node.
set -euo pipefail

READY_TIMEOUT_SECONDS=${HOIST_TEST_ENGINE_READY_TIMEOUT:-60}
STOP_TIMEOUT_SECONDS=${HOIST_TEST_ENGINE_STOP_TIMEOUT:-40}
SWARM_GOSSIP_PORT=7946
SWARM_MANAGER_PORT=2378
SWARM_DATA_PATH_PORT=4790

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

# Exit 0 when something listens on TCP port $1 (any address).
tcp_port_taken() {
  node -e '
    const s = require("node:net").createServer();
    s.once("error", () => process.exit(0));
    s.listen(Number(process.argv[1]), () => s.close(() => process.exit(1)));
  ' "$1"
}

# POST a JSON body to the engine at socket $1, path $2; prints the answer, exits 1 unless 2xx.
engine_post() {
  node -e '
    const http = require("node:http");
    const [socketPath, path, body] = process.argv.slice(1);
    const req = http.request(
      { socketPath, path, method: "POST", timeout: 30000,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => { process.stdout.write(text); process.exit(res.statusCode < 300 ? 0 : 1); });
      });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => { process.stdout.write(String(e.message)); process.exit(1); });
    req.end(body);
  ' "$1" "$2" "${3:-}"
}

# Starts a dockerd whose data root, exec root, socket and log are under $1; prints its pid.
launch_dockerd() {
  local root=$1
  mkdir -p "$root/data" "$root/exec"
  # An empty daemon config: /etc/docker/daemon.json (if any) must not leak into
  # the private engine (a "hosts" entry there would even stop it from starting).
  echo '{}' >"$root/daemon.json"
  setsid dockerd \
    --config-file "$root/daemon.json" \
    --data-root "$root/data" \
    --exec-root "$root/exec" \
    --pidfile "$root/docker.pid" \
    -H "unix://$root/docker.sock" \
    --bridge=none --iptables=false --ip6tables=false \
    --storage-driver=vfs \
    </dev/null >"$root/dockerd.log" 2>&1 &
  # dockerd writes docker.pid itself once running; this one covers an early failure.
  echo $! >"$root/dockerd-launch.pid"
  echo $!
}

# Waits until the dockerd under $1 (pid $2) answers /_ping; returns 1 (after logging why) if it does not.
await_dockerd() {
  local root=$1 pid=$2 deadline=$3
  until http_ok "unix:$root/docker.sock" /_ping; do
    if ! alive "$pid"; then
      log "dockerd exited before it was ready; the end of $root/dockerd.log:"
      tail -n 30 "$root/dockerd.log" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd did not answer /_ping on $root/docker.sock within ${READY_TIMEOUT_SECONDS}s; the end of $root/dockerd.log:"
      tail -n 30 "$root/dockerd.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root (dockerd needs it)"
  need dockerd "install the docker.io package"
  need docker-registry "install the docker-registry package"
  need node "Node.js is needed to probe the engine"

  local with_swarm=1
  [ "${HOIST_TEST_ENGINE_SWARM:-1}" = 0 ] && with_swarm=0
  if [ "$with_swarm" = 1 ]; then
    local p
    for p in "$SWARM_GOSSIP_PORT" "$SWARM_MANAGER_PORT"; do
      if tcp_port_taken "$p"; then
        die "port $p is taken, so no Swarm test engine can start: swarm gossip (7946) and the test manager (${SWARM_MANAGER_PORT}) need fixed ports, and only one Swarm manager can run per machine. Another scripts/test-engine.sh run (its engine is in /tmp/hoist-engine.*/swarm) or another dockerd in swarm mode holds it: see \`ss -ltnp | grep -E ':(7946|${SWARM_MANAGER_PORT}) '\`. Wait for it or stop it if it is yours, or set HOIST_TEST_ENGINE_SWARM=0 to start only the standalone engine."
      fi
    done
  fi

  local dir
  dir=$(mktemp -d /tmp/hoist-engine.XXXXXX)
  chmod 755 "$dir"
  mkdir -p "$dir/registry"

  # Both engines start at once (each takes a few seconds), the registry meanwhile.
  log "starting dockerd in $dir"
  local dockerd_pid swarm_pid=''
  dockerd_pid=$(launch_dockerd "$dir")
  if [ "$with_swarm" = 1 ]; then
    log "starting the Swarm dockerd in $dir/swarm"
    swarm_pid=$(launch_dockerd "$dir/swarm")
  fi

  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))

  # The registry: a free port can be taken by someone else before the registry
  # binds it, so a registry that dies at once is retried on another port.
  local port registry_pid attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    cat >"$dir/registry.yml" <<YML
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
YML
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

  await_dockerd "$dir" "$dockerd_pid" "$deadline" || {
    cmd_stop "$dir" || true
    exit 1
  }

  if [ "$with_swarm" = 1 ]; then
    await_dockerd "$dir/swarm" "$swarm_pid" "$deadline" || {
      cmd_stop "$dir" || true
      exit 1
    }
    log "turning $dir/swarm into a one-node swarm (manager 127.0.0.1:$SWARM_MANAGER_PORT)"
    local answer
    if ! answer=$(engine_post "$dir/swarm/docker.sock" /swarm/init \
      "{\"ListenAddr\":\"127.0.0.1:$SWARM_MANAGER_PORT\",\"AdvertiseAddr\":\"127.0.0.1:$SWARM_MANAGER_PORT\",\"DataPathPort\":$SWARM_DATA_PATH_PORT}"); then
      log "swarm init failed: $answer"
      log "(port 7946 or $SWARM_MANAGER_PORT may have been taken meanwhile by another Swarm manager); the end of $dir/swarm/dockerd.log:"
      tail -n 20 "$dir/swarm/dockerd.log" >&2 || true
      cmd_stop "$dir" || true
      exit 1
    fi
  fi

  {
    echo "export HOIST_TEST_DOCKER_HOST=unix://$dir/docker.sock"
    [ "$with_swarm" = 1 ] && echo "export HOIST_TEST_SWARM_DOCKER_HOST=unix://$dir/swarm/docker.sock"
    echo "export HOIST_TEST_REGISTRY=127.0.0.1:$port"
    echo "export HOIST_TEST_ENGINE_DIR=$dir"
  } >"$dir/env"
  if [ "$with_swarm" = 1 ]; then
    log "ready: engine unix://$dir/docker.sock, swarm engine unix://$dir/swarm/docker.sock, registry 127.0.0.1:$port"
  else
    log "ready: engine unix://$dir/docker.sock, registry 127.0.0.1:$port (no swarm engine)"
  fi
  echo "$dir/env"
}

# Stops the dockerd under $1 (its containers killed first) and its containerd.
stop_dockerd() {
  local root=$1 swarm=${2:-0} dockerd_pid containerd_pid
  dockerd_pid=$(pid_from "$root/docker.pid")
  [ -n "$dockerd_pid" ] || dockerd_pid=$(pid_from "$root/dockerd-launch.pid")
  containerd_pid=$(pid_from "$root/exec/containerd/containerd.pid")
  if alive "$dockerd_pid" && [ -S "$root/docker.sock" ]; then
    # Leaving the swarm first stops its tasks for good: killed task containers
    # would otherwise be rescheduled while the daemon shuts down.
    [ "$swarm" = 1 ] && { engine_post "$root/docker.sock" '/swarm/leave?force=1' >/dev/null 2>&1 || true; }
    kill_containers "$root/docker.sock"
  fi
  stop_pid "$dockerd_pid" "$STOP_TIMEOUT_SECONDS"
  stop_pid "$containerd_pid" 10
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

  # All at once (each takes a second or more); dockerd stops its containers and
  # its own containerd on TERM.
  stop_pid "$(pid_from "$dir/registry.pid")" 10 &
  local registry_stopper=$! swarm_stopper=''
  if [ -d "$dir/swarm" ]; then
    stop_dockerd "$dir/swarm" 1 &
    swarm_stopper=$!
  fi
  stop_dockerd "$dir"
  wait "$registry_stopper" || true
  [ -z "$swarm_stopper" ] || wait "$swarm_stopper" || true

  # Anything left that was started from this directory (containerd shims after
  # a killed daemon): match on the unique directory paths, nothing broader.
  local p pid cmdline
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = "$$" ] && continue
    cmdline=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    case "$cmdline" in
      *"$dir/exec/"* | *"$dir/data/"* | *"$dir/swarm/exec/"* | *"$dir/swarm/data/"*)
        kill -KILL "$pid" 2>/dev/null || true
        ;;
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
