#!/usr/bin/env node
// Launcher: runs the bundled CLI (built by `npm ci` through the prepare script: scripts/build.ts).
import '../dist/cli/entry.js';
