import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
    AnswerValue,
    CallbackInterviewer,
    Context,
    createDefaultRegistry,
    parseDot,
    QueueInterviewer,
    QuestionType,
    readStatus,
    type Answer,
    type CodergenBackend,
    type EngineServices,
    type NodeHandler,
    type Outcome,
    type PipelineEvent,
    type PipelineGraph,
    type Question
} from '../../../language-server/src/crew/engine/index.js';
import { ArtifactStore } from '../../../language-server/src/crew/engine/artifacts.js';
import { readJson, runDot, scriptByNode, scriptedHandler, useTempDirs } from './helpers.js';

/** Calls the handler registered for `type` on node `nodeId` of `dot`, outside a run. */
async function callHandler(type: string, dot: string, nodeId: string, logsRoot: string, options: Parameters<typeof createDefaultRegistry>[0] = {}, context = new Context()) {
    const graph: PipelineGraph = parseDot(dot);
    const events: PipelineEvent[] = [];
    const engine: EngineServices = {
        emit: event => events.push(event),
        runBranch: () => Promise.reject(new Error('no branches here')),
        stageSession: () => ({ fidelity: 'compact', carried: '' }),
        recordUsage: () => undefined,
        artifacts: new ArtifactStore(logsRoot)
    };
    const registry = createDefaultRegistry(options);
    const handler = registry.resolve({ ...graph.nodes.get(nodeId)!, type }).handler;
    const outcome = await handler(graph.nodes.get(nodeId)!, context, graph, logsRoot, new AbortController().signal, engine);
    return { outcome, events, context };
}

const GATE = `digraph G {
    start [shape=Mdiamond]
    gate [shape=hexagon, label="Review Changes", human.default_choice=fixes]
    exit [shape=Msquare]
    start -> gate
    gate -> ship_it [label="[A] Approve"]
    gate -> fixes [label="F) Fix"]
    gate -> later
    ship_it -> exit
    fixes -> exit
    later -> exit
}`;

