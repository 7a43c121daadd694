import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ApplyWorkspaceEditParams } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FactoryMethods, type RunEventParams } from '../../language-server/src/protocol.js';

const root = path.resolve(import.meta.dirname, '../..');
/** No global git identity: the crew's own identity signs the lineage commits. */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-home-'));

/**
 * An editor as the crew meets it over LSP: the bundled server over stdio, and a client that keeps
 * buffers, applies the server's edits, and saves on `fspec/save`.
 */
export class CrewClient {
    readonly events: RunEventParams[] = [];
    readonly edits: ApplyWorkspaceEditParams[] = [];
    readonly saved: string[] = [];
    private readonly buffers = new Map<string, TextDocument>();

    private constructor(readonly connection: MessageConnection, private readonly server: ChildProcess) {}

    /** Starts the bundled server; `env` adds to its environment (a crew model, say). */
    static async start(env: Record<string, string> = {}): Promise<CrewClient> {
        const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'],
            { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, ...env } });
        const client = new CrewClient(createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!)), server);
        const { connection } = client;
        connection.onNotification(FactoryMethods.runEvent.method, (params: RunEventParams) => { client.events.push(params); });
        connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
            client.edits.push(params);
            for (const [uri, changes] of Object.entries(params.edit.changes ?? {})) {
                const buffer = client.buffers.get(uri)!;
                client.buffers.set(uri, TextDocument.create(uri, 'fspec', buffer.version + 1, TextDocument.applyEdits(buffer, changes)));
            }
            return { applied: true };
        });
        connection.onRequest(FactoryMethods.save.method, ({ uri }: { uri: string }) => {
            client.saved.push(uri);
            fs.writeFileSync(new URL(uri), client.buffers.get(uri)!.getText());
            return true;
        });
        connection.listen();
        await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { saveRequest: true } });
        connection.sendNotification('initialized', {});
        return client;
    }

    /** Opens the file in the editor (its text as on disk); returns its uri. */
    open(file: string): string {
        const uri = pathToFileURL(file).toString();
        const text = fs.readFileSync(file, 'utf8');
        this.buffers.set(uri, TextDocument.create(uri, 'fspec', 1, text));
        this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fspec', version: 1, text } });
        return uri;
    }

    async stop(): Promise<void> {
        await this.connection.sendRequest('shutdown');
        this.connection.sendNotification('exit');
        this.connection.dispose();
    }

    /** The server dies without a goodbye, as on a crash or a killed window. */
    async kill(): Promise<void> {
        const exited = new Promise(resolve => this.server.once('exit', resolve));
        this.server.kill('SIGKILL');
        await exited;
        this.connection.dispose();
    }
}
