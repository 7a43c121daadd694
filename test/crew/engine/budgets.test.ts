import { describe, expect, it } from 'vitest';
import {
    createDefaultRegistry,
    loadCheckpoint,
    parseDot,
    resumePipeline,
    type CodergenBackend,
    type PipelineNode
} from '../../../language-server/src/crew/engine/index.js';
import { runDot, useTempDirs } from './helpers.js';

const PIPELINE = (graphAttrs = '') => `digraph Budget {
    graph [goal="g"${graphAttrs ? `, ${graphAttrs}` : ''}]
    start [shape=Mdiamond]
    plan [prompt="Plan"]
    build [prompt="Build"]
    review [prompt="Review"]
    exit [shape=Msquare]
    start -> plan -> build -> review -> exit
}`;

/** Every stage's model reply costs `tokens` tokens and `cost` dollars. */
function meteredBackend(tokens: number, cost = 0): CodergenBackend & { ran: string[] } {
    const ran: string[] = [];
    return {
        ran,
        async run(node: PipelineNode, _prompt, _context, _signal, stage) {
            ran.push(node.id);
            stage.reportUsage({ total_tokens: tokens, cost });
            return `done ${node.id}`;
        }
    };
}

describe('run budgets', () => {
    const dirs = useTempDirs();

    it('a graph max_tokens stops the run at the stage that went over it, as a resumable FAIL naming the budget', async () => {
        const logsRoot = dirs();
        const backend = meteredBackend(40);
        const result = await runDot(PIPELINE('max_tokens=100'), logsRoot, { defaults: { backend } });
        expect(result.status).toBe('fail');
        expect(result.budget_exceeded).toBe(true);
        expect(result.failure_reason).toBe('token budget exceeded: 120 tokens used, max_tokens 100');
        expect(backend.ran).toEqual(['plan', 'build', 'review']);
        expect(result.completed_nodes).toEqual(['start', 'plan', 'build']);
        expect(result.events.find(e => e.kind === 'PipelineFailed')).toMatchObject({ error: result.failure_reason });
        const checkpoint = loadCheckpoint(logsRoot);
        expect(checkpoint.current_node).toBe('build');
        expect(checkpoint.usage).toEqual({ total_tokens: 120, cost: 0 });

        // A larger budget given by the caller replaces the graph's; the count goes on from the checkpoint.
        const more = meteredBackend(40);
        const resumed = await resumePipeline(parseDot(PIPELINE('max_tokens=100')), { logsRoot, registry: createDefaultRegistry({ backend: more }), limits: { max_tokens: 500 } });
        expect(resumed.status).toBe('success');
        expect(more.ran).toEqual(['review']);
        expect(resumed.usage).toEqual({ total_tokens: 160, cost: 0 });

        // Resumed without a larger budget, it stops again before any stage runs.
        const again = await runDot(PIPELINE('max_tokens=100'), dirs(), { defaults: { backend: meteredBackend(40) }, limits: { max_tokens: 30 } });
        expect(again.failure_reason).toBe('token budget exceeded: 40 tokens used, max_tokens 30');
        expect(again.completed_nodes).toEqual(['start']);
    });

    it('max_cost counts dollars the same way', async () => {
        const result = await runDot(PIPELINE('max_cost=0.05'), dirs(), { defaults: { backend: meteredBackend(10, 0.02) } });
        expect(result.status).toBe('fail');
        expect(result.failure_reason).toBe('cost budget exceeded: $0.0600 spent, max_cost 0.05');
        expect(result.usage.total_tokens).toBe(30);
    });

    it('max_wall_time stops a run that takes longer, in the middle of a stage', async () => {
        const logsRoot = dirs();
        const slow: CodergenBackend = {
            run: (_node, _prompt, _context, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        };
        const result = await runDot(PIPELINE('max_wall_time="50ms"'), logsRoot, { defaults: { backend: slow } });
        expect(result.status).toBe('fail');
        expect(result.failure_reason).toBe('wall-time budget exceeded: the run took longer than max_wall_time 50ms');
        expect(loadCheckpoint(logsRoot).current_node).toBe('start');
    });

    it('without budgets a run counts what it used and is never stopped for it', async () => {
        const result = await runDot(PIPELINE(), dirs(), { defaults: { backend: meteredBackend(1_000_000, 50) } });
        expect(result.status).toBe('success');
        expect(result.usage).toEqual({ total_tokens: 3_000_000, cost: 150 });
        expect(result.budget_exceeded).toBeUndefined();
    });
});
