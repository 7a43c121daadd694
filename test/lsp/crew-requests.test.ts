import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { URI } from 'langium';
import type { MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import type { CodeLens } from 'vscode-languageserver';
import { FactoryMethods, type GrowthResult, type PlanResult, type StartedVariant } from '../../language-server/src/protocol.js';
import { CrewClient } from './crew-client.js';
import { emptyFolder, type Sandbox } from '../lineage/git-sandbox.js';
import { exampleRepository } from '../crew/example-repository.js';

/**
 * The crew over LSP, as an editor drives it: the bundled server over stdio, a client that applies
 * the server's edits and saves on request, and a real git repository holding the farmer example.
 */
const tuesday = '    desire tuesday_first {\n      goal "Reserve Tuesday contracts first"\n      output packlists, invoices, shortfall_alerts\n    }\n';

let client: CrewClient;
let connection: MessageConnection;

function project(): { sandbox: Sandbox, file: string, uri: string, text: string } {
    const { sandbox, file, text } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
    return { sandbox, file, uri: client.open(file), text };
}

beforeAll(async () => {
    client = await CrewClient.start();
    connection = client.connection;
});

afterAll(() => client.stop());

describe('the crew over LSP', () => {
    it('offers Grow over pending desires and plans them without starting a run', async () => {
        const { uri } = project();
        const plan: PlanResult = await connection.sendRequest(FactoryMethods.plan.method, { uri });
        expect(plan.input.new_desires.map(d => d.name)).toEqual(['tuesday_first']);
        expect(plan.output.morphs.map(m => m.type)).toEqual(['add_step', 'add_test']);
        const lenses: CodeLens[] = await connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
        expect(lenses.map(l => l.command)).toContainEqual({ title: 'Grow: 1 new desire (tuesday_first)', command: 'fspec.grow', arguments: [uri] });
    });

    it('simulates up to review, then applies the approved growth through the editor and records it in git', async () => {
        const { sandbox, file, uri, text } = project();
        const review: GrowthResult = await connection.sendRequest(FactoryMethods.simulate.method, { uri });
        expect(review.status).toBe('awaiting-review');
        expect(review.pr?.before).toBe(text);
        expect(fs.readFileSync(file, 'utf8')).toBe(text);
        const runEvents = client.events.filter(e => e.runId === review.runId).map(e => e.event);
        expect(runEvents).toContainEqual({ kind: 'stage', node: 'safety', label: 'Identity invariants and morph rules', role: 'Safety', status: 'completed' });
        expect(runEvents.at(-1)).toEqual({ kind: 'review', result: review });

        const grown: GrowthResult = await connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' });
        expect(grown).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0' });
        expect(client.edits.at(-1)?.label).toBe('Grow spec');
        expect(client.saved).toContain(uri);
        expect(fs.readFileSync(file, 'utf8')).toBe(review.pr?.after);
        expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.3.0');
        expect(client.events.filter(e => e.runId === review.runId).at(-1)?.event).toEqual({ kind: 'finished', result: grown });
    });

    it('ends a cancelled run waiting for review without touching the spec, and refuses an answer for it', async () => {
        const { file, uri, text } = project();
        const review: GrowthResult = await connection.sendRequest(FactoryMethods.simulate.method, { uri });
        await connection.sendRequest(FactoryMethods.cancel.method, { runId: review.runId });
        await expect.poll(() => client.events.find(e => e.runId === review.runId && e.event.kind === 'finished')?.event).toMatchObject({ result: { status: 'cancelled' } });
        await expect(connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' }))
            .rejects.toThrow(`No growth run ${review.runId} is waiting for review`);
        expect(fs.readFileSync(file, 'utf8')).toBe(text);
    });

    it('resumes a run that waited for review when the server died, from its checkpoint', async () => {
        const { sandbox, file, text } = project();
        const first = await CrewClient.start();
        const review: GrowthResult = await first.connection.sendRequest(FactoryMethods.simulate.method, { uri: first.open(file) });
        await first.kill();
        expect(fs.readFileSync(file, 'utf8')).toBe(text);

        const second = await CrewClient.start();
        try {
            const resumed: GrowthResult = await second.connection.sendRequest(FactoryMethods.simulate.method, { uri: second.open(file) });
            expect(resumed).toMatchObject({ status: 'awaiting-review', runId: review.runId });
            // Nothing before the review ran again: the checkpoint had it all.
            expect(second.events.filter(e => e.event.kind === 'stage' && e.event.status === 'started').map(e => e.event.kind === 'stage' && e.event.node)).toEqual(['review']);
            const grown: GrowthResult = await second.connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' });
            expect(grown).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0' });
            expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.3.0');
        } finally {
            await second.stop();
        }
    });
});

describe('planning with a model configured', () => {
    it('counts a goal-only desire new since the approved version, as the run would, without calling the model', async () => {
        // Nothing listens there: planning must not call the model.
        const withModel = await CrewClient.start({ FSPEC_CREW_BASE_URL: 'http://127.0.0.1:9/v1', FSPEC_CREW_MODEL: 'scripted' });
        try {
            const goalOnly = '    desire weekend_market {\n      goal "Sell at the Saturday market"\n    }\n';
            const { file } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', goalOnly);
            const uri = withModel.open(file);
            const plan: PlanResult = await withModel.connection.sendRequest(FactoryMethods.plan.method, { uri });
            expect(plan.input.new_desires.map(d => d.name)).toContain('weekend_market');
            // Offline, a goal alone is no gap to grow from.
            const offline: PlanResult = await connection.sendRequest(FactoryMethods.plan.method, { uri: client.open(file) });
            expect(offline.input.new_desires.map(d => d.name)).not.toContain('weekend_market');
        } finally {
            await withModel.stop();
        }
    });
});

describe('lineage changes over LSP', () => {
    it('starts a variant from the approved baseline and checks out its branch; starting it again is refused with the reason', async () => {
        const { sandbox, uri } = project();
        const review: GrowthResult = await connection.sendRequest(FactoryMethods.simulate.method, { uri });
        await connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' });

        const started: StartedVariant = await connection.sendRequest(FactoryMethods.startVariant.method, { uri, name: 'coastal' });
        expect(started).toMatchObject({ spec: 'FarmOps', variant: 'coastal', branch: 'fspec/FarmOps/coastal', from: '0.3.0', commit: sandbox.head() });
        expect(started.message).toContain('(next 0.4.0-coastal)');
        expect(sandbox.git('branch', '--show-current').trim()).toBe('fspec/FarmOps/coastal');

        const refused = await connection.sendRequest(FactoryMethods.startVariant.method, { uri, name: 'coastal' }).then(() => undefined, (e: ResponseError<{ reason: string }>) => e);
        expect(refused?.message).toBe('The variant coastal of FarmOps exists already (branch fspec/FarmOps/coastal): check it out to grow it.');
        expect(refused?.data).toEqual({ reason: 'branch-exists' });
    });

    it('initializes a repository in a folder that has none, and refuses a folder already in one', async () => {
        const folder = emptyFolder();
        const { root } = await connection.sendRequest(FactoryMethods.initRepository.method, { folder: URI.file(folder).toString() }) as { root: string };
        expect(root).toBe(folder);
        expect(fs.existsSync(`${folder}/.git`)).toBe(true);
        const refused = await connection.sendRequest(FactoryMethods.initRepository.method, { folder: URI.file(folder).toString() }).then(() => undefined, (e: ResponseError<{ reason: string }>) => e);
        expect(refused?.data).toEqual({ reason: 'already-a-repository' });
    });
});
