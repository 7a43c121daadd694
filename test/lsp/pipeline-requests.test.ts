import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import defaultCrewDot from '../../language-server/src/crew/crew.dot';
import { PipelineMethods, type PipelineRunInfo } from '../../language-server/src/protocol.js';
import { PipelineClient, projectFolder } from './pipeline-client.js';
import review from '../crew/engine/fixtures/release-review.dot';

// Runs started from the editor over stdio: progress events, a human gate asked of the client, cancel.
const project = projectFolder();
let client: PipelineClient;

beforeAll(async () => {
    client = await PipelineClient.start();
});

afterAll(() => client.stop());

function open(name: string, text: string): string {
    const uri = project.uri(name);
    fs.writeFileSync(project.file(name), text);
    client.open(uri, text);
    return uri;
}

describe('fspec/runPipeline', () => {
    test('runs the pipeline, asks its human gate of the client and goes along the chosen edge', async () => {
        const uri = open('review.dot', review);
        client.answer = async ({ question }) => ({ value: 'S', selected_option: question.options.find(o => o.key === 'S') });
        const result: PipelineRunInfo = await client.connection.sendRequest(PipelineMethods.runPipeline, { uri, simulate: true });
        expect(result).toMatchObject({ uri, name: 'review', status: 'success', simulated: true, completed: ['start', 'draft', 'gate', 'ship', 'done'] });
        expect(result.message).toMatch(/^review succeeded: start → draft → gate → ship → done \(LLM stages simulated\); run directory \.factory\/runs\/\S+\.$/);
        expect(fs.existsSync(`${result.logsRoot}/checkpoint.json`)).toBe(true);

        expect(client.asked).toHaveLength(1);
        expect(client.asked[0].question).toMatchObject({
            text: 'Ship it?', type: 'MULTIPLE_CHOICE', stage: 'gate',
            options: [{ key: 'S', label: '[S] Ship' }, { key: 'R', label: '[R] Rework' }],
            default: { value: 'R', selected_option: { key: 'R', label: '[R] Rework' } }
        });
        const events = client.events.filter(e => e.runId === result.runId);
        expect(events[0].event).toMatchObject({ kind: 'started', name: 'review', simulated: true });
        expect(events.filter(e => e.event.kind === 'stage').map(e => e.event.kind === 'stage' && `${e.event.node} ${e.event.status}`)).toEqual([
            'start started', 'start completed', 'draft started', 'draft completed', 'gate started', 'gate completed',
            'ship started', 'ship completed', 'done started', 'done completed'
        ]);
        const gateRunning = events.find(e => e.event.kind === 'question')!;
        expect(gateRunning.event).toEqual({ kind: 'question', node: 'gate', text: 'Ship it?' });
        expect(gateRunning.state).toEqual({ current: 'gate', completed: ['start', 'draft'], failed: [] });
        expect(events.find(e => e.event.kind === 'answered')!.event).toEqual({ kind: 'answered', node: 'gate', answer: '[S] Ship' });
        expect(events.at(-1)!.event).toEqual({ kind: 'finished', result });

        // The preview shows the run: the nodes it completed.
        const drawn = await client.connection.sendRequest(PipelineMethods.renderPipeline, { uri });
        expect(drawn!.run).toEqual({ completed: ['start', 'draft', 'gate', 'ship', 'done'], failed: [] });
        expect(drawn!.diagram.mermaid).toContain('  class start,draft,gate,ship,done completed\n');
        expect((await client.connection.sendRequest(PipelineMethods.renderPipeline, { uri, run: null }))!.diagram.mermaid).not.toContain('classDef');
    });

    test('cancel stops a run waiting at its human gate, and withdraws the question', async () => {
        const uri = open('cancel.dot', review);
        let withdrawn = false;
        client.answer = (_params, token) => new Promise((_resolve, reject) => token.onCancellationRequested(() => {
            withdrawn = true;
            reject(new Error('cancelled'));
        }));
        const asked = client.asked.length;
        const running = client.connection.sendRequest(PipelineMethods.runPipeline, { uri, simulate: true });
        await client.until(() => client.asked.length > asked);
        const { runId } = client.asked.at(-1)!;
        await client.connection.sendRequest(PipelineMethods.cancelPipeline, { runId });
        const result: PipelineRunInfo = await running;
        expect(result).toMatchObject({ runId, status: 'cancelled', completed: ['start', 'draft'] });
        expect(result.message).toMatch(/^review was cancelled/);
        await client.until(() => withdrawn);
    });

    test('a question the client leaves open past its human.timeout is withdrawn, and the gate takes its default', async () => {
        const uri = open('timeout.dot', review.replace('human.default_choice=rework', 'human.default_choice=rework, human.timeout=1s'));
        let withdrawn = false;
        client.answer = (_params, token) => new Promise((_resolve, reject) => token.onCancellationRequested(() => {
            withdrawn = true;
            reject(new Error('cancelled'));
        }));
        const result: PipelineRunInfo = await client.connection.sendRequest(PipelineMethods.runPipeline, { uri, simulate: true });
        expect(client.asked.at(-1)!.question.timeout_seconds).toBe(1);
        expect(result.completed).toEqual(['start', 'draft', 'gate', 'rework', 'done']);
        expect(withdrawn).toBe(true);
        expect(client.events.filter(e => e.runId === result.runId).map(e => e.event)).toContainEqual({ kind: 'answered', node: 'gate', answer: '[R] Rework' });
    });

    test('refuses a pipeline with errors and a crew pipeline, saying why', async () => {
        const invalid = open('invalid.dot', 'digraph broken {\n  start [shape=Mdiamond]\n  a -> b [condition="outcome=="]\n}\n');
        await expect(client.connection.sendRequest(PipelineMethods.runPipeline, { uri: invalid, simulate: true }))
            .rejects.toMatchObject({ message: expect.stringMatching(/^broken has 4 errors, so it cannot run: line 1: the pipeline has no exit node; line 3: node a cannot be reached from the start node; line 3: .*; and 1 more \(see the Problems\)\.$/) });
        const crew = open('crew.dot', defaultCrewDot);
        await expect(client.connection.sendRequest(PipelineMethods.runPipeline, { uri: crew, simulate: true }))
            .rejects.toMatchObject({ message: expect.stringMatching(/^crew is a crew pipeline \(refine: crew\.refine, plan: crew\.plan, compile: crew\.compile, …\): its steps grow a spec/) });
    });
});

describe('a client that cannot ask', () => {
    test('human gates take their default choice', async () => {
        const silent = await PipelineClient.start({});
        try {
            const uri = project.uri('silent.dot');
            fs.writeFileSync(project.file('silent.dot'), review);
            const result: PipelineRunInfo = await silent.connection.sendRequest(PipelineMethods.runPipeline, { uri, simulate: true });
            expect(result.completed).toEqual(['start', 'draft', 'gate', 'rework', 'done']);
            expect(silent.asked).toEqual([]);
        } finally {
            await silent.stop();
        }
    });
});
