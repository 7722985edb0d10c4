#!/usr/bin/env bash
# The whole test suite, against a private Docker engine and registry that this
# script starts and stops (it never touches the machine's own engine).
set -euo pipefail
cd "$(dirname "$0")/.."

env_file=$(bash scripts/test-engine.sh start | tail -n 1)
# shellcheck disable=SC1090
source "$env_file"
trap 'bash scripts/test-engine.sh stop "$HOIST_TEST_ENGINE_DIR"' EXIT

# One file at a time: the integration files share the engine. The e2e tests drive the
# built web UI (web/dist, from `npm run build`) in Debian's Chromium.
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  test/unit/*.test.ts test/http/*.test.ts test/integration/*.test.ts test/e2e/*.test.ts "$@"
