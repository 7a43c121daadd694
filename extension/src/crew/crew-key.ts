import * as vscode from 'vscode';

/** Where the key is kept: VS Code's SecretStorage (the OS keychain), never settings or files. */
export const crewKeySecret = 'fspec.crew.apiKey';
/** How the key reaches the server: its process environment only, so no LSP message (nor the protocol trace) carries it. */
export const crewKeyVariable = 'FSPEC_CREW_API_KEY';

/**
 * The server process's extra environment, shared with its ServerOptions: the language client
 * merges it into `process.env` each time it starts the server, so a restart picks up a new key.
 */
export type ServerEnv = Record<string, string>;

/** The environment for the key stored now (one SecretStorage read: activation waits for it). */
export async function crewServerEnv(secrets: vscode.SecretStorage): Promise<ServerEnv> {
    const env: ServerEnv = {};
    setKey(env, await secrets.get(crewKeySecret));
    return env;
}

function setKey(env: ServerEnv, key: string | undefined): boolean {
    const before = env[crewKeyVariable];
    if (key) {
        env[crewKeyVariable] = key;
    } else {
        delete env[crewKeyVariable];
    }
    return env[crewKeyVariable] !== before;
}

/**
 * The commands that set and clear the key, and the restart that hands a changed key to the server
 * (also when another window changed it). The key itself is never logged.
 */
export function registerCrewKey(context: vscode.ExtensionContext, env: ServerEnv, restartServer: () => Promise<void>, log: vscode.LogOutputChannel): void {
    const { secrets } = context;
    context.subscriptions.push(
        vscode.commands.registerCommand('fspec.crew.setApiKey', async () => {
            const key = await vscode.window.showInputBox({
                title: 'Crew API key',
                prompt: 'The key for fspec.crew.provider or fspec.crew.baseUrl; kept in VS Code\'s secret storage and given to the language server only.',
                password: true, ignoreFocusOut: true,
                validateInput: value => value.trim() ? undefined : 'Enter a key, or press Escape to keep the current one.'
            });
            if (key?.trim()) {
                await secrets.store(crewKeySecret, key.trim());
                void vscode.window.showInformationMessage('Crew API key stored.');
            }
        }),
        vscode.commands.registerCommand('fspec.crew.clearApiKey', async () => {
            await secrets.delete(crewKeySecret);
            void vscode.window.showInformationMessage('Crew API key cleared.');
        }),
        secrets.onDidChange(async ({ key }) => {
            if (key !== crewKeySecret || !setKey(env, await secrets.get(crewKeySecret))) {
                return;
            }
            log.info(`The crew API key was ${env[crewKeyVariable] ? 'set' : 'cleared'}: restarting the language server`);
            await restartServer().catch(error => log.error('The language server did not restart', error));
        })
    );
}
