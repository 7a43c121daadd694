import { describe, expect, test } from 'vitest';
import {
    createDefaultRegistry,
    parseDot,
    QueueInterviewer,
    resumePipeline,
    validate,
    type Diagnostic,
    type NodeHandler
} from '../../../language-server/src/crew/engine/index.js';
import { httpError, runDot, scriptByNode, scriptedHandler, useTempDirs } from './helpers.js';

const errorsOf = (diagnostics: Diagnostic[]) => diagnostics.filter(d => d.severity === 'error');

describe('§11.12 cross-feature parity matrix', () => {
    const tempDir = useTempDirs();

    test('[#98] parse a simple linear pipeline (start -> A -> B -> done)', () => {
        const graph = parseDot('digraph G { start [shape=Mdiamond]; done [shape=Msquare]; start -> A -> B -> done }');
        expect(graph.nodes.size).toBe(4);
        expect(graph.edges.map(e => `${e.from}->${e.to}`)).toEqual(['start->A', 'A->B', 'B->done']);
    });

    test('[#99] parse a pipeline with graph-level attributes (goal, label)', () => {
        const graph = parseDot('digraph G { graph [goal="Ship it", label="Release"]; start [shape=Mdiamond] }');
        expect([graph.goal, graph.label]).toEqual(['Ship it', 'Release']);
    });

    test('[#100] parse multi-line node attributes', () => {
        const node = parseDot(`digraph G {
            gate [
                shape=hexagon,
                label="Review",
                type="wait.human",
                timeout="15m"
            ]
        }`).nodes.get('gate')!;
        expect([node.shape, node.label, node.type, node.timeout_ms]).toEqual(['hexagon', 'Review', 'wait.human', 900_000]);
    });

    test('[#101] validate: missing start node -> error', () => {
        expect(errorsOf(validate(parseDot('digraph G { a [prompt="x"]; done [shape=Msquare]; a -> done }'))).map(d => d.rule)).toContain('start_node');
    });

    test('[#102] validate: missing exit node -> error', () => {
        expect(errorsOf(validate(parseDot('digraph G { start [shape=Mdiamond]; a [prompt="x"]; start -> a }'))).map(d => d.rule)).toContain('terminal_node');
    });

    test('[#103] validate: orphan node -> diagnostic naming it (an error here, A.3 #1)', () => {
        const found = validate(parseDot('digraph G { start [shape=Mdiamond]; done [shape=Msquare]; lost [prompt="x"]; start -> done }'));
        expect(found).toContainEqual(expect.objectContaining({ rule: 'reachability', node_id: 'lost', severity: 'error' }));
    });

    test('[#104] execute a linear 3-node pipeline end-to-end', async () => {
        const result = await runDot('digraph G { start [shape=Mdiamond]; work [prompt="Work"]; done [shape=Msquare]; start -> work -> done }', tempDir());
        expect(result.status).toBe('success');
        expect(result.completed_nodes).toEqual(['start', 'work', 'done']);
    });

    test('[#105] execute with conditional branching (success/fail paths)', async () => {
        const dot = `digraph G {
            start [shape=Mdiamond]
            test [type=scripted]
            ship [type=scripted]
            fix [type=scripted]
            done [shape=Msquare]
            start -> test
            test -> ship [condition="outcome=success"]
            test -> fix [condition="outcome=fail"]
            ship -> done
            fix -> done
        }`;
        const passing = await runDot(dot, tempDir(), { handlers: { scripted: scriptByNode({}) } });
        expect(passing.completed_nodes).toEqual(['start', 'test', 'ship', 'done']);
        const failing = await runDot(dot, tempDir(), { handlers: { scripted: scriptByNode({ test: [{ status: 'fail' }] }) } });
        expect(failing.completed_nodes).toEqual(['start', 'test', 'fix', 'done']);
    });

    test('[#106] execute with retry on failure (max_retries=2): fails twice with a retryable error, then succeeds', async () => {
        const handler = scriptedHandler(httpError(503), httpError(503), { status: 'success' });
        const result = await runDot('digraph G { start [shape=Mdiamond]; flaky [type=scripted, max_retries=2]; done [shape=Msquare]; start -> flaky -> done }',
            tempDir(), { handlers: { scripted: handler } });
        expect(handler.calls).toHaveLength(3);
        expect(result.status).toBe('success');
    });

    test('[#107] goal gate blocks exit when unsatisfied', async () => {
        const dot = (retry: string) => `digraph G {
            start [shape=Mdiamond]
            work [type=scripted, goal_gate=true ${retry}]
            done [shape=Msquare]
            start -> work
            work -> done [condition="outcome=fail"]
            work -> done [condition="outcome=success"]
        }`;
        const withTarget = await runDot(dot(', retry_target=work'), tempDir(), { handlers: { scripted: scriptByNode({ work: [{ status: 'fail' }, { status: 'success' }] }) } });
        expect(withTarget.completed_nodes).toEqual(['start', 'work', 'work', 'done']);
        const without = await runDot(dot(''), tempDir(), { handlers: { scripted: scriptByNode({ work: [{ status: 'fail' }] }) } });
        expect(without.status).toBe('fail');
    });

    test('[#108] goal gate allows exit when all satisfied', async () => {
        const result = await runDot(`digraph G {
            start [shape=Mdiamond]
            a [type=scripted, goal_gate=true]
            b [type=scripted, goal_gate=true]
            done [shape=Msquare]
            start -> a -> b -> done
        }`, tempDir(), { handlers: { scripted: scriptByNode({ b: [{ status: 'partial_success' }] }) } });
        expect(result.status).toBe('success');
    });

    test('[#109] wait.human presents choices and routes on selection', async () => {
        const dot = `digraph Review {
            start [shape=Mdiamond]
            exit  [shape=Msquare]
            review_gate [shape=hexagon, label="Review Changes", type="wait.human"]
            start -> review_gate
            review_gate -> ship_it [label="[A] Approve"]
            review_gate -> fixes   [label="[F] Fix"]
            ship_it -> exit
            fixes -> review_gate
        }`;
        const interviewer = new QueueInterviewer([{ value: 'F' }, { value: 'A' }]);
        const result = await runDot(dot, tempDir(), { defaults: { interviewer } });
        expect(result.completed_nodes).toEqual(['start', 'review_gate', 'fixes', 'review_gate', 'ship_it', 'exit']);
    });

    test('[#110] edge selection: condition match wins over weight', async () => {
        const result = await runDot(`digraph G {
            start [shape=Mdiamond]; a [type=scripted]; heavy [type=scripted]; matched [type=scripted]; done [shape=Msquare]
            start -> a
            a -> heavy [weight=100]
            a -> matched [condition="outcome=success"]
            heavy -> done
            matched -> done
        }`, tempDir(), { handlers: { scripted: scriptByNode({}) } });
        expect(result.completed_nodes).toContain('matched');
        expect(result.completed_nodes).not.toContain('heavy');
    });

    test('[#111] edge selection: weight breaks ties for unconditional edges', async () => {
        const result = await runDot(`digraph G {
            start [shape=Mdiamond]; a [type=scripted]; light [type=scripted]; heavy [type=scripted]; done [shape=Msquare]
            start -> a
            a -> light [weight=1]
            a -> heavy [weight=2]
            light -> done
            heavy -> done
        }`, tempDir(), { handlers: { scripted: scriptByNode({}) } });
        expect(result.completed_nodes).toEqual(['start', 'a', 'heavy', 'done']);
    });

    test('[#112] edge selection: lexical tiebreak as final fallback', async () => {
        const result = await runDot(`digraph G {
            start [shape=Mdiamond]; a [type=scripted]; zulu [type=scripted]; alpha [type=scripted]; done [shape=Msquare]
            start -> a
            a -> zulu
            a -> alpha
            zulu -> done
            alpha -> done
        }`, tempDir(), { handlers: { scripted: scriptByNode({}) } });
        expect(result.completed_nodes).toEqual(['start', 'a', 'alpha', 'done']);
    });

    test('[#113] context updates from one node are visible to the next', async () => {
        let seen: unknown;
        const handler: NodeHandler = async (node, context) => {
            if (node.id === 'reader') {
                seen = context.get('handoff');
            }
            return { status: 'success', context_updates: node.id === 'writer' ? { handoff: 'from writer' } : {} };
        };
        await runDot('digraph G { start [shape=Mdiamond]; writer [type=scripted]; reader [type=scripted]; done [shape=Msquare]; start -> writer -> reader -> done }',
            tempDir(), { handlers: { scripted: handler } });
        expect(seen).toBe('from writer');
    });

    test('[#114] checkpoint save and resume produces same result', async () => {
        const dot = 'digraph G { start [shape=Mdiamond]; a [type=scripted]; b [type=scripted]; c [type=scripted]; done [shape=Msquare]; start -> a -> b -> c -> done }';
        const handler = () => scriptByNode({ a: [{ status: 'success', context_updates: { x: 1 } }], c: [{ status: 'success', context_updates: { y: 2 } }] });
        const straight = await runDot(dot, tempDir(), { handlers: { scripted: handler() } });
        const logsRoot = tempDir();
        const controller = new AbortController();
        const interrupted = await runDot(dot, logsRoot, {
            handlers: { scripted: handler() },
            signal: controller.signal,
            onEvent: e => e.kind === 'CheckpointSaved' && e.node_id === 'b' && controller.abort()
        });
        expect(interrupted.status).toBe('cancelled');
        const registry = createDefaultRegistry();
        registry.register('scripted', handler());
        const resumed = await resumePipeline(parseDot(dot), { logsRoot, registry });
        expect([resumed.status, resumed.completed_nodes]).toEqual([straight.status, straight.completed_nodes]);
        expect(resumed.context).toMatchObject({ x: 1, y: 2 });
    });

    test('[#115] stylesheet applies model override to nodes by shape', async () => {
        const models: Record<string, string> = {};
        const spy: NodeHandler = async node => { models[node.id] = node.llm_model; return { status: 'success' }; };
        const result = await runDot(`digraph G {
            graph [model_stylesheet="box { llm_model: claude-opus-4-6; } parallelogram { llm_model: none; }"]
            start [shape=Mdiamond]; plan [prompt="p"]; done [shape=Msquare]
            start -> plan -> done
        }`, tempDir(), { handlers: { codergen: spy } });
        expect(result.status).toBe('success');
        expect(models).toEqual({ plan: 'claude-opus-4-6' });
    });

    test('[#116] prompt variable expansion ($goal) works', async () => {
        const prompts: string[] = [];
        const result = await runDot('digraph G { graph [goal="green tests"]; start [shape=Mdiamond]; plan [prompt="Plan for: $goal"]; done [shape=Msquare]; start -> plan -> done }',
            tempDir(), { defaults: { backend: { run: async (_node, prompt) => { prompts.push(prompt); return 'ok'; } } } });
        expect(result.status).toBe('success');
        expect(prompts).toEqual(['Plan for: green tests']);
    });

    test('[#117] parallel fan-out and fan-in complete correctly', async () => {
        const handler = scriptByNode({});
        const result = await runDot(`digraph G {
            start [shape=Mdiamond]
            fan [shape=component]
            left [type=scripted]
            right [type=scripted]
            join [shape=tripleoctagon]
            done [shape=Msquare]
            start -> fan
            fan -> left -> join
            fan -> right -> join
            join -> done
        }`, tempDir(), { handlers: { scripted: handler } });
        expect(result.status).toBe('success');
        expect([...handler.calls].sort()).toEqual(['left', 'right']);
        expect(result.completed_nodes).toEqual(['start', 'fan', 'join', 'done']);
        expect(result.context['parallel.fan_in.best_id']).toBe('left');
    });

    test('[#118] custom handler registration and execution works', async () => {
        const custom = scriptedHandler({ status: 'success', context_updates: { custom: 'ran' } });
        const result = await runDot('digraph G { start [shape=Mdiamond]; mine [type="my_custom_type", custom_attr="value"]; done [shape=Msquare]; start -> mine -> done }',
            tempDir(), { handlers: { my_custom_type: custom } });
        expect(custom.calls.map(c => c.node.attrs.custom_attr)).toEqual(['value']);
        expect(result.context.custom).toBe('ran');
    });

    test('[#119] pipeline with 10+ nodes completes without errors', async () => {
        const middle = Array.from({ length: 10 }, (_, i) => `n${i}`);
        const dot = `digraph Long {
            start [shape=Mdiamond]
            check [shape=diamond]
            tool [shape=parallelogram, tool_command="echo fine"]
            done [shape=Msquare]
            start -> ${middle.join(' -> ')} -> check
            check -> tool [condition="context.last_stage=n9"]
            tool -> done [condition="context.tool.output=fine"]
            ${middle.map(id => `${id} [prompt="Step ${id}"]`).join('\n')}
        }`;
        const result = await runDot(dot, tempDir());
        expect(result.status).toBe('success');
        expect(result.completed_nodes).toHaveLength(14);
        expect(Object.values(result.node_outcomes).every(o => o.status === 'success')).toBe(true);
    });
});
