#!/usr/bin/env -S node --max-semi-space-size=4
// Runs the compiled CLI; `npm run build` (part of set-up) produces dist/.
// The flag: V8's young generation may otherwise grow to 32 MB during start-up and
// stay there while the server idles; 4 MB semi-spaces keep an idle `hoist server`
// about 17 MB smaller at no measurable cost to call throughput (docs/benchmarks.md).
import '../dist/cli/main.js';
