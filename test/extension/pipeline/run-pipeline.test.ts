import { beforeEach, describe, expect, test, vi } from 'vitest';
import { registerPipelineRuns } from '../../../extension/src/pipeline/run-pipeline.js';
import type { PipelineEventParams, PipelineRunEvent, PipelineRunInfo } from '../../../language-server/src/protocol.js';
import { fake, Uri, window } from '../../webviews/fake-vscode.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

const uri = 'file:///work/flows/review.dot';
const run = (...args: unknown[]) => fake.commands.get('fspec.pipeline.run')!(...args) as Promise<PipelineRunInfo | undefined>;
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

/** The language client as Run Pipeline uses it: a run answered when the test finishes it, events delivered by the test. */
class FakeClient {
    readonly requests: Array<{ method: string; params: Record<string, unknown> }> = [];
    readonly notifications = new Map<string, (params: never) => void>();
    readonly serverRequests = new Map<string, (params: never, token: unknown) => unknown>();
    finish!: (result: PipelineRunInfo) => void;
    fail!: (error: Error) => void;

    async sendRequest(type: { method: string }, params: Record<string, unknown>): Promise<unknown> {
        this.requests.push({ method: type.method, params });
        if (type.method === 'fspec/runPipeline') {
            return new Promise((resolve, reject) => {
                this.finish = resolve;
                this.fail = reject;
            });
        }
        return null;
    }

    onNotification(type: { method: string }, handler: (params: never) => void) {
        this.notifications.set(type.method, handler);
        return { dispose: () => undefined };
    }

    onRequest(type: { method: string }, handler: (params: never, token: unknown) => unknown) {
        this.serverRequests.set(type.method, handler);
        return { dispose: () => undefined };
    }

    event(event: PipelineRunEvent, runId = 'run-1'): void {
        (this.notifications.get('fspec/pipelineEvent') as (p: PipelineEventParams) => void)({ runId, uri, event, state: { completed: [], failed: [] } });
    }
}

const result = (status: PipelineRunInfo['status'], message: string): PipelineRunInfo =>
    ({ runId: 'run-1', uri, name: 'review', status, message, completed: [], logsRoot: '/work/flows/.factory/runs/run-1', simulated: true });

let client: FakeClient;
let changed: string[];

beforeEach(() => {
    fake.reset();
    client = new FakeClient();
    changed = [];
    registerPipelineRuns({ subscriptions: [] } as never, client as never, { info() {}, warn() {} } as never, { pipelineChanged: u => changed.push(u) });
});

describe('Run Pipeline', () => {
    test('runs the active pipeline with its stages in a progress notification, and says how it ended', async () => {
        window.activeTextEditor = { ...fake.editor('/work/flows/review.dot'), document: { uri: Uri.parse(uri), languageId: 'attractor-dot' } };
        const running = run();
        await settle();
        expect(client.requests).toEqual([{ method: 'fspec/runPipeline', params: { uri } }]);
        expect(fake.progress[0].options).toMatchObject({ title: 'Running review.dot', cancellable: true });
        client.event({ kind: 'started', name: 'review', logsRoot: '/tmp', simulated: true, reason: 'no model is configured' });
        client.event({ kind: 'stage', node: 'draft', label: 'Draft the notes', status: 'started' });
        client.event({ kind: 'stage', node: 'draft', label: 'Draft the notes', status: 'completed' });
        client.event({ kind: 'question', node: 'gate', text: 'Ship it?' });
        expect(fake.progress[0].messages).toEqual(['LLM stages simulated (no model is configured)', 'Draft the notes…', 'Waiting for your answer: Ship it?']);
        // Every event redraws the pipeline's preview.
        expect(changed).toEqual([uri, uri, uri, uri]);
        client.finish(result('success', 'review succeeded: start → draft → done (LLM stages simulated); run directory .factory/runs/run-1.'));
        expect((await running)!.status).toBe('success');
        expect(fake.messages).toEqual([{ kind: 'information', text: 'review succeeded: start → draft → done (LLM stages simulated); run directory .factory/runs/run-1.' }]);
        expect(fake.progress[0].done).toBe(true);
    });

    test('Cancel in the notification cancels the run, even before its first event', async () => {
        const running = run(uri, { simulate: true });
        await settle();
        expect(client.requests[0].params).toEqual({ uri, simulate: true });
        fake.progress[0].cancel();
        expect(client.requests.map(r => r.method)).toEqual(['fspec/runPipeline']);
        client.event({ kind: 'started', name: 'review', logsRoot: '/tmp', simulated: true }, 'run-7');
        await settle();
        expect(client.requests[1]).toEqual({ method: 'fspec/cancelPipeline', params: { runId: 'run-7' } });
        client.finish(result('cancelled', 'review was cancelled; run directory .factory/runs/run-7.'));
        await running;
        expect(fake.messages.at(-1)).toEqual({ kind: 'information', text: 'review was cancelled; run directory .factory/runs/run-7.' });
    });

    test('a failed run is a warning; a refusal (errors in the pipeline) an error', async () => {
        const failing = run(uri);
        await settle();
        client.finish(result('fail', 'review failed: tool exited 1.'));
        await failing;
        expect(fake.messages).toEqual([{ kind: 'warning', text: 'review failed: tool exited 1.' }]);

        const errors: string[] = [];
        vi.spyOn(window, 'showErrorMessage').mockImplementation(async (text: string) => void errors.push(text));
        const refused = run(uri);
        await settle();
        client.fail(new Error('review has an error, so it cannot run: line 3: the pipeline has no exit node (see the Problems).'));
        expect(await refused).toBeUndefined();
        expect(errors).toEqual(['review has an error, so it cannot run: line 3: the pipeline has no exit node (see the Problems).']);
    });

    test('without a pipeline to run it says so; the server\'s questions are asked in VS Code', async () => {
        expect(await run()).toBeUndefined();
        expect(fake.messages).toEqual([{ kind: 'information', text: 'Open a .dot pipeline to run it.' }]);
        vi.spyOn(window, 'showQuickPick').mockImplementation((async (items: Array<{ label: string }>) => items[0]) as never);
        const ask = client.serverRequests.get('fspec/askQuestion')!;
        expect(await ask({ runId: 'run-1', uri, question: { text: 'Ship it?', type: 'YES_NO', options: [], stage: 'gate', metadata: {} } } as never, undefined))
            .toEqual({ value: 'YES' });
    });
});
