import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { exitWhenWrapperGone } from './exit-with-wrapper.js';
import { createFspecServices } from './fspec-module.js';
import { registerCrewRequests } from './lsp/crew-requests.js';
import { registerDeployRequests } from './lsp/deploy-requests.js';
import { registerFactoryRequests } from './lsp/factory-requests.js';
import { registerLineageRequests } from './lsp/lineage-requests.js';
import { routedConnection } from './lsp/pipeline-connection.js';
import { PipelineLanguage } from './lsp/pipeline-language.js';
import { registerPipelineRequests } from './lsp/pipeline-requests.js';
import { registerTestRequests } from './lsp/test-requests.js';

exitWhenWrapperGone();
// The transport (--stdio, --node-ipc, --socket=PORT) is read from the command line by createConnection.
// Langium serves .fspec; requests about .dot pipelines are routed past it to the pipeline language.
const { connection, route } = routedConnection(createConnection(ProposedFeatures.all));
const { shared, Fspec } = createFspecServices({ connection, ...NodeFileSystem });
const pipelines = new PipelineLanguage(connection, shared.workspace.TextDocuments);
route(pipelines);
registerFactoryRequests(connection, Fspec);
registerCrewRequests(connection, Fspec);
registerLineageRequests(connection, Fspec);
registerTestRequests(connection, Fspec);
registerDeployRequests(connection, Fspec);
registerPipelineRequests(connection, shared, pipelines);
startLanguageServer(shared);
