#!/usr/bin/env node
// The `kiln` command: the compiled CLI lives in dist/ (built by `npm install` via prepare).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2)));
