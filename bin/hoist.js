#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (part of set-up) produces dist/.
import '../dist/cli/main.js';
