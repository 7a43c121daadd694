import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createFspecServices } from './fspec-module.js';

// The transport (--stdio, --node-ipc, --socket=PORT) is read from the command line by createConnection.
const connection = createConnection(ProposedFeatures.all);
const { shared } = createFspecServices({ connection, ...NodeFileSystem });
startLanguageServer(shared);
