import { beforeEach, describe, expect, test, vi } from 'vitest';
import { activate } from '../../../extension/src/extension.js';
import { EventEmitter, fake, Uri, window } from '../../webviews/fake-vscode.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));
vi.mock('vscode-languageclient/node', () => ({ LanguageClient: FakeLanguageClient, TransportKind: { ipc: 1 } }));

/** Records how the extension configures and drives the client; the server is never started. */
const { FakeLanguageClient } = vi.hoisted(() => ({
    FakeLanguageClient: class FakeLanguageClient {
        static last: FakeLanguageClient;
        restarts = 0;
        constructor(readonly id: string, readonly name: string, readonly serverOptions: ServerOptions, readonly clientOptions: Record<string, unknown>) {
            FakeLanguageClient.last = this;
        }
        start = async () => undefined;
        restart = async () => void this.restarts++;
        onNotification = () => ({ dispose: () => undefined });
        onRequest = () => ({ dispose: () => undefined });
    }
}));
type FakeLanguageClient = InstanceType<typeof FakeLanguageClient>;

interface ServerOptions {
    run: { options: { env: Record<string, string> } };
    debug: { options: { env: Record<string, string>, execArgv: string[] } };
}

/** VS Code's SecretStorage: `store` and `delete` announce the change, as VS Code does. */
class FakeSecrets {
    readonly values = new Map<string, string>();
    private readonly changed = new EventEmitter<{ key: string }>();
    readonly onDidChange = this.changed.event;
    async get(key: string) {
        return this.values.get(key);
    }
    async store(key: string, value: string) {
        this.values.set(key, value);
        this.changed.fire({ key });
    }
    async delete(key: string) {
        this.values.delete(key);
        this.changed.fire({ key });
    }
}

let secrets: FakeSecrets;
const settle = () => new Promise(resolve => setTimeout(resolve, 0));
const env = () => FakeLanguageClient.last.serverOptions.run.options.env;

async function activateWith(stored?: string): Promise<FakeLanguageClient> {
    secrets = new FakeSecrets();
    if (stored !== undefined) {
        secrets.values.set('fspec.crew.apiKey', stored);
    }
    await activate({ subscriptions: [], extensionUri: Uri.file('/ext'), asAbsolutePath: (p: string) => `/ext/${p}`, secrets } as never);
    return FakeLanguageClient.last;
}

beforeEach(() => {
    fake.reset();
});

describe('the crew API key', () => {
    test('a stored key reaches the server in its environment only: run and debug, never the initialization options', async () => {
        const client = await activateWith('sk-stored-123');
        expect(client.serverOptions.run.options.env).toEqual({ FSPEC_CREW_API_KEY: 'sk-stored-123' });
        expect(client.serverOptions.debug.options).toMatchObject({ env: { FSPEC_CREW_API_KEY: 'sk-stored-123' }, execArgv: ['--nolazy', '--inspect=6009'] });
        expect(client.clientOptions.initializationOptions).toEqual({ saveRequest: true, askQuestion: true });
        expect(JSON.stringify(client.clientOptions)).not.toContain('sk-stored-123');
    });

    test('without a stored key the server gets no key variable from the extension', async () => {
        await activateWith();
        expect(env()).toEqual({});
    });

    test('Set Crew API Key asks for it hidden, stores it as a secret, and restarts the server with it', async () => {
        const client = await activateWith();
        const ask = vi.spyOn(window, 'showInputBox').mockResolvedValue('  sk-new-456  ');
        await fake.commands.get('fspec.crew.setApiKey')!();
        await settle();
        expect(ask.mock.calls[0][0]).toMatchObject({ password: true, ignoreFocusOut: true });
        expect(secrets.values.get('fspec.crew.apiKey')).toBe('sk-new-456');
        expect(env()).toEqual({ FSPEC_CREW_API_KEY: 'sk-new-456' });
        expect(client.restarts).toBe(1);
        expect(fake.messages).toEqual([{ kind: 'information', text: 'Crew API key stored.' }]);
        // The same key again, or another secret: nothing to restart for.
        await secrets.store('fspec.crew.apiKey', 'sk-new-456');
        await secrets.store('some.other.secret', 'x');
        await settle();
        expect(client.restarts).toBe(1);
    });

    test('Escape stores nothing; Clear Crew API Key removes it and restarts the server without it', async () => {
        const client = await activateWith('sk-stored-123');
        vi.spyOn(window, 'showInputBox').mockResolvedValue(undefined);
        await fake.commands.get('fspec.crew.setApiKey')!();
        await settle();
        expect(client.restarts).toBe(0);
        await fake.commands.get('fspec.crew.clearApiKey')!();
        await settle();
        expect(secrets.values.has('fspec.crew.apiKey')).toBe(false);
        expect(env()).toEqual({});
        expect(client.restarts).toBe(1);
    });

    test('a key changed in another window restarts this window\'s server with it', async () => {
        const client = await activateWith('sk-stored-123');
        await secrets.store('fspec.crew.apiKey', 'sk-from-elsewhere');
        await settle();
        expect(env()).toEqual({ FSPEC_CREW_API_KEY: 'sk-from-elsewhere' });
        expect(client.restarts).toBe(1);
    });
});
