#!/usr/bin/env node
// A committed shim, so installing the workspace before any build links a bin that exists.
import '../dist/cli.js';
