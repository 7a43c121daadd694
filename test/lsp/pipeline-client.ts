import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type CancellationToken, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { PipelineMethods, type AskQuestionParams, type PipelineAnswer, type PipelineEventParams } from '../../language-server/src/protocol.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * An editor with pipelines open, over stdio against the bundled server: it keeps the latest
 * diagnostics per document, the run events, and answers `fspec/askQuestion` with `answer`.
 */
export class PipelineClient {
    readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
    readonly events: PipelineEventParams[] = [];
    readonly asked: AskQuestionParams[] = [];
    /** Answers a human gate; the default never answers (until the request is cancelled). */
    answer: (params: AskQuestionParams, token: CancellationToken) => Promise<PipelineAnswer> = (_params, token) =>
        new Promise((_resolve, reject) => token.onCancellationRequested(() => reject(new Error('cancelled'))));
    private readonly waiting: Array<() => void> = [];
    private versions = new Map<string, number>();

    private constructor(readonly connection: MessageConnection, private readonly server: ChildProcess) {}

    static async start(initializationOptions: Record<string, unknown> = { askQuestion: true }): Promise<PipelineClient> {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-home-'));
        const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'], {
            stdio: ['pipe', 'pipe', 'inherit'],
            // No model: LLM stages are simulated whatever the machine's environment says.
            env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, FSPEC_CREW_PROVIDER: '', FSPEC_CREW_BASE_URL: '' }
        });
        const client = new PipelineClient(createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!)), server);
        const { connection } = client;
        connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
            client.diagnostics.set(params.uri, params);
            client.changed();
        });
        connection.onNotification(PipelineMethods.pipelineEvent.method, (params: PipelineEventParams) => {
            client.events.push(params);
            client.changed();
        });
        connection.onRequest(PipelineMethods.askQuestion.method, (params: AskQuestionParams, token: CancellationToken) => {
            client.asked.push(params);
            client.changed();
            return client.answer(params, token);
        });
        connection.listen();
        await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
        connection.sendNotification('initialized', {});
        return client;
    }

    open(uri: string, text: string, languageId = 'attractor-dot'): void {
        this.versions.set(uri, 1);
        this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    }

    change(uri: string, text: string): void {
        const version = (this.versions.get(uri) ?? 1) + 1;
        this.versions.set(uri, version);
        this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    }

    close(uri: string): void {
        this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }

    /** Resolves once `probe` holds (checked after each message from the server). */
    async until<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const value = probe();
            if (value !== undefined && value !== false) {
                return value;
            }
            if (Date.now() > deadline) {
                throw new Error('timed out waiting for the server');
            }
            await new Promise<void>(resolve => {
                const timer = setTimeout(resolve, 100);
                this.waiting.push(() => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
    }

    async stop(): Promise<void> {
        await this.connection.sendRequest('shutdown');
        this.connection.sendNotification('exit');
        this.connection.dispose();
        await new Promise(resolve => this.server.exitCode !== null ? resolve(undefined) : this.server.once('exit', resolve));
    }

    private changed(): void {
        this.waiting.splice(0).forEach(wake => wake());
    }
}

/** A fresh project folder; `file(...)` is a path in it, `uri(...)` its file uri. */
export function projectFolder(): { folder: string; file: (...segments: string[]) => string; uri: (...segments: string[]) => string } {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-pipelines-'));
    const file = (...segments: string[]) => path.join(folder, ...segments);
    return { folder, file, uri: (...segments) => pathToFileURL(file(...segments)).toString() };
}
