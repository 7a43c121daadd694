import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerPreview } from './preview/preview-manager.js';

let client: LanguageClient | undefined;

/** A thin client: the language lives in the bundled server; the extension adds commands and the preview. */
export function activate(context: vscode.ExtensionContext): void {
    const log = vscode.window.createOutputChannel('Factory .fspec', { log: true });
    context.subscriptions.push(log);
    const serverModule = context.asAbsolutePath(path.join('out', 'language-server', 'main.cjs'));
    const serverOptions: ServerOptions = {
        run: { module: serverModule, transport: TransportKind.ipc },
        debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } }
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', language: 'fspec' }, { scheme: 'untitled', language: 'fspec' }],
        outputChannel: log,
        // `fspec.trace.server` (read by the client itself) sends the protocol trace to the same channel.
        traceOutputChannel: log
    };
    client = new LanguageClient('fspec', 'Factory .fspec', serverOptions, clientOptions);
    context.subscriptions.push(
        vscode.commands.registerCommand('fspec.restartServer', async () => {
            log.info('Restarting the language server');
            await client!.restart();
        }),
        vscode.commands.registerCommand('fspec.showOutput', () => log.show(true))
    );
    registerPreview(context, client, log);
    // Activation does not wait for the server: requests sent meanwhile wait for it inside the client.
    client.start().catch(error => log.error('The language server did not start', error));
}

export async function deactivate(): Promise<void> {
    await client?.stop();
}
