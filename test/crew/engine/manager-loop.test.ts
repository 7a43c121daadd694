import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../../language-server/src/crew/engine/index.js';
import { runDot, useTempDirs } from './helpers.js';

/** A manager pipeline supervising `child.dot` in `workdir`, with the given manager attributes. */
const manager = (attrs: string, graphAttrs = 'stack.child_dotfile="child.dot"') => `digraph Manager {
    graph [${graphAttrs}]
    start [shape=Mdiamond]
    boss [shape=house, manager.poll_interval="10ms"${attrs ? `, ${attrs}` : ''}]
    after [shape=parallelogram, tool_command="echo after"]
    exit [shape=Msquare]
    start -> boss
    boss -> after [condition="outcome=success"]
    after -> exit
}`;

const child = (middle: string) => `digraph Child {
    start [shape=Mdiamond]
    ${middle}
    exit [shape=Msquare]
}`;

describe('the manager loop (§4.11)', () => {
    const dirs = useTempDirs();

    function setUp(childDot: string) {
        const workdir = dirs();
        writeFileSync(join(workdir, 'child.dot'), childDot);
        return { workdir, logsRoot: dirs() };
    }

    it('[S20] stops with SUCCESS when the child pipeline succeeds, and the parent run goes on', async () => {
        const { workdir, logsRoot } = setUp(child('work [shape=parallelogram, tool_command="echo built"]\n start -> work -> exit'));
        const result = await runDot(manager(''), logsRoot, { defaults: { toolWorkdir: workdir } });
        expect(result.status).toBe('success');
        expect(result.completed_nodes).toEqual(['start', 'boss', 'after', 'exit']);
        expect(result.node_outcomes.boss).toMatchObject({ status: 'success', notes: 'Child completed: Child' });
        expect(result.context).toMatchObject({
            'stack.child.status': 'completed', 'stack.child.outcome': 'success', 'stack.child.completed_count': 3, 'stack.child.context.tool.output': 'built'
        });
        expect(loadCheckpoint(join(logsRoot, 'boss', 'child')).current_node).toBe('exit');
    });

    it('[S20] returns FAIL when the child fails', async () => {
        const { workdir, logsRoot } = setUp(child('work [shape=parallelogram, tool_command="echo broken >&2; exit 4"]\n start -> work -> exit'));
        const result = await runDot(manager(''), logsRoot, { defaults: { toolWorkdir: workdir } });
        expect(result.status).toBe('fail');
        expect(result.node_outcomes.boss).toMatchObject({ status: 'fail', failure_reason: 'Child failed: tool_command exited with code 4: broken' });
        expect(result.context['stack.child.status']).toBe('failed');
    });

    it('[S20] stops with SUCCESS when manager.stop_condition holds, cancelling the child still running', async () => {
        const { workdir, logsRoot } = setUp(child('mark [shape=parallelogram, tool_command="echo ready"]\n wait [shape=parallelogram, tool_command="sleep 20"]\n start -> mark -> wait -> exit'));
        const started = performance.now();
        const result = await runDot(manager('manager.stop_condition="context.stack.child.context.tool.output=ready"'), logsRoot, { defaults: { toolWorkdir: workdir } });
        expect(result.status).toBe('success');
        expect(result.node_outcomes.boss.notes).toBe('Stop condition satisfied: context.stack.child.context.tool.output=ready');
        expect(result.context['stack.child.status']).toBe('cancelled');
        expect(performance.now() - started).toBeLessThan(15_000);
    });

    it('[S20] returns FAIL after manager.max_cycles', async () => {
        const { workdir, logsRoot } = setUp(child('wait [shape=parallelogram, tool_command="sleep 20"]\n start -> wait -> exit'));
        const result = await runDot(manager('manager.max_cycles=3'), logsRoot, { defaults: { toolWorkdir: workdir } });
        expect(result.status).toBe('fail');
        expect(result.node_outcomes.boss.failure_reason).toBe('Max cycles exceeded: the child Child was still running after 3 cycles');
        expect(result.context).toMatchObject({ 'stack.child.status': 'cancelled', 'stack.child.current_node': 'wait' });
    });

    it('[S20] steer writes the manager prompt into the stage the child is running', async () => {
        const { workdir, logsRoot } = setUp(child('wait [shape=parallelogram, tool_command="sleep 0.3"]\n start -> wait -> exit'));
        const result = await runDot(manager('manager.actions="observe,steer,wait", prompt="Finish up"'), logsRoot, { defaults: { toolWorkdir: workdir } });
        expect(result.status).toBe('success');
        expect(existsSync(join(logsRoot, 'boss', 'child', 'wait', 'steer.md'))).toBe(true);
    });

    it('a missing or broken child pipeline fails the manager with the reason; cancelling the parent cancels the child', async () => {
        const noChild = await runDot(manager('', 'goal="g"'), dirs());
        expect(noChild.node_outcomes.boss.failure_reason).toBe('manager loop boss: the graph sets no stack.child_dotfile to supervise');

        const { workdir, logsRoot } = setUp('digraph Child { start [shape=Mdiamond] start -> }');
        const broken = await runDot(manager(''), logsRoot, { defaults: { toolWorkdir: workdir } });
        expect(broken.node_outcomes.boss.failure_reason).toMatch(/^manager loop boss: the child pipeline .*child\.dot does not parse: /);

        const running = setUp(child('wait [shape=parallelogram, tool_command="sleep 20"]\n start -> wait -> exit'));
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error('stop')), 200);
        const started = performance.now();
        const cancelled = await runDot(manager(''), running.logsRoot, { defaults: { toolWorkdir: running.workdir }, signal: controller.signal });
        expect(cancelled.status).toBe('cancelled');
        expect(performance.now() - started).toBeLessThan(15_000);
    });
});
