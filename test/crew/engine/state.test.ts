import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
    Context,
    createDefaultRegistry,
    loadCheckpoint,
    newRunId,
    parseDot,
    resumePipeline,
    runPipeline,
    saveCheckpoint,
    type NodeHandler
} from '../../../language-server/src/crew/engine/index.js';
import { readJson, runDot, scriptByNode, stageFiles, useTempDirs } from './helpers.js';

const PIPELINE = `digraph State {
    graph [goal="keep state", label="State run"]
    start [shape=Mdiamond]
    a [type=scripted]
    b [type=scripted]
    c [type=scripted]
    write [prompt="Write for $goal"]
    exit [shape=Msquare]
    start -> a -> b -> c -> write -> exit
}`;

/** Each node records what it saw of the previous node's writes, then writes its own. */
function relay(): NodeHandler & { seen: Record<string, unknown> } {
    const seen: Record<string, unknown> = {};
    const handler: NodeHandler = async (node, context) => {
        seen[node.id] = { previous: context.get('written_by'), outcome: context.get('outcome'), label: context.getString('preferred_label') };
        return { status: 'success', preferred_label: `from ${node.id}`, context_updates: { written_by: node.id, [`visited.${node.id}`]: true } };
    };
    return Object.assign(handler, { seen });
}

