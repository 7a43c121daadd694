import { describe, expect, test } from 'vitest';
import { Context, createDefaultRegistry, loadCheckpoint, parseDot, resumePipeline, saveCheckpoint } from '../../../language-server/src/crew/engine/index.js';
import { runDot, scriptByNode, useTempDirs } from './helpers.js';

/** `work` loops back to itself until its third pass says done (context.done=yes). */
function loop(maxVisits?: number): string {
    return `digraph Loop {
        start [shape=Mdiamond]
        work [type=scripted${maxVisits === undefined ? '' : `, max_visits=${maxVisits}`}]
        exit [shape=Msquare]
        start -> work
        work -> exit [condition="context.done=yes"]
        work -> work [condition="context.done!=yes"]
    }`;
}

function passes(count: number) {
    return scriptByNode({ work: [...Array.from({ length: count - 1 }, () => ({ status: 'success' as const })), { status: 'success', context_updates: { done: 'yes' } }] });
}

describe('max_visits', () => {
    const tempDir = useTempDirs();

    test('a loop whose node has max_visits=3 fails on the 4th entry, naming the node and the limit', async () => {
        const handler = passes(5);
        const result = await runDot(loop(3), tempDir(), { handlers: { scripted: handler } });
        expect(result.status).toBe('fail');
        expect(result.failure_reason).toBe('node work reached its max_visits limit (3): the run may not enter it again');
        expect(handler.calls).toEqual(['work', 'work', 'work']);
        expect(result.completed_nodes).toEqual(['start', 'work', 'work', 'work']);
        expect(result.events.find(e => e.kind === 'PipelineFailed')).toMatchObject({ error: result.failure_reason });
    });

    test("without max_visits (or with room to spare) the loop's own exit works", async () => {
        for (const limit of [undefined, 0, 3]) {
            const result = await runDot(loop(limit), tempDir(), { handlers: { scripted: passes(3) } });
            expect([limit, result.status, result.completed_nodes]).toEqual([limit, 'success', ['start', 'work', 'work', 'work', 'exit']]);
        }
    });

    test('visits are counted in the checkpoint (node_visits), so a resumed run goes on counting', async () => {
        const logsRoot = tempDir();
        const controller = new AbortController();
        await runDot(loop(3), logsRoot, {
            handlers: { scripted: passes(5) },
            signal: controller.signal,
            onEvent: event => event.kind === 'CheckpointSaved' && loadCheckpoint(logsRoot).node_visits?.work === 2 && controller.abort('crash')
        });
        expect(loadCheckpoint(logsRoot).node_visits).toEqual({ start: 1, work: 2 });
        const handler = passes(5);
        const registry = createDefaultRegistry();
        registry.register('scripted', handler);
        const resumed = await resumePipeline(parseDot(loop(3)), { logsRoot, registry, sleep: async () => {} });
        expect(handler.calls).toEqual(['work']);
        expect(resumed.status).toBe('fail');
        expect(resumed.failure_reason).toMatch(/node work reached its max_visits limit \(3\)/);
    });

    test('a checkpoint without node_visits (written before it existed) resumes as no visits', async () => {
        const logsRoot = tempDir();
        saveCheckpoint(logsRoot, { timestamp: '', current_node: '', completed_nodes: [], node_retries: {}, node_outcomes: {}, context: {}, logs: [] });
        const registry = createDefaultRegistry();
        registry.register('scripted', passes(3));
        const resumed = await resumePipeline(parseDot(loop(3)), { logsRoot, registry, context: new Context() });
        expect(resumed.status).toBe('success');
    });
});
