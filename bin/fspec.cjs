#!/usr/bin/env node
// Runs the bundled CLI on Node >= 22; when an older node is first on PATH, hands over to the project's pinned Node.
require('./run-bundle.cjs')('cli.cjs');
