#!/usr/bin/env node
// Launcher: runs the compiled CLI (built by `npm ci` through the prepare script).
import '../dist/cli/entry.js';
