import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FactoryMethods } from '../../../language-server/src/protocol.js';
import { activeSpecUri, uriKey } from '../preview/preview-panels.js';
import { CrewRuns } from './crew-runs.js';
import { deployVersion } from './deploy-version.js';
import { GrowController } from './grow-controller.js';
import { PrDocuments, prScheme } from './pr-documents.js';
import { startVariant } from './start-variant.js';

/**
 * The agent crew in the editor: `fspec.grow` (the command, the editor title button and the
 * server's "Grow" code lens with `[uri]`), `fspec.startVariant`, `fspec.deployVersion`, growth on
 * save, run progress from `fspec/runEvent`, the mutation PR view, and the server's `fspec/save`
 * requests after it applied a growth.
 */
export function registerCrew(context: vscode.ExtensionContext, client: LanguageClient, log: vscode.LogOutputChannel): void {
    const runs = new CrewRuns(client, log);
    const documents = new PrDocuments();
    const controller = new GrowController(client, runs, documents, context.extensionUri, log);
    context.subscriptions.push(
        runs,
        controller,
        vscode.workspace.registerTextDocumentContentProvider(prScheme, documents),
        vscode.commands.registerCommand('fspec.grow', (uri?: string | vscode.Uri) => {
            const spec = uri === undefined ? activeSpecUri() : uriKey(uri);
            if (spec === undefined) {
                return void vscode.window.showInformationMessage('Open a .fspec file to grow it.');
            }
            return controller.grow(spec, 'command');
        }),
        vscode.commands.registerCommand('fspec.startVariant', (uri?: string | vscode.Uri) => {
            const spec = uri === undefined ? activeSpecUri() : uriKey(uri);
            if (spec === undefined) {
                return void vscode.window.showInformationMessage('Open a .fspec file to start a variant of it.');
            }
            return startVariant(client, spec);
        }),
        vscode.commands.registerCommand('fspec.deployVersion', (uri?: string | vscode.Uri) => {
            const spec = uri === undefined ? activeSpecUri() : uriKey(uri);
            if (spec === undefined) {
                return void vscode.window.showInformationMessage('Open a .fspec file to deploy its approved version.');
            }
            return deployVersion(client, spec);
        }),
        vscode.workspace.onWillSaveTextDocument(event => controller.willSave(event.document, event.reason)),
        vscode.workspace.onDidSaveTextDocument(document => void controller.saved(document)),
        client.onNotification(FactoryMethods.runEvent, params => runs.runEvent(params)),
        client.onRequest(FactoryMethods.save, ({ uri }) => saveDocument(uri))
    );
}

/** The server edited a spec (`workspace/applyEdit`) and asks for it on disk: true once it is. */
async function saveDocument(uri: string): Promise<boolean> {
    const document = vscode.workspace.textDocuments.find(d => uriKey(d.uri) === uriKey(uri));
    if (!document) {
        return false;
    }
    // An edit that changed nothing leaves the document as it is on disk already.
    return document.isDirty ? document.save() : true;
}
