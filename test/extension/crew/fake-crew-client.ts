import { registerCrew } from '../../../extension/src/crew/register-crew.js';
import type { GrowthResult, MutationPr, RunEventParams } from '../../../language-server/src/protocol.js';
import { fake, Uri } from '../../webviews/fake-vscode.js';

type Handler = (params: never) => unknown;

/**
 * The language client as the crew uses it: requests recorded and answered by the test's
 * `answers` (per method), the server's notifications and requests delivered to the handlers
 * the extension registered.
 */
export class FakeCrewClient {
    readonly requests: Array<{ method: string, params: Record<string, unknown> }> = [];
    readonly answers = new Map<string, (params: Record<string, unknown>) => unknown>();
    private readonly notificationHandlers = new Map<string, Handler>();
    private readonly requestHandlers = new Map<string, Handler>();

    async sendRequest(type: { method: string }, params: Record<string, unknown>): Promise<unknown> {
        this.requests.push({ method: type.method, params });
        return this.answers.get(type.method)?.(params) ?? null;
    }

    onNotification(type: { method: string }, handler: Handler) {
        this.notificationHandlers.set(type.method, handler);
        return { dispose: () => this.notificationHandlers.delete(type.method) };
    }

    onRequest(type: { method: string }, handler: Handler) {
        this.requestHandlers.set(type.method, handler);
        return { dispose: () => this.requestHandlers.delete(type.method) };
    }

    /** The params of every request of one method the extension sent. */
    sent(method: string): Array<Record<string, unknown>> {
        return this.requests.filter(r => r.method === method).map(r => r.params);
    }

    /** The server reports a run's progress. */
    runEvent(params: RunEventParams): void {
        (this.notificationHandlers.get('fspec/runEvent') as (p: RunEventParams) => void)(params);
    }

    /** The server sends a request to the client. */
    serverRequest(method: string, params: unknown): Promise<unknown> {
        return Promise.resolve((this.requestHandlers.get(method) as (p: unknown) => unknown)(params));
    }
}

export function growthResult(status: GrowthResult['status'], pr: MutationPr | undefined, more: Partial<GrowthResult> = {}): GrowthResult {
    const messages: Record<GrowthResult['status'], string> = {
        'nothing-to-grow': 'FarmOps has no new desires to grow from.',
        'awaiting-review': 'The mutation PR of FarmOps awaits review.',
        grown: 'FarmOps grew to 0.3.0.',
        rejected: 'The growth of FarmOps was rejected.',
        vetoed: 'Safety vetoed the growth of FarmOps: Morph add_guardrail is not allowed.',
        failed: 'The Compiler failed: the proposal names pipeline harvest, which the spec does not have.',
        cancelled: 'The growth of FarmOps was cancelled.'
    };
    return { runId: pr?.runId ?? 'run-1', status, message: messages[status], logsRoot: '.factory/runs/run-1', ...(pr ? { pr } : {}), ...more };
}

export function deferred<T>(): { promise: Promise<T>, resolve(value: T): void } {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>(r => resolve = r);
    return { promise, resolve };
}

const silentLog = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A fresh fake VS Code with the crew registered against a new fake client, as activation does (the test file mocks `vscode`). */
export function registerCrewWithFakeClient(): FakeCrewClient {
    fake.reset();
    const client = new FakeCrewClient();
    registerCrew({ subscriptions: [], extensionUri: Uri.file('/ext') } as never, client as never, silentLog as never);
    return client;
}
