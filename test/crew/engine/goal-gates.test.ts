import { describe, expect, test } from 'vitest';
import { loadCheckpoint } from '../../../language-server/src/crew/engine/index.js';
import { runDot, scriptByNode, useTempDirs } from './helpers.js';

/**
 * `gate` is a goal gate that may fail; a failure is routed on to `exit` anyway, so the exit check decides.
 * `fix` and `other` are possible retry targets (reachable from start by a condition that never holds).
 */
function gated(gateAttrs: string, graphAttrs = ''): string {
    return `digraph G {
        ${graphAttrs}
        start [shape=Mdiamond]
        gate [type=scripted, goal_gate=true ${gateAttrs}]
        fix [type=scripted]
        other [type=scripted]
        exit [shape=Msquare]
        start -> gate
        start -> fix [condition="context.never=1"]
        start -> other [condition="context.never=1"]
        gate -> exit [condition="outcome=success"]
        gate -> exit [condition="outcome=partial_success"]
        gate -> exit [condition="outcome=fail"]
        fix -> gate
        other -> gate
    }`;
}

describe('goal gates', () => {
    const tempDir = useTempDirs();

    test('[#42] the latest outcome of every goal gate is recorded in the result and the checkpoint', async () => {
        const logsRoot = tempDir();
        const result = await runDot(gated(', retry_target=fix'), logsRoot, {
            handlers: { scripted: scriptByNode({ gate: [{ status: 'fail' }, { status: 'partial_success', notes: 'second try' }] }) }
        });
        expect(result.node_outcomes.gate).toEqual({ status: 'partial_success', notes: 'second try' });
        expect(loadCheckpoint(logsRoot).node_outcomes.gate).toEqual({ status: 'partial_success', notes: 'second try' });
    });

    test('[#43] at the exit with every gate at SUCCESS or PARTIAL_SUCCESS the run succeeds', async () => {
        for (const status of ['success', 'partial_success'] as const) {
            const result = await runDot(gated(''), tempDir(), { handlers: { scripted: scriptByNode({ gate: [{ status }] }) } });
            expect(result.status).toBe('success');
            expect(result.completed_nodes).toEqual(['start', 'gate', 'exit']);
        }
    });

    test.each([
        ['the node retry_target', ', retry_target=fix, fallback_retry_target=other', '', 'fix'],
        ['the node fallback_retry_target', ', fallback_retry_target=other', 'retry_target=fix', 'other'],
        ['the graph retry_target', '', 'retry_target=fix; fallback_retry_target=other', 'fix'],
        ['the graph fallback_retry_target', '', 'fallback_retry_target=other', 'other'],
        ['the fallback when the retry_target is not a node', ', retry_target=ghost, fallback_retry_target=other', '', 'other']
    ])('[#44] an unsatisfied gate at the exit jumps to %s, which runs next', async (_, gateAttrs, graphAttrs, target) => {
        const handler = scriptByNode({ gate: [{ status: 'fail' }, { status: 'success' }] });
        const result = await runDot(gated(gateAttrs, graphAttrs), tempDir(), { handlers: { scripted: handler } });
        expect(result.completed_nodes).toEqual(['start', 'gate', target, 'gate', 'exit']);
        expect(result.status).toBe('success');
    });

    test('[#44] a gate whose RETRY ran out of attempts (recorded as FAIL) also blocks the exit', async () => {
        const handler = scriptByNode({ gate: [{ status: 'retry' }, { status: 'success' }] });
        const result = await runDot(gated(', retry_target=fix'), tempDir(), { handlers: { scripted: handler } });
        expect(result.completed_nodes).toEqual(['start', 'gate', 'fix', 'gate', 'exit']);
        expect(handler.calls).toEqual(['gate', 'fix', 'gate']);
    });

    test('[#45] with no retry target anywhere the run fails, saying the gate is unsatisfied', async () => {
        const result = await runDot(gated(''), tempDir(), { handlers: { scripted: scriptByNode({ gate: [{ status: 'fail' }] }) } });
        expect(result.status).toBe('fail');
        expect(result.failure_reason).toBe('goal gate gate is unsatisfied (fail) and no retry target is set');
        expect(result.completed_nodes).toEqual(['start', 'gate']);
    });

    test('a goal gate that was never visited does not block the exit (A.3 #13)', async () => {
        const dot = `digraph G {
            start [shape=Mdiamond]
            gate [type=scripted, goal_gate=true]
            exit [shape=Msquare]
            start -> exit
            start -> gate [condition="context.never=1"]
            gate -> exit
        }`;
        const handler = scriptByNode({ gate: [{ status: 'fail' }] });
        const result = await runDot(dot, tempDir(), { handlers: { scripted: handler } });
        expect(result.status).toBe('success');
        expect(handler.calls).toEqual([]);
    });
});