describe('state and context', () => {
    const tempDir = useTempDirs();

    test('[#67] every handler sees the same context; get_string gives "" for a missing key; graph.goal is mirrored in', async () => {
        const contexts: Context[] = [];
        const context = new Context();
        const handler: NodeHandler = async (_node, ctx) => { contexts.push(ctx); return { status: 'success' }; };
        const registry = createDefaultRegistry();
        registry.register('scripted', handler);
        await runPipeline(parseDot(PIPELINE), { logsRoot: tempDir(), registry, context });
        expect(contexts).toHaveLength(3);
        expect(contexts.every(c => c === context)).toBe(true);
        expect(context.get('graph.goal')).toBe('keep state');
        expect(context.get('graph.label')).toBe('State run');
        expect(context.getString('missing')).toBe('');
        expect(context.getString('missing', 'fallback')).toBe('fallback');
        context.set('n', 4);
        expect(context.getString('n')).toBe('4');
    });

    test('[#68 #69] a handler reads what earlier nodes wrote, and its context_updates reach the next node with outcome and preferred_label', async () => {
        const handler = relay();
        const result = await runDot(PIPELINE, tempDir(), { handlers: { scripted: handler } });
        expect(handler.seen).toEqual({
            a: { previous: undefined, outcome: 'success', label: '' },
            b: { previous: 'a', outcome: 'success', label: 'from a' },
            c: { previous: 'b', outcome: 'success', label: 'from b' }
        });
        expect(result.context).toMatchObject({ 'visited.a': true, 'visited.b': true, 'visited.c': true, last_stage: 'write' });
    });

    test('[#70] checkpoint.json is rewritten after each node with the §5.3 snake_case keys', async () => {
        const logsRoot = tempDir();
        const snapshots: Record<string, unknown>[] = [];
        await runDot(PIPELINE, logsRoot, {
            handlers: { scripted: relay() },
            onEvent: event => {
                if (event.kind === 'CheckpointSaved') {
                    snapshots.push(readJson(logsRoot, 'checkpoint.json'));
                }
            }
        });
        expect(snapshots.map(s => s.current_node)).toEqual(['', 'start', 'a', 'b', 'c', 'write', 'exit']);
        const afterB = snapshots[3];
        expect(Object.keys(afterB).sort()).toEqual(['completed_nodes', 'context', 'current_node', 'logs', 'node_outcomes', 'node_retries', 'node_visits', 'timestamp', 'usage']);
        expect(afterB.completed_nodes).toEqual(['start', 'a', 'b']);
        expect(afterB.context).toMatchObject({ written_by: 'b', outcome: 'success', 'graph.goal': 'keep state' });
        expect(afterB.node_retries).toEqual({});
        expect(afterB.node_visits).toEqual({ start: 1, a: 1, b: 1 });
        expect(Number.isNaN(Date.parse(afterB.timestamp as string))).toBe(false);
        expect(readdirSync(logsRoot).filter(name => name.endsWith('.tmp'))).toEqual([]);
    });

    test('[#71] resume continues after current_node with context, completed nodes and retry counters restored; finished nodes do not run again', async () => {
        const logsRoot = tempDir();
        // Stop the first run right after node b, as a crash would.
        const controller = new AbortController();
        await runDot(PIPELINE, logsRoot, {
            handlers: { scripted: relay() },
            signal: controller.signal,
            onEvent: event => {
                if (event.kind === 'CheckpointSaved' && event.node_id === 'b') {
                    controller.abort('crash');
                }
            }
        });
        const checkpoint = loadCheckpoint(logsRoot);
        expect(checkpoint.current_node).toBe('b');
        saveCheckpoint(logsRoot, { ...checkpoint, node_retries: { a: 1 } });
        const aStatus = statSync(join(logsRoot, 'a', 'status.json')).mtimeMs;

        const handler = relay();
        const registry = createDefaultRegistry();
        registry.register('scripted', handler);
        const resumed = await resumePipeline(parseDot(PIPELINE), { logsRoot, registry });
        expect(Object.keys(handler.seen)).toEqual(['c']);
        expect(handler.seen.c).toEqual({ previous: 'b', outcome: 'success', label: 'from b' });
        expect(resumed.completed_nodes).toEqual(['start', 'a', 'b', 'c', 'write', 'exit']);
        expect(loadCheckpoint(logsRoot).node_retries).toEqual({ a: 1 });
        expect(statSync(join(logsRoot, 'a', 'status.json')).mtimeMs).toBe(aStatus);
    });

    test('resume lays options.context over the restored context: its keys win, the others keep their checkpointed values', async () => {
        const logsRoot = tempDir();
        const controller = new AbortController();
        await runDot(PIPELINE, logsRoot, {
            handlers: { scripted: relay() },
            signal: controller.signal,
            onEvent: event => event.kind === 'CheckpointSaved' && event.node_id === 'b' && controller.abort('crash')
        });
        const handler = relay();
        const registry = createDefaultRegistry();
        registry.register('scripted', handler);
        const overlay = new Context({ written_by: 'operator', 'input.note': 'retry with care' }, ['resumed by operator']);
        const resumed = await resumePipeline(parseDot(PIPELINE), { logsRoot, registry, context: overlay });
        expect(handler.seen.c).toEqual({ previous: 'operator', outcome: 'success', label: 'from b' });
        expect(resumed.status).toBe('success');
        expect(resumed.context).toMatchObject({ 'input.note': 'retry with care', 'visited.a': true, 'visited.b': true, 'graph.goal': 'keep state' });
        expect(loadCheckpoint(logsRoot).logs.at(-1)).toBe('resumed by operator');
    });

    test('[#72] an interrupted and resumed run ends like an uninterrupted one', async () => {
        const uninterrupted = await runDot(PIPELINE, tempDir(), { handlers: { scripted: relay() } });
        const logsRoot = tempDir();
        const controller = new AbortController();
        await runDot(PIPELINE, logsRoot, {
            handlers: { scripted: relay() },
            signal: controller.signal,
            onEvent: event => event.kind === 'StageStarted' && event.node_id === 'c' && controller.abort()
        });
        const registry = createDefaultRegistry();
        registry.register('scripted', relay());
        const resumed = await resumePipeline(parseDot(PIPELINE), { logsRoot, registry });
        expect(resumed.status).toBe(uninterrupted.status);
        expect(resumed.completed_nodes).toEqual(uninterrupted.completed_nodes);
        const withoutRunNoise = (context: Readonly<Record<string, unknown>>) => ({ ...context, current_node: undefined });
        expect(withoutRunNoise(resumed.context)).toEqual(withoutRunNoise(uninterrupted.context));
    });

    test('resuming a finished run runs nothing and returns its result; a checkpoint before the first node starts from the start', async () => {
        const logsRoot = tempDir();
        await runDot(PIPELINE, logsRoot, { handlers: { scripted: relay() } });
        const handler = relay();
        const registry = createDefaultRegistry();
        registry.register('scripted', handler);
        const again = await resumePipeline(parseDot(PIPELINE), { logsRoot, registry });
        expect(again.status).toBe('success');
        expect(handler.seen).toEqual({});

        const fresh = tempDir();
        saveCheckpoint(fresh, { timestamp: '', current_node: '', completed_nodes: [], node_retries: {}, node_outcomes: {}, context: { 'graph.goal': 'keep state' }, logs: [] });
        const started = await resumePipeline(parseDot(PIPELINE), { logsRoot: fresh, registry });
        expect(started.completed_nodes).toEqual(['start', 'a', 'b', 'c', 'write', 'exit']);
    });

    test('[#73] every codergen node that ran has prompt.md, response.md and status.json', async () => {
        const logsRoot = tempDir();
        await runDot(PIPELINE, logsRoot, { handlers: { scripted: scriptByNode({}) } });
        expect(stageFiles(logsRoot, 'write', ['prompt.md', 'response.md', 'status.json'])).toBe(true);
        expect(readFileSync(join(logsRoot, 'write', 'prompt.md'), 'utf8')).toBe('Write for keep state');
    });

    test('[S10] manifest.json holds the pipeline name, goal and start time', async () => {
        const logsRoot = tempDir();
        await runDot(PIPELINE, logsRoot, { handlers: { scripted: scriptByNode({}) }, runId: 'run-7' });
        const manifest = readJson(logsRoot, 'manifest.json');
        expect(manifest).toMatchObject({ name: 'State', goal: 'keep state', label: 'State run', run_id: 'run-7' });
        expect(Number.isNaN(Date.parse(manifest.started_at as string))).toBe(false);
    });

    test('a parallel branch works on a clone: changes in the clone never reach the original', () => {
        const original = new Context({ nested: { list: [1] } }, ['log 1']);
        const clone = original.clone();
        (clone.get('nested') as { list: number[] }).list.push(2);
        clone.set('new', true);
        clone.appendLog('log 2');
        expect(original.snapshot()).toEqual({ nested: { list: [1] } });
        expect(original.logEntries()).toEqual(['log 1']);
    });

    test('newRunId is a sortable UTC timestamp with a random suffix', () => {
        const early = newRunId(new Date('2026-03-17T10:15:00.123Z'));
        const late = newRunId(new Date('2026-03-17T10:15:00.124Z'));
        expect(early).toMatch(/^20260317T101500123Z-[0-9a-f]{6}$/);
        expect([late, early].sort()).toEqual([early, late]);
        expect(newRunId()).not.toBe(newRunId());
    });
});
