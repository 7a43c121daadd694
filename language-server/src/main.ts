import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createFspecServices } from './fspec-module.js';
import { registerCrewRequests } from './lsp/crew-requests.js';
import { registerDeployRequests } from './lsp/deploy-requests.js';
import { registerFactoryRequests } from './lsp/factory-requests.js';
import { registerLineageRequests } from './lsp/lineage-requests.js';
import { registerTestRequests } from './lsp/test-requests.js';

// The transport (--stdio, --node-ipc, --socket=PORT) is read from the command line by createConnection.
const connection = createConnection(ProposedFeatures.all);
const { shared, Fspec } = createFspecServices({ connection, ...NodeFileSystem });
registerFactoryRequests(connection, Fspec);
registerCrewRequests(connection, Fspec);
registerLineageRequests(connection, Fspec);
registerTestRequests(connection, Fspec);
registerDeployRequests(connection, Fspec);
startLanguageServer(shared);
