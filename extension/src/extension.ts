import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { crewServerEnv, registerCrewKey } from './crew/crew-key.js';
import { registerCrew } from './crew/register-crew.js';
import { registerPipelineRuns } from './pipeline/run-pipeline.js';
import { registerPreview } from './preview/preview-manager.js';

let client: LanguageClient | undefined;

/** A thin client: the language lives in the bundled server; the extension adds commands, the preview and the crew's views. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel('Factory .fspec', { log: true });
    context.subscriptions.push(log);
    // The crew's API key goes to the server in its environment, so it is read before the server starts.
    const env = await crewServerEnv(context.secrets);
    const serverModule = context.asAbsolutePath(path.join('out', 'language-server', 'main.cjs'));
    const serverOptions: ServerOptions = {
        run: { module: serverModule, transport: TransportKind.ipc, options: { env } },
        debug: { module: serverModule, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6009'] } }
    };
    const clientOptions: LanguageClientOptions = {
        // Specs and Attractor pipelines (`.dot`, the crew's `.factory/crew.dot`): one server for both.
        documentSelector: ['fspec', 'attractor-dot'].flatMap(language => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
        outputChannel: log,
        // `fspec.trace.server` (read by the client itself) sends the protocol trace to the same channel.
        traceOutputChannel: log,
        // The client answers the server's `fspec/save` after a growth is applied, and asks pipelines' human gates (`fspec/askQuestion`).
        initializationOptions: { saveRequest: true, askQuestion: true }
    };
    client = new LanguageClient('fspec', 'Factory .fspec', serverOptions, clientOptions);
    const restart = async () => {
        log.info('Restarting the language server');
        await client!.restart();
    };
    context.subscriptions.push(
        vscode.commands.registerCommand('fspec.restartServer', restart),
        vscode.commands.registerCommand('fspec.showOutput', () => log.show(true))
    );
    registerCrewKey(context, env, restart, log);
    const previews = registerPreview(context, client, log);
    registerCrew(context, client, log);
    registerPipelineRuns(context, client, log, previews);
    // Activation does not wait for the server: requests sent meanwhile wait for it inside the client.
    client.start().catch(error => log.error('The language server did not start', error));
}

export async function deactivate(): Promise<void> {
    await client?.stop();
}
