#!/usr/bin/env node
// The language server for any LSP client: fspec-language-server --stdio (or --node-ipc, --socket=PORT).
require('./run-bundle.cjs')('language-server/main.cjs');
