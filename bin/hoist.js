#!/usr/bin/env -S node --max-semi-space-size=4
// Runs the compiled CLI; `npm run build` (part of set-up) produces dist/.
// The flag: V8's young generation may otherwise grow to 32 MB during start-up and
// stay there while the server idles. Bench row 5 compares an idle server started with
// and without it (docs/benchmarks.md); rows 1-3 run with it.
import '../dist/cli/main.js';
