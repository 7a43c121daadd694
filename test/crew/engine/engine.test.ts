import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
    Context,
    createDefaultRegistry,
    HandlerRegistry,
    loadCheckpoint,
    parseDot,
    resumePipeline,
    runPipeline,
    SHAPE_TO_HANDLER_TYPE,
    toStatusFile,
    type NodeHandler,
    type PipelineEvent
} from '../../../language-server/src/crew/engine/index.js';
import { readJson, runDot, scriptByNode, scriptedHandler, useTempDirs } from './helpers.js';

const LINEAR = `digraph Linear {
    start [shape=Mdiamond]
    a [type=scripted]
    b [type=scripted]
    exit [shape=Msquare]
    start -> a -> b -> exit
}`;

describe('execution engine', () => {
    const tempDir = useTempDirs();

    test('[#27] execution begins at the start node: first in completed_nodes and first stage event', async () => {
        const result = await runDot(LINEAR, tempDir(), { handlers: { scripted: scriptedHandler() } });
        expect(result.completed_nodes[0]).toBe('start');
        expect(result.events.find(e => e.kind === 'StageStarted')).toMatchObject({ node_id: 'start' });
    });

    test.each([
        ['hexagon', 'wait.human'],
        ['parallelogram', 'tool'],
        ['diamond', 'conditional'],
        ['component', 'parallel'],
        ['tripleoctagon', 'parallel.fan_in'],
        ['Mdiamond', 'start'],
        ['Msquare', 'exit'],
        ['box', 'codergen']
    ])('[#28] shape %s resolves to the %s handler', (shape, type) => {
        const registry = new HandlerRegistry(scriptedHandler());
        const handlers = Object.fromEntries(['start', 'exit', 'codergen', 'conditional', 'wait.human', 'tool', 'parallel', 'parallel.fan_in']
            .map(t => [t, scriptedHandler()] as const));
        for (const [t, h] of Object.entries(handlers)) {
            registry.register(t, h);
        }
        const node = parseDot(`digraph G { n [shape=${shape}] }`).nodes.get('n')!;
        expect(registry.resolve(node)).toEqual({ type, handler: handlers[type] });
    });

    test('[S5] all nine shapes of Appendix B map to their handler types', () => {
        expect(SHAPE_TO_HANDLER_TYPE).toEqual({
            Mdiamond: 'start', Msquare: 'exit', box: 'codergen', hexagon: 'wait.human', diamond: 'conditional',
            component: 'parallel', tripleoctagon: 'parallel.fan_in', parallelogram: 'tool', house: 'stack.manager_loop'
        });
    });

    test('[#28] a missing or unknown shape falls back to codergen, and an explicit type overrides the shape', () => {
        const registry = createDefaultRegistry();
        const codergen = registry.resolve(parseDot('digraph G { n }').nodes.get('n')!).handler;
        expect(registry.resolve(parseDot('digraph G { n [shape=ellipse] }').nodes.get('n')!).handler).toBe(codergen);
        expect(registry.resolve(parseDot('digraph G { n [shape=house] }').nodes.get('n')!).type).toBe('stack.manager_loop');
        expect(registry.resolve(parseDot('digraph G { n [shape=box, type="tool"] }').nodes.get('n')!).type).toBe('tool');
        expect(registry.resolve(parseDot('digraph G { n [shape=hexagon, type="nobody"] }').nodes.get('n')!).type).toBe('wait.human');
    });

    test('[#29] the handler gets (node, context, graph, logs_root, signal) and returns an Outcome', async () => {
        const logsRoot = tempDir();
        const seen: unknown[][] = [];
        const spy: NodeHandler = async (...args) => {
            seen.push(args);
            return { status: 'success' };
        };
        const context = new Context({ seeded: 1 });
        const graph = parseDot(LINEAR);
        const registry = createDefaultRegistry();
        registry.register('scripted', spy);
        await runPipeline(graph, { logsRoot, registry, context });
        const [node, handlerContext, handlerGraph, handlerLogsRoot, signal] = seen[0];
        expect(node).toMatchObject({ id: 'a', type: 'scripted' });
        expect(handlerContext).toBe(context);
        expect((handlerGraph as typeof graph).nodes.get('b')).toBeDefined();
        expect(handlerLogsRoot).toBe(logsRoot);
        expect(signal).toBeInstanceOf(AbortSignal);
    });

    test('[#30] after a node runs, {logs_root}/{node_id}/status.json holds its status in lowercase', async () => {
        const logsRoot = tempDir();
        await runDot(LINEAR, logsRoot, { handlers: { scripted: scriptByNode({ a: [{ status: 'partial_success', notes: 'half' }] }) } });
        expect(readJson(logsRoot, 'a', 'status.json')).toEqual({ outcome: 'partial_success', notes: 'half' });
        expect(readJson(logsRoot, 'b', 'status.json')).toEqual({ outcome: 'success' });
    });

    test('[S6] status.json uses the Appendix C keys (plus failure_reason, the §5.2 field, when set)', () => {
        const file = toStatusFile({
            status: 'fail', preferred_label: 'Fix', suggested_next_ids: ['fix'], context_updates: { k: 'v' }, notes: 'n', failure_reason: 'r'
        });
        expect(Object.keys(file).sort()).toEqual(['context_updates', 'failure_reason', 'notes', 'outcome', 'preferred_label', 'suggested_next_ids']);
        expect(file.outcome).toBe('fail');
        expect(Object.keys(toStatusFile({ status: 'success' }))).toEqual(['outcome']);
    });

    test('the edges of a conditional node see its own SUCCESS as outcome (A.3 #11)', async () => {
        const dot = `digraph G {
            start [shape=Mdiamond]
            work [type=scripted]
            check [shape=diamond]
            partial [type=scripted]
            clean [type=scripted]
            exit [shape=Msquare]
            start -> work -> check
            check -> partial [condition="outcome=partial_success"]
            check -> clean [condition="outcome=success"]
            partial -> exit
            clean -> exit
        }`;
        const result = await runDot(dot, tempDir(), { handlers: { scripted: scriptByNode({ work: [{ status: 'partial_success' }] }) } });
        expect(result.completed_nodes).toEqual(['start', 'work', 'check', 'clean', 'exit']);
    });

    test('[#38] the loop runs a node once per visit on a back-edge loop', async () => {
        const dot = `digraph Loop {
            start [shape=Mdiamond]
            work [type=scripted]
            check [type=scripted]
            exit [shape=Msquare]
            start -> work -> check
            check -> work [condition="context.done!=yes"]
            check -> exit [condition="context.done=yes"]
        }`;
        const handler = scriptByNode({ check: [{ status: 'success' }, { status: 'success' }, { status: 'success', context_updates: { done: 'yes' } }] });
        const result = await runDot(dot, tempDir(), { handlers: { scripted: handler } });
        expect(handler.calls).toEqual(['work', 'check', 'work', 'check', 'work', 'check']);
        expect(result.completed_nodes).toEqual(['start', 'work', 'check', 'work', 'check', 'work', 'check', 'exit']);
        expect(result.status).toBe('success');
    });

    test('[#39] when no edge is selected after a non-exit node the run ends as a FAIL naming the node, never a silent success', async () => {
        const dot = `digraph G {
            start [shape=Mdiamond]
            a [type=scripted]
            exit [shape=Msquare]
            start -> a
            a -> exit [condition="context.go=yes"]
        }`;
        const ended = await runDot(dot, tempDir(), { handlers: { scripted: scriptedHandler({ status: 'success' }) } });
        expect([ended.status, ended.completed_nodes]).toEqual(['fail', ['start', 'a']]);
        expect(ended.failure_reason).toBe('no outgoing edge of node a matched its outcome (success); the run ended before the exit');
        expect(ended.events.some(e => e.kind === 'PipelineFailed')).toBe(true);
        expect(ended.events.some(e => e.kind === 'PipelineCompleted')).toBe(false);
        const failed = await runDot(dot, tempDir(), { handlers: { scripted: scriptedHandler({ status: 'fail', failure_reason: 'broken' }) } });
        expect([failed.status, failed.failure_reason, failed.outcome.status]).toEqual(['fail', 'broken', 'fail']);
    });

    test('[#40] reaching the exit node ends the run; nothing after it runs', async () => {
        const handler = scriptByNode({});
        const dot = 'digraph G { start [shape=Mdiamond]; a [type=scripted]; exit [shape=Msquare]; start -> a -> exit }';
        const result = await runDot(dot, tempDir(), { handlers: { scripted: handler, exit: scriptedHandler({ status: 'success' }) } });
        expect(result.completed_nodes.at(-1)).toBe('exit');
        expect(result.events.filter(e => e.kind === 'StageStarted').at(-1)).toMatchObject({ node_id: 'exit' });
    });

    test('a node with id exit (no Msquare shape) is the exit too (A.3 #14)', async () => {
        const dot = 'digraph G { start [shape=Mdiamond]; a [type=scripted]; exit; start -> a -> exit }';
        const codergen = scriptedHandler({ status: 'fail' });
        const result = await runDot(dot, tempDir(), { handlers: { scripted: scriptedHandler(), codergen } });
        expect(result.status).toBe('success');
        expect(codergen.calls).toEqual([]);
    });

    test('[#41] the run is "success" when every goal gate succeeded and "fail" when one did not', async () => {
        const dot = LINEAR.replace('a [type=scripted]', 'a [type=scripted, goal_gate=true]').replace('start -> a -> b -> exit', 'start -> a; a -> b; b -> exit');
        const passed = await runDot(dot, tempDir(), { handlers: { scripted: scriptByNode({ a: [{ status: 'partial_success' }] }) } });
        expect(passed.status).toBe('success');
        const failing = dot.replace('a -> b;', 'a -> b [condition="outcome=fail"]; a -> b [condition="outcome!=fail"];');
        const failed = await runDot(failing, tempDir(), { handlers: { scripted: scriptByNode({ a: [{ status: 'fail' }] }) } });
        expect(failed.status).toBe('fail');
        expect(failed.completed_nodes).toEqual(['start', 'a', 'b']);
    });

    describe('failure routing (§3.7, A.3 #12)', () => {
        const ROUTES = `digraph G {
            start [shape=Mdiamond]
            work [type=scripted ATTRS]
            next [type=scripted]
            fixer [type=scripted]
            backup [type=scripted]
            exit [shape=Msquare]
            start -> work
            work -> next
            EXTRA
            next -> exit
            fixer -> exit
            backup -> exit
        }`;
        const routes = (attrs: string, extra: string) => ROUTES.replace('ATTRS', attrs).replace('EXTRA', extra);
        const failWork = () => ({ scripted: scriptByNode({ work: [{ status: 'fail', failure_reason: 'work broke' }] }) });

        test('[S9] a FAIL follows an outcome=fail edge first', async () => {
            const result = await runDot(routes(', retry_target=backup', 'work -> fixer [condition="outcome=fail"]'), tempDir(), { handlers: failWork() });
            expect(result.completed_nodes).toEqual(['start', 'work', 'fixer', 'exit']);
        });

        test('[S9] then the node\'s retry_target, then its fallback_retry_target', async () => {
            const toTarget = await runDot(routes(', retry_target=fixer, fallback_retry_target=backup', 'fixer -> next [style=dotted]'), tempDir(), { handlers: failWork() });
            expect(toTarget.completed_nodes.slice(0, 3)).toEqual(['start', 'work', 'fixer']);
            const toFallback = await runDot(routes(', retry_target=missing, fallback_retry_target=backup', 'start -> fixer [condition="context.never=1"]'), tempDir(), { handlers: failWork() });
            expect(toFallback.completed_nodes).toEqual(['start', 'work', 'backup', 'exit']);
        });

        test('[S9] otherwise the run fails with the node\'s failure reason, and never takes an unconditional edge', async () => {
            const unreached = 'start -> fixer [condition="context.never=1"]; start -> backup [condition="context.never=1"]';
            const result = await runDot(routes('', unreached), tempDir(), { handlers: failWork() });
            expect(result.status).toBe('fail');
            expect(result.failure_reason).toBe('work broke');
            expect(result.completed_nodes).toEqual(['start', 'work']);
        });
    });

    test('[S3] a node timeout fails a handler that runs past it; the handler sees its signal abort', async () => {
        let abortedWith: unknown;
        const slow: NodeHandler = (_n, _c, _g, _l, signal) => new Promise(resolve => {
            signal.addEventListener('abort', () => {
                abortedWith = signal.reason;
                resolve({ status: 'success' });
            });
        });
        const result = await runDot(LINEAR.replace('a [type=scripted]', 'a [type=slow, timeout=50ms]'), tempDir(), { handlers: { slow, scripted: scriptedHandler() } });
        expect(result.status).toBe('fail');
        expect(result.failure_reason).toBe('node a timed out after 50ms');
        expect(result.node_outcomes.a.status).toBe('fail');
        expect(abortedWith).toBeInstanceOf(Error);
    });

    test('[S3] a handler that ignores its signal still cannot hold the run past its timeout', async () => {
        const stuck: NodeHandler = () => new Promise(() => {});
        const result = await runDot(LINEAR.replace('a [type=scripted]', 'a [type=stuck, timeout=30ms]'), tempDir(), { handlers: { stuck, scripted: scriptedHandler() } });
        expect(result.failure_reason).toBe('node a timed out after 30ms');
    });

    test('[S4] auto_status=true: a handler that returns and writes no status succeeds with the auto-status note', async () => {
        const logsRoot = tempDir();
        const silent: NodeHandler = async () => undefined;
        const result = await runDot(LINEAR.replace('a [type=scripted]', 'a [type=silent, auto_status=true]'), logsRoot, { handlers: { silent, scripted: scriptedHandler() } });
        expect(result.status).toBe('success');
        expect(readJson(logsRoot, 'a', 'status.json')).toEqual({ outcome: 'success', notes: 'auto-status: handler completed without writing status' });
    });

    test('[S4] without auto_status, a handler that writes no status fails', async () => {
        const silent: NodeHandler = async () => undefined;
        const result = await runDot(LINEAR.replace('a [type=scripted]', 'a [type=silent]'), tempDir(), { handlers: { silent, scripted: scriptedHandler() } });
        expect(result.failure_reason).toBe('handler completed without writing status');
    });

    test('[S7] status-file contract: a status.json written into the stage directory decides outcome and routing', async () => {
        const logsRoot = tempDir();
        const dot = `digraph G {
            start [shape=Mdiamond]
            agent [type=agent]
            approve [type=scripted]
            reject [type=scripted]
            exit [shape=Msquare]
            start -> agent
            agent -> approve [label="Approve"]
            agent -> reject [label="Reject"]
            approve -> exit
            reject -> exit
        }`;
        const agent: NodeHandler = async (node, _context, _graph, root) => {
            writeFileSync(join(root, node.id, 'status.json'), JSON.stringify({
                outcome: 'partial_success', preferred_label: 'Reject', context_updates: { verdict: 'needs work' }, notes: 'from the agent'
            }));
            return { status: 'success', context_updates: { handler_note: 'kept' } };
        };
        const result = await runDot(dot, logsRoot, { handlers: { agent, scripted: scriptedHandler() } });
        expect(result.completed_nodes).toEqual(['start', 'agent', 'reject', 'exit']);
        expect(result.node_outcomes.agent).toMatchObject({ status: 'partial_success', notes: 'from the agent' });
        expect(result.context).toMatchObject({ verdict: 'needs work', handler_note: 'kept' });
    });

    test('a malformed status.json fails the node', async () => {
        const agent: NodeHandler = async (node, _c, _g, root) => {
            writeFileSync(join(root, node.id, 'status.json'), '{"outcome":"great"}');
            return undefined;
        };
        const result = await runDot(LINEAR.replace('a [type=scripted]', 'a [type=agent]'), tempDir(), { handlers: { agent, scripted: scriptedHandler() } });
        expect(result.failure_reason).toMatch(/invalid status.json: "outcome" must be one of/);
    });

    test('a status.json left by an earlier visit does not decide the next visit', async () => {
        const dot = `digraph G {
            start [shape=Mdiamond]
            agent [type=agent]
            exit [shape=Msquare]
            start -> agent
            agent -> agent [condition="context.visits=1"]
            agent -> exit [condition="context.visits=2"]
        }`;
        let visits = 0;
        const agent: NodeHandler = async (node, _c, _g, root) => {
            visits++;
            if (visits === 1) {
                writeFileSync(join(root, node.id, 'status.json'), JSON.stringify({ outcome: 'success', context_updates: { visits: 1 } }));
                return undefined;
            }
            return { status: 'success', context_updates: { visits: 2 } };
        };
        const result = await runDot(dot, tempDir(), { handlers: { agent } });
        expect(result.completed_nodes).toEqual(['start', 'agent', 'agent', 'exit']);
    });

    test('a SKIPPED outcome proceeds along the edges and does not count against a goal gate', async () => {
        const dot = LINEAR.replace('a [type=scripted]', 'a [type=scripted, goal_gate=true]');
        const result = await runDot(dot, tempDir(), { handlers: { scripted: scriptByNode({ a: [{ status: 'skipped' }] }) } });
        expect(result.status).toBe('success');
        expect(result.context.outcome).toBe('success');
        expect(result.node_outcomes.a.status).toBe('skipped');
    });

    test('[S2] loop_restart ends the run and starts again at the target with a fresh log directory and graph-only context', async () => {
        const logsRoot = tempDir();
        const dot = `digraph G {
            graph [goal="loop"]
            start [shape=Mdiamond]
            a [type=scripted]
            b [type=scripted]
            exit [shape=Msquare]
            start -> a -> b
            b -> a [condition="context.round=1", loop_restart=true]
            b -> exit [condition="context.round=2"]
        }`;
        let round = 0;
        const counter: NodeHandler = async node => (node.id === 'b' ? { status: 'success', context_updates: { round: ++round } } : { status: 'success' });
        const result = await runDot(dot, logsRoot, { handlers: { scripted: counter } });
        expect(result.status).toBe('success');
        expect(result.logs_root).toBe(join(logsRoot, 'restart-1'));
        expect(result.completed_nodes).toEqual(['a', 'b', 'exit']);
        expect(loadCheckpoint(logsRoot).completed_nodes).toEqual(['start', 'a', 'b']);
        const restarted = loadCheckpoint(join(logsRoot, 'restart-1'));
        expect(restarted.current_node).toBe('exit');
        expect(existsSync(join(logsRoot, 'restart-1', 'manifest.json'))).toBe(true);
        expect(existsSync(join(logsRoot, 'restart-1', 'a', 'status.json'))).toBe(true);
        // The fresh context kept only graph.* keys; `round` is the second round's own update.
        expect(restarted.context).toMatchObject({ 'graph.goal': 'loop', round: 2 });
        expect(Object.keys(restarted.context).filter(k => !k.startsWith('graph.')).sort()).toEqual(['current_node', 'internal.fidelity', 'outcome', 'round']);
    });

    test('cancelling ends the run "cancelled"; the running handler sees the signal; the checkpoint resumes to the same result', async () => {
        const logsRoot = tempDir();
        const controller = new AbortController();
        let signalSeen: AbortSignal | undefined;
        const blocking: NodeHandler = (_n, _c, _g, _l, signal) => {
            signalSeen = signal;
            controller.abort('user pressed stop');
            return new Promise(() => {});
        };
        const dot = LINEAR.replace('b [type=scripted]', 'b [type=blocking]');
        const cancelled = await runDot(dot, logsRoot, { handlers: { scripted: scriptByNode({}), blocking }, signal: controller.signal });
        expect(cancelled.status).toBe('cancelled');
        expect(cancelled.failure_reason).toBe('cancelled: user pressed stop');
        expect(cancelled.completed_nodes).toEqual(['start', 'a']);
        expect(signalSeen?.aborted).toBe(true);
        expect(cancelled.events.at(-1)).toMatchObject({ kind: 'PipelineCancelled', reason: 'user pressed stop' });
        expect(loadCheckpoint(logsRoot).current_node).toBe('a');

        const registry = createDefaultRegistry();
        const resumedCalls = scriptByNode({});
        registry.register('scripted', resumedCalls);
        registry.register('blocking', resumedCalls);
        const resumed = await resumePipeline(parseDot(dot), { logsRoot, registry });
        expect(resumed.status).toBe('success');
        expect(resumedCalls.calls).toEqual(['b']);
        expect(resumed.completed_nodes).toEqual(['start', 'a', 'b', 'exit']);
    });

    test('a run cancelled before it starts runs no handler', async () => {
        const controller = new AbortController();
        controller.abort();
        const handler = scriptByNode({});
        const result = await runDot(LINEAR, tempDir(), { handlers: { scripted: handler, start: handler }, signal: controller.signal });
        expect(result.status).toBe('cancelled');
        expect(handler.calls).toEqual([]);
    });

    test('a handler that throws yields FAIL with the error message (§4.12)', async () => {
        const result = await runDot(LINEAR, tempDir(), { handlers: { scripted: scriptedHandler(new Error('kaboom')) } });
        expect(result.node_outcomes.a).toEqual({ status: 'fail', failure_reason: 'kaboom' });
    });

    test('[S18] the engine emits typed events through the listener, and a throwing listener does not stop the run', async () => {
        const kinds: PipelineEvent['kind'][] = [];
        const result = await runDot(LINEAR.replace('a [type=scripted]', 'a [type=scripted, max_retries=1]'), tempDir(), {
            handlers: { scripted: scriptByNode({ a: [{ status: 'retry' }, { status: 'success' }], b: [{ status: 'fail' }] }) },
            onEvent: event => {
                kinds.push(event.kind);
                throw new Error('listener bug');
            }
        });
        expect(result.status).toBe('fail');
        expect(kinds).toEqual([
            'PipelineStarted', 'CheckpointSaved',
            'StageStarted', 'StageCompleted', 'CheckpointSaved',
            'StageStarted', 'StageFailed', 'StageRetrying', 'StageStarted', 'StageCompleted', 'CheckpointSaved',
            'StageStarted', 'StageFailed', 'CheckpointSaved',
            'PipelineFailed'
        ]);
        const succeeded = await runDot(LINEAR, tempDir(), { handlers: { scripted: scriptByNode({}) } });
        expect(succeeded.events.at(-1)).toMatchObject({ kind: 'PipelineCompleted' });
        expect(succeeded.events[0]).toEqual({ kind: 'PipelineStarted', name: 'Linear', run_id: expect.stringMatching(/^crew-engine-/) });
    });
});