describe('node handlers', () => {
    const tempDir = useTempDirs();

    test('[#53] start returns SUCCESS and does nothing else', async () => {
        const logsRoot = tempDir();
        const { outcome, context } = await callHandler('start', 'digraph G { s [shape=Mdiamond] }', 's', logsRoot);
        expect(outcome).toEqual({ status: 'success' });
        expect(context.snapshot()).toEqual({});
    });

    test('[#54] exit returns SUCCESS; goal gates are the engine\'s job', async () => {
        const { outcome } = await callHandler('exit', 'digraph G { e [shape=Msquare, goal_gate=true] }', 'e', tempDir());
        expect(outcome).toEqual({ status: 'success' });
    });

    describe('codergen', () => {
        const DOT = `digraph G {
            graph [goal="a hello world script"]
            start [shape=Mdiamond]
            plan [prompt="Plan: $goal"]
            labelled [label="Summarise the $goal"]
            exit [shape=Msquare]
            start -> plan -> labelled -> exit
        }`;

        test('[#55] writes prompt.md with $goal expanded, or the label when there is no prompt', async () => {
            const logsRoot = tempDir();
            await callHandler('codergen', DOT, 'plan', logsRoot);
            await callHandler('codergen', DOT, 'labelled', logsRoot);
            expect(readFileSync(join(logsRoot, 'plan', 'prompt.md'), 'utf8')).toBe('Plan: a hello world script');
            expect(readFileSync(join(logsRoot, 'labelled', 'prompt.md'), 'utf8')).toBe('Summarise the a hello world script');
        });

        test('[#56] calls the backend once with (node, prompt, context), writes response.md, returns SUCCESS with last_stage and last_response', async () => {
            const logsRoot = tempDir();
            const calls: unknown[][] = [];
            const response = 'x'.repeat(150) + 'y'.repeat(150);
            const backend: CodergenBackend = { run: async (...args) => { calls.push(args); return response; } };
            const context = new Context({ seen: true });
            const { outcome } = await callHandler('codergen', DOT, 'plan', logsRoot, { backend }, context);
            expect(calls).toHaveLength(1);
            expect(calls[0][0]).toMatchObject({ id: 'plan' });
            expect(calls[0][1]).toBe('Plan: a hello world script');
            expect(calls[0][2]).toBe(context);
            expect(calls[0][3]).toBeInstanceOf(AbortSignal);
            expect(readFileSync(join(logsRoot, 'plan', 'response.md'), 'utf8')).toBe(response);
            expect(outcome).toEqual({
                status: 'success',
                notes: 'Stage completed: plan',
                context_updates: { last_stage: 'plan', last_response: response.slice(0, 200) }
            });
        });

        test('[#57] an Outcome from the backend is the node outcome as it is, and is written to status.json', async () => {
            const logsRoot = tempDir();
            const verdict: Outcome = { status: 'fail', failure_reason: 'tests red', preferred_label: 'Fix', context_updates: { red: 3 } };
            const backend: CodergenBackend = { run: async () => verdict };
            const result = await runDot(DOT, logsRoot, { defaults: { backend } });
            expect(result.node_outcomes.plan).toEqual(verdict);
            expect(readStatus(join(logsRoot, 'plan'))).toEqual(verdict);
            expect(readJson(logsRoot, 'plan', 'status.json')).toEqual({ outcome: 'fail', failure_reason: 'tests red', preferred_label: 'Fix', context_updates: { red: 3 } });
        });

        test('[#57] a backend that throws gives FAIL with the error as failure_reason', async () => {
            const backend: CodergenBackend = { run: async () => { throw new Error('model refused'); } };
            const result = await runDot(DOT, tempDir(), { defaults: { backend } });
            expect(result.node_outcomes.plan).toEqual({ status: 'fail', failure_reason: 'model refused' });
        });

        test('an empty (or whitespace-only) response is a FAIL with reason "empty response", never a silent success', async () => {
            for (const response of ['', ' \n\t']) {
                const logsRoot = tempDir();
                const backend: CodergenBackend = { run: async () => response };
                const result = await runDot(DOT, logsRoot, { defaults: { backend } });
                expect(result.node_outcomes.plan).toEqual({ status: 'fail', failure_reason: 'empty response' });
                expect(result.status).toBe('fail');
                expect(readFileSync(join(logsRoot, 'plan', 'response.md'), 'utf8')).toBe(response);
            }
        });

        test('[#57] without a backend it simulates', async () => {
            const logsRoot = tempDir();
            await callHandler('codergen', DOT, 'plan', logsRoot);
            expect(readFileSync(join(logsRoot, 'plan', 'response.md'), 'utf8')).toBe('[Simulated] Response for stage: plan');
        });
    });

    describe('wait.human', () => {
        test('[#58] asks one MULTIPLE_CHOICE question: the node label, one option per edge (label or target id), keys from accelerators', async () => {
            const asked: Question[] = [];
            const interviewer = new CallbackInterviewer(q => { asked.push(q); return { value: 'A' }; });
            await callHandler('wait.human', GATE, 'gate', tempDir(), { interviewer });
            expect(asked).toHaveLength(1);
            expect(asked[0]).toMatchObject({
                text: 'Review Changes',
                type: QuestionType.MULTIPLE_CHOICE,
                stage: 'gate',
                options: [{ key: 'A', label: '[A] Approve' }, { key: 'F', label: 'F) Fix' }, { key: 'l', label: 'later' }]
            });
        });

        test('[#59] routes to the chosen target and records the choice in the context; returns it as preferred_label and suggested_next_ids (A.3 #2)', async () => {
            const result = await runDot(GATE, tempDir(), { defaults: { interviewer: new QueueInterviewer([{ value: 'F' }]) } });
            expect(result.completed_nodes).toEqual(['start', 'gate', 'fixes', 'exit']);
            expect(result.node_outcomes.gate).toMatchObject({ status: 'success', preferred_label: 'F) Fix', suggested_next_ids: ['fixes'] });
            expect(result.context).toMatchObject({ 'human.gate.selected': 'F', 'human.gate.label': 'F) Fix' });
        });

        test.each<[string, Answer, Partial<Outcome>]>([
            ['SKIPPED fails', { value: AnswerValue.SKIPPED }, { status: 'fail', failure_reason: 'human skipped interaction' }],
            ['TIMEOUT takes human.default_choice', { value: AnswerValue.TIMEOUT }, { status: 'success', suggested_next_ids: ['fixes'] }],
            ['an answer matching no option takes the first option', { value: 'zzz' }, { status: 'success', suggested_next_ids: ['ship_it'] }],
            ['an answer by option label selects it', { value: 'approve' }, { status: 'success', suggested_next_ids: ['ship_it'] }],
            ['a selected_option is honoured', { value: '', selected_option: { key: 'l', label: 'later' } }, { status: 'success', suggested_next_ids: ['later'] }]
        ])('[#60–#66 S7 S16 S18] %s', async (_, answer, expected) => {
            const { outcome } = await callHandler('wait.human', GATE, 'gate', tempDir(), { interviewer: new QueueInterviewer([answer]) });
            expect(outcome).toMatchObject(expected);
        });

        test('TIMEOUT without human.default_choice asks for a RETRY', async () => {
            const { outcome, events } = await callHandler('wait.human', GATE.replace(', human.default_choice=fixes', ''), 'gate', tempDir(),
                { interviewer: new QueueInterviewer([{ value: AnswerValue.TIMEOUT }]) });
            expect(outcome).toEqual({ status: 'retry', failure_reason: 'human gate timeout, no default' });
            expect(events.map(e => e.kind)).toEqual(['InterviewStarted', 'InterviewTimeout']);
        });

        test('no outgoing edges fails', async () => {
            const { outcome } = await callHandler('wait.human', 'digraph G { gate [shape=hexagon] }', 'gate', tempDir(), { interviewer: new QueueInterviewer([]) });
            expect(outcome).toEqual({ status: 'fail', failure_reason: 'No outgoing edges for human gate' });
        });

        test('without an interviewer the gate fails instead of guessing', async () => {
            const { outcome } = await callHandler('wait.human', GATE, 'gate', tempDir());
            expect(outcome).toEqual({ status: 'fail', failure_reason: 'No interviewer is configured for human gates' });
        });

        test('emits InterviewStarted and InterviewCompleted around the answer', async () => {
            const { events } = await callHandler('wait.human', GATE, 'gate', tempDir(), { interviewer: new QueueInterviewer([{ value: 'A' }]) });
            expect(events).toMatchObject([
                { kind: 'InterviewStarted', stage: 'gate', question: { text: 'Review Changes' } },
                { kind: 'InterviewCompleted', answer: { value: 'A' } }
            ]);
        });
    });

    test('conditional returns SUCCESS without side effects; the edge conditions decide the next node', async () => {
        const logsRoot = tempDir();
        const { outcome, context } = await callHandler('conditional', 'digraph G { c [shape=diamond] }', 'c', logsRoot, {}, new Context({ x: 1 }));
        expect(outcome).toEqual({ status: 'success', notes: 'Conditional node evaluated: c' });
        expect(context.snapshot()).toEqual({ x: 1 });
        const dot = `digraph G {
            start [shape=Mdiamond]
            probe [type=scripted]
            check [shape=diamond]
            fast [type=scripted]
            slow [type=scripted]
            exit [shape=Msquare]
            start -> probe -> check
            check -> fast [condition="context.speed=fast"]
            check -> slow [condition="context.speed!=fast"]
            fast -> exit
            slow -> exit
        }`;
        const result = await runDot(dot, tempDir(), { handlers: { scripted: scriptByNode({ probe: [{ status: 'success', context_updates: { speed: 'fast' } }] }) } });
        expect(result.completed_nodes).toEqual(['start', 'probe', 'check', 'fast', 'exit']);
    });

    describe('parallel and fan-in', () => {
        const FAN = `digraph G {
            start [shape=Mdiamond]
            fan [shape=component ATTRS]
            a [type=scripted]
            b [type=scripted]
            c [type=scripted]
            c2 [type=scripted]
            join [shape=tripleoctagon]
            after [type=scripted]
            exit [shape=Msquare]
            start -> fan
            fan -> a
            fan -> b
            fan -> c
            a -> join
            b -> join
            c -> c2 -> join
            join -> after -> exit
        }`;

        test('runs every branch on a clone of the context, at most max_parallel at once; branch writes stay in the branch', async () => {
            let running = 0;
            let peak = 0;
            const seenBefore: unknown[] = [];
            const branch: NodeHandler = async (node, context) => {
                running++;
                peak = Math.max(peak, running);
                seenBefore.push(context.get('written_by'));
                await new Promise(resolve => setTimeout(resolve, 10));
                running--;
                return { status: 'success', context_updates: { written_by: node.id } };
            };
            const result = await runDot(FAN.replace('ATTRS', ', max_parallel=2'), tempDir(), { handlers: { scripted: branch } });
            expect(result.status).toBe('success');
            expect(peak).toBe(2);
            // a, b and c start from the parent's context; c2 continues c's branch; after sees none of it.
            expect(seenBefore).toEqual([undefined, undefined, undefined, 'c', undefined]);
            expect(result.completed_nodes).toEqual(['start', 'fan', 'join', 'after', 'exit']);
            expect(result.context.written_by).toBe('after');
            const afterFan = result.node_outcomes.fan.context_updates!['parallel.results'] as { id: string }[];
            expect(afterFan.map(r => r.id)).toEqual(['a', 'b', 'c']);
        });

        test('runs branches one at a time with max_parallel=1', async () => {
            let running = 0;
            let peak = 0;
            const branch: NodeHandler = async () => {
                running++;
                peak = Math.max(peak, running);
                await new Promise(resolve => setTimeout(resolve, 5));
                running--;
                return { status: 'success' };
            };
            await runDot(FAN.replace('ATTRS', ', max_parallel=1'), tempDir(), { handlers: { scripted: branch } });
            expect(peak).toBe(1);
        });

        test('wait_all: SUCCESS when no branch failed, else PARTIAL_SUCCESS; results in parallel.results', async () => {
            const allGood = await runDot(FAN.replace('ATTRS', ''), tempDir(), { handlers: { scripted: scriptByNode({}) } });
            expect(allGood.node_outcomes.fan.status).toBe('success');
            const oneBad = await runDot(FAN.replace('ATTRS', ''), tempDir(), { handlers: { scripted: scriptByNode({ b: [{ status: 'fail', failure_reason: 'b broke' }] }) } });
            expect(oneBad.node_outcomes.fan.status).toBe('partial_success');
            expect(oneBad.context['parallel.results']).toEqual([
                { id: 'a', last_node: 'a', status: 'success', score: 0 },
                { id: 'b', last_node: 'b', status: 'fail', score: 0, failure_reason: 'b broke' },
                { id: 'c', last_node: 'c2', status: 'success', score: 0 }
            ]);
        });

        test('first_success: SUCCESS if any branch succeeded, else FAIL', async () => {
            const failing = { status: 'fail' as const };
            const some = await runDot(FAN.replace('ATTRS', ', join_policy=first_success'), tempDir(), { handlers: { scripted: scriptByNode({ a: [failing], b: [failing] }) } });
            expect(some.node_outcomes.fan.status).toBe('success');
            const none = await runDot(FAN.replace('ATTRS', ', join_policy=first_success'), tempDir(), { handlers: { scripted: scriptByNode({ a: [failing], b: [failing], c: [failing] }) } });
            expect(none.node_outcomes.fan).toMatchObject({ status: 'fail', failure_reason: 'no parallel branch succeeded' });
            expect(none.status).toBe('fail');
        });

        test('fan-in runs after every branch and picks the best by status, then score, then id', async () => {
            const order: string[] = [];
            const branch: NodeHandler = async node => {
                order.push(node.id);
                const scores: Record<string, Outcome> = {
                    a: { status: 'partial_success', context_updates: { score: 9 } },
                    b: { status: 'success', context_updates: { score: 1 } },
                    c2: { status: 'success', context_updates: { score: 5 } }
                };
                return scores[node.id] ?? { status: 'success' };
            };
            const result = await runDot(FAN.replace('ATTRS', ''), tempDir(), { handlers: { scripted: branch } });
            expect(order.indexOf('after')).toBe(order.length - 1);
            expect(result.context).toMatchObject({ 'parallel.fan_in.best_id': 'c', 'parallel.fan_in.best_outcome': 'success' });
        });

        test('fan-in fails when there are no results or every branch failed', async () => {
            expect((await callHandler('parallel.fan_in', 'digraph G { j [shape=tripleoctagon] }', 'j', tempDir())).outcome)
                .toEqual({ status: 'fail', failure_reason: 'No parallel results to evaluate' });
            const allFailed = new Context({ 'parallel.results': [{ id: 'a', status: 'fail', score: 0 }, { id: 'b', status: 'fail', score: 0 }] });
            expect((await callHandler('parallel.fan_in', 'digraph G { j [shape=tripleoctagon] }', 'j', tempDir(), {}, allFailed)).outcome)
                .toEqual({ status: 'fail', failure_reason: 'every parallel branch failed' });
        });

        test('emits the parallel events', async () => {
            const result = await runDot(FAN.replace('ATTRS', ', max_parallel=1'), tempDir(), { handlers: { scripted: scriptByNode({ b: [{ status: 'fail' }] }) } });
            const parallel = result.events.filter(e => e.kind.startsWith('Parallel'));
            expect(parallel.map(e => e.kind)).toEqual([
                'ParallelStarted',
                'ParallelBranchStarted', 'ParallelBranchCompleted',
                'ParallelBranchStarted', 'ParallelBranchCompleted',
                'ParallelBranchStarted', 'ParallelBranchCompleted',
                'ParallelCompleted'
            ]);
            expect(parallel[0]).toMatchObject({ node_id: 'fan', branch_count: 3 });
            expect(parallel[4]).toMatchObject({ branch: 'b', index: 1, success: false });
            expect(parallel.at(-1)).toMatchObject({ success_count: 2, failure_count: 1 });
        });

        test('a parallel node with no fan-in after it fails', async () => {
            const { outcome } = await callHandler('parallel', 'digraph G { fan [shape=component]; fan -> a; a -> b }', 'fan', tempDir());
            expect(outcome).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/no fan-in/) });
        });
    });

    describe('tool', () => {
        const tool = (attrs: string) => `digraph G { start [shape=Mdiamond]; t [shape=parallelogram ${attrs}]; exit [shape=Msquare]; start -> t -> exit }`;

        test('runs tool_command in a shell; stdout goes to tool.output and the status is SUCCESS', async () => {
            const result = await runDot(tool(', tool_command="printf \'%s\\n\' hello | tr a-z A-Z"'), tempDir());
            expect(result.node_outcomes.t).toMatchObject({ status: 'success', context_updates: { 'tool.output': 'HELLO' } });
            expect(result.context['tool.output']).toBe('HELLO');
        });

        test('a tool_command sees the basic variables, its stage\'s, and those tool_env names; never the engine\'s keys (they leaked before)', async () => {
            const secrets = { OPENAI_API_KEY: 'sk-leak-1', FSPEC_CREW_API_KEY: 'sk-leak-2', DAYTONA_API_KEY: 'dt-leak', DEPLOY_REGION: 'eu-west' };
            const saved = { ...process.env };
            Object.assign(process.env, secrets);
            try {
                const dot = `digraph G { graph [tool_env="DEPLOY_REGION"]; start [shape=Mdiamond]; t [shape=parallelogram, tool_command="env"]; exit [shape=Msquare]; start -> t -> exit }`;
                const result = await runDot(dot, tempDir());
                const seen = Object.fromEntries(String(result.context['tool.output']).split('\n').map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
                expect(seen).toMatchObject({ PATH: process.env.PATH, DEPLOY_REGION: 'eu-west', ATTRACTOR_NODE_ID: 't' });
                expect(Object.keys(seen).filter(name => /KEY|TOKEN|SECRET/.test(name))).toEqual([]);
                expect(String(result.context['tool.output'])).not.toMatch(/leak/);
            } finally {
                for (const name of Object.keys(secrets)) {
                    delete process.env[name];
                }
                Object.assign(process.env, saved);
            }
        });

        test('a missing tool_command fails with "No tool_command specified"', async () => {
            const result = await runDot(tool(''), tempDir());
            expect(result.node_outcomes.t).toEqual({ status: 'fail', failure_reason: 'No tool_command specified' });
        });

        test('a failing command fails with its exit code and stderr', async () => {
            const result = await runDot(tool(', tool_command="echo broken >&2; exit 3"'), tempDir());
            expect(result.node_outcomes.t).toEqual({ status: 'fail', failure_reason: 'tool_command exited with code 3: broken' });
        });

        test('a command running past the node timeout is killed and the node fails', async () => {
            const started = Date.now();
            const result = await runDot(tool(', tool_command="sleep 5; echo late", timeout=200ms'), tempDir());
            expect(result.node_outcomes.t).toEqual({ status: 'fail', failure_reason: 'node t timed out after 200ms' });
            expect(Date.now() - started).toBeLessThan(3000);
        });

        test('the command can decide the outcome by writing status.json into $ATTRACTOR_STAGE_DIR', async () => {
            const logsRoot = tempDir();
            const command = 'printf \'{"outcome":"partial_success","notes":"from the tool"}\' > "$ATTRACTOR_STAGE_DIR/status.json"; echo done';
            const result = await runDot(tool(`, tool_command="${command.replaceAll('"', '\\"')}"`), logsRoot);
            expect(result.node_outcomes.t).toMatchObject({ status: 'partial_success', notes: 'from the tool', context_updates: { 'tool.output': 'done' } });
            expect(existsSync(join(logsRoot, 't', 'status.json'))).toBe(true);
        });

        test('runs in the configured working directory', async () => {
            const workdir = tempDir();
            const result = await runDot(tool(', tool_command="pwd"'), tempDir(), { defaults: { toolWorkdir: workdir } });
            expect(result.context['tool.output']).toBe(workdir);
        });
    });

    test('a registered custom type runs for nodes of that type; registering again replaces it; a throw becomes FAIL', async () => {
        const dot = 'digraph G { start [shape=Mdiamond]; mine [type="my_type"]; exit [shape=Msquare]; start -> mine -> exit }';
        const first = scriptedHandler({ status: 'success', notes: 'first' });
        const second = scriptedHandler({ status: 'success', notes: 'second' });
        const registry = createDefaultRegistry();
        registry.register('my_type', first);
        registry.register('my_type', second);
        const result = await runDot(dot, tempDir(), { registry });
        expect(first.calls).toEqual([]);
        expect(second.calls.map(c => c.node.id)).toEqual(['mine']);
        expect(result.node_outcomes.mine.notes).toBe('second');
        const throwing: NodeHandler = () => { throw new Error('sync throw'); };
        const failed = await runDot(dot, tempDir(), { handlers: { my_type: throwing } });
        expect(failed.node_outcomes.mine).toEqual({ status: 'fail', failure_reason: 'sync throw' });
    });
});
