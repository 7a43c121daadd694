import { beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { MutationPr } from '../../../language-server/src/protocol.js';
import { fake, FakeWebviewPanel, Range, Uri, window, type FakeDocument } from '../../webviews/fake-vscode.js';
import { deferred, growthResult, registerCrewWithFakeClient, type FakeCrewClient } from './fake-crew-client.js';
import { farmPr } from './mutation-pr-fixture.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

const specUri = 'file:///work/farm-ops.fspec';
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

let pr: MutationPr;
let client: FakeCrewClient;
let spec: FakeDocument;
let diffs: unknown[][];
let errors: string[];

beforeAll(async () => {
    pr = await farmPr();
});

beforeEach(() => {
    client = registerCrewWithFakeClient();
    diffs = [];
    fake.commands.set('vscode.diff', (...args: unknown[]) => void diffs.push(args));
    errors = [];
    vi.spyOn(window, 'showErrorMessage').mockImplementation(async (text: string) => void errors.push(text));
    spec = fake.document('/work/farm-ops.fspec', pr.before);
});

/** Grows the spec to a PR awaiting review, with its view loaded. */
async function openPr(grown: MutationPr = pr): Promise<FakeWebviewPanel> {
    client.answers.set('fspec/simulate', () => growthResult('awaiting-review', grown));
    await fake.commands.get('fspec.grow')!(specUri);
    const panel = fake.panels.at(-1)!;
    panel.say({ type: 'ready' });
    return panel;
}

const reviews = (panel: FakeWebviewPanel) => panel.sent('review').map(m => m.review);

describe('deciding', () => {
    test('Approve deploys with progress, the server saves the grown spec, and the view and a message tell the version, commit and tag', async () => {
        const panel = await openPr();
        const answer = deferred<unknown>();
        client.answers.set('fspec/deploy', () => answer.promise);
        panel.say({ type: 'approve', runId: 'run-1' });
        expect(reviews(panel)).toEqual([{ phase: 'deploying', decision: 'approve' }]);
        expect(client.sent('fspec/deploy')).toEqual([{ runId: 'run-1', decision: 'approve' }]);
        await settle();
        expect(fake.progress.at(-1)).toMatchObject({ options: { title: 'Approving the growth of FarmOps', cancellable: false }, done: false });
        // A second click (a page that had not heard yet) deploys nothing and is told where the review is.
        panel.say({ type: 'approve', runId: 'run-1' });
        expect(client.sent('fspec/deploy')).toHaveLength(1);
        expect(reviews(panel).at(-1)).toEqual({ phase: 'deploying', decision: 'approve' });

        client.runEvent({ runId: 'run-1', uri: specUri, event: { kind: 'stage', node: 'deploy', label: 'Apply the grown spec', role: 'Deployer', status: 'started' } });
        // The server applied the grown text and asks for it on disk; that save grows nothing.
        spec.isDirty = true;
        client.answers.set('fspec/plan', () => { throw new Error('a growth was planned on the server\'s save'); });
        expect(await client.serverRequest('fspec/save', { uri: specUri })).toBe(true);
        expect(spec.saves).toBe(1);
        expect(client.sent('fspec/plan')).toEqual([]);

        answer.resolve(growthResult('grown', pr, { commit: 'abc1234def5678', tag: 'fspec/FarmOps/v0.3.0' }));
        await settle();
        expect(fake.progress.at(-1)).toMatchObject({ messages: ['Deployer: Apply the grown spec'], done: true });
        const message = 'FarmOps grown to 0.3.0 — commit abc1234, tag fspec/FarmOps/v0.3.0';
        expect(reviews(panel).at(-1)).toEqual({ phase: 'ended', status: 'grown', message });
        expect(fake.messages).toEqual([{ kind: 'information', text: message }]);
        // Decided: closing the view cancels nothing.
        panel.dispose();
        expect(client.sent('fspec/cancel')).toEqual([]);
    });

    test('an approved growth tells whether the crew deployed it; one it could not deploy is a warning with why and what stays deployed', async () => {
        let panel = await openPr();
        client.answers.set('fspec/deploy', () => growthResult('grown', pr, {
            commit: 'abc1234def5678', tag: 'fspec/FarmOps/v0.3.0',
            deployment: { status: 'deployed', spec: 'FarmOps', version: '0.3.0', tag: 'fspec/FarmOps/deployed/v0.3.0', message: 'FarmOps 0.3.0 is deployed.', summary: { tests: 3, passed: 3, failed: 0, notGrown: 0 } }
        }));
        panel.say({ type: 'approve', runId: 'run-1' });
        await settle();
        const deployed = 'FarmOps grown to 0.3.0 — commit abc1234, tag fspec/FarmOps/v0.3.0; deployed (3 acceptance tests passed)';
        expect(reviews(panel).at(-1)).toEqual({ phase: 'ended', status: 'grown', message: deployed });
        expect(fake.messages).toEqual([{ kind: 'information', text: deployed }]);

        panel.dispose();
        fake.messages.length = 0;
        panel = await openPr(await farmPr(undefined, 'run-2'));
        client.answers.set('fspec/deploy', () => growthResult('grown', pr, {
            runId: 'run-2', commit: 'def5678abc1234', tag: 'fspec/FarmOps/v0.3.0',
            deployment: {
                status: 'failed', spec: 'FarmOps', version: '0.3.0', previous: '0.2.0', reason: '0 failed and 1 not grown of 4 acceptance tests',
                message: 'The deploy of FarmOps 0.3.0 failed (0 failed and 1 not grown of 4 acceptance tests); 0.2.0 stays deployed.', summary: { tests: 4, passed: 3, failed: 0, notGrown: 1 }
            }
        }));
        panel.say({ type: 'approve', runId: 'run-2' });
        await settle();
        const undeployed = 'FarmOps grown to 0.3.0 — commit def5678, tag fspec/FarmOps/v0.3.0; not deployed: 0 failed and 1 not grown of 4 acceptance tests '
            + '(0.2.0 stays deployed; Factory: Deploy Approved Version tries again)';
        expect(reviews(panel).at(-1)).toEqual({ phase: 'ended', status: 'grown', message: undeployed });
        expect(fake.messages).toEqual([{ kind: 'warning', text: undeployed }]);
    });

    test('Reject sends the reason, and the view ends rejected', async () => {
        const panel = await openPr();
        client.answers.set('fspec/deploy', () => growthResult('rejected', pr, { reason: 'Not this season' }));
        panel.say({ type: 'reject', runId: 'run-1', reason: 'Not this season' });
        await settle();
        expect(client.sent('fspec/deploy')).toEqual([{ runId: 'run-1', decision: 'reject', reason: 'Not this season' }]);
        expect(fake.progress.at(-1)!.options.title).toBe('Rejecting the growth of FarmOps');
        expect(reviews(panel)).toEqual([
            { phase: 'deploying', decision: 'reject' },
            { phase: 'ended', status: 'rejected', message: 'The growth of FarmOps was rejected.' }
        ]);
        expect(fake.messages).toEqual([{ kind: 'information', text: 'The growth of FarmOps was rejected.' }]);
    });

    test('a deploy the server fails ends the view as failed, with an error message', async () => {
        const panel = await openPr();
        client.answers.set('fspec/deploy', () => Promise.reject(new Error('No run run-1 awaits review')));
        panel.say({ type: 'approve', runId: 'run-1' });
        await settle();
        const message = 'The approval of FarmOps\'s growth failed: No run run-1 awaits review';
        expect(reviews(panel).at(-1)).toEqual({ phase: 'ended', status: 'failed', message });
        expect(errors).toEqual([message]);
    });
});

describe('the view', () => {
    test('closing a PR without a decision cancels its run; a newer PR of the spec replaces the one shown', async () => {
        const first = await openPr();
        const second = await openPr({ ...pr, runId: 'run-2' });
        expect(first.disposed).toBe(true);
        expect(client.sent('fspec/cancel')).toEqual([{ runId: 'run-1' }]);
        expect(fake.contentProviders.get('fspec-pr')!.provideTextDocumentContent(Uri.parse('fspec-pr:/run-1/after/farm-ops.fspec') as never)).toBeUndefined();
        second.dispose();
        expect(client.sent('fspec/cancel')).toEqual([{ runId: 'run-1' }, { runId: 'run-2' }]);
    });

    test('growing again while the PR awaits review shows that PR again (the server answers with it), cancelling nothing', async () => {
        const panel = await openPr();
        panel.visible = false;
        await openPr();
        expect(fake.panels).toEqual([panel]);
        expect(panel.visible && !panel.disposed).toBe(true);
        expect(client.sent('fspec/cancel')).toEqual([]);
    });

    test('a veto\'s line opens the diff at that line of the proposed spec, in the view\'s column', async () => {
        const panel = await openPr();
        panel.viewColumn = 2;
        panel.say({ type: 'showDiff', line: 12 });
        await settle();
        expect(diffs).toHaveLength(2);
        expect(diffs[1][3]).toEqual({ viewColumn: 2, preserveFocus: false, preview: false, selection: new Range(11, 0, 11, 0) });
    });

    test('the server\'s save of a document the editor does not have open answers false', async () => {
        expect(await client.serverRequest('fspec/save', { uri: 'file:///work/other.fspec' })).toBe(false);
        // An edit that changed nothing: the document is on disk as it is.
        expect(await client.serverRequest('fspec/save', { uri: specUri })).toBe(true);
        expect(spec.saves).toBe(0);
    });
});
