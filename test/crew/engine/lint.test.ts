import { describe, expect, test } from 'vitest';
import {
    ATTRIBUTES,
    BUILT_IN_HANDLER_TYPES,
    createDefaultRegistry,
    createEdge,
    createGraph,
    createNode,
    parseDot,
    runPipeline,
    validate,
    validateOrRaise,
    ValidationError,
    editDistance,
    nearestAttribute,
    type Diagnostic,
    type LintRule
} from '../../../language-server/src/crew/engine/index.js';
import { scriptedHandler, useTempDirs } from './helpers.js';

function diagnostics(dot: string, rule?: string): Diagnostic[] {
    return validate(parseDot(dot)).filter(d => rule === undefined || d.rule === rule);
}

const VALID = `digraph G {
    start [shape=Mdiamond]
    work [prompt="Do it"]
    exit [shape=Msquare]
    start -> work
    work -> exit
}`;

describe('validation and linting', () => {
    const tempDir = useTempDirs();

    test('a valid pipeline has no diagnostics', () => {
        expect(diagnostics(VALID)).toEqual([]);
    });

    test('[#17] start_node: zero or two start nodes are errors; id start/Start counts as a start node', () => {
        const none = diagnostics('digraph G { a [prompt="x"]; e [shape=Msquare]; a -> e }', 'start_node');
        expect(none).toMatchObject([{ severity: 'error', message: expect.stringMatching(/no start node/) }]);
        const two = diagnostics('digraph G { s [shape=Mdiamond]; Start [shape=box]; e [shape=Msquare]; s -> e; Start -> e }', 'start_node');
        expect(two).toMatchObject([{ severity: 'error', message: expect.stringMatching(/2 start nodes \(s, Start\)/) }]);
    });

    test('[#18] terminal_node: zero or two exit nodes are errors; id exit/end counts as an exit node', () => {
        expect(diagnostics('digraph G { s [shape=Mdiamond]; a [prompt="x"]; s -> a }', 'terminal_node'))
            .toMatchObject([{ severity: 'error', message: expect.stringMatching(/no exit node/) }]);
        expect(diagnostics('digraph G { s [shape=Mdiamond]; done [shape=Msquare]; end; s -> done; s -> end }', 'terminal_node'))
            .toMatchObject([{ severity: 'error', message: expect.stringMatching(/2 exit nodes/) }]);
    });

    test('[#19] start_no_incoming: an edge into the start node is an error', () => {
        const found = diagnostics('digraph G { start [shape=Mdiamond]; a [prompt="x"]; exit [shape=Msquare]; start -> a -> exit; a -> start }', 'start_no_incoming');
        expect(found).toMatchObject([{ severity: 'error', node_id: 'start', edge: { from: 'a', to: 'start' } }]);
    });

    test('[#20] exit_no_outgoing: an edge out of the exit node is an error', () => {
        const found = diagnostics('digraph G { start [shape=Mdiamond]; a [prompt="x"]; exit [shape=Msquare]; start -> a -> exit; exit -> a }', 'exit_no_outgoing');
        expect(found).toMatchObject([{ severity: 'error', node_id: 'exit', edge: { from: 'exit', to: 'a' } }]);
    });

    test('[#21] reachability: a node unreachable from start is an error naming it (A.3 #1)', () => {
        const found = diagnostics(VALID.replace('}', 'orphan [prompt="lost"]\n}'), 'reachability');
        expect(found).toMatchObject([{ severity: 'error', node_id: 'orphan', message: expect.stringContaining('orphan') }]);
    });

    test('reachability: a node reached only as a retry target counts as reachable', () => {
        const dot = `digraph G {
            start [shape=Mdiamond]
            work [prompt="x", retry_target=repair]
            repair [prompt="fix it"]
            exit [shape=Msquare]
            start -> work
            work -> exit
            repair -> work
        }`;
        expect(diagnostics(dot, 'reachability')).toEqual([]);
        expect(diagnostics(dot.replace(', retry_target=repair', ''), 'reachability')).toMatchObject([{ node_id: 'repair' }]);
        expect(diagnostics(dot.replace(', retry_target=repair', '').replace('{', '{ fallback_retry_target=repair;'), 'reachability')).toEqual([]);
    });

    test('[#22] edge_target_exists: an edge naming an undeclared node is an error (graphs built in code)', () => {
        const graph = createGraph('G', {}, [createNode('start', { shape: 'Mdiamond' }), createNode('exit', { shape: 'Msquare' })],
            [createEdge('start', 'exit'), createEdge('start', 'ghost')]);
        expect(validate(graph).filter(d => d.rule === 'edge_target_exists'))
            .toMatchObject([{ severity: 'error', edge: { from: 'start', to: 'ghost' }, message: expect.stringContaining('ghost') }]);
    });

    test('[#23] prompt_on_llm_nodes: a codergen node without a prompt is a warning and the pipeline still runs', async () => {
        const dot = 'digraph G { start [shape=Mdiamond]; plan [label="Plan"]; other [shape=parallelogram, tool_command="true"]; exit [shape=Msquare]; start -> plan -> other -> exit }';
        const found = diagnostics(dot, 'prompt_on_llm_nodes');
        expect(found).toMatchObject([{ severity: 'warning', node_id: 'plan' }]);
        const result = await runPipeline(parseDot(dot), { logsRoot: tempDir() });
        expect(result.status).toBe('success');
    });

    test.each([
        ['outcome>success', true],
        ['outcome=success || outcome=fail', true],
        ['outcome=success && ', true],
        ['outcome=', true],
        ['outcome=success', false],
        ['outcome!=fail && context.x=y', false],
        ['outcome=success && context.tool.output', false],
        ['last_stage=seed', false],
        ['context.note="two words"', false]
    ])('[#24] condition_syntax: "%s" → error: %s', (condition, isError) => {
        const found = diagnostics(VALID.replace('work -> exit', `work -> exit [condition=${JSON.stringify(condition)}]`), 'condition_syntax');
        expect(found.length).toBe(isError ? 1 : 0);
        if (isError) {
            expect(found[0]).toMatchObject({ severity: 'error', edge: { from: 'work', to: 'exit' } });
        }
    });

    test('[#25] validateOrRaise throws with the error messages when there is an error', () => {
        const graph = parseDot('digraph G { a [prompt="x"] }');
        expect(() => validateOrRaise(graph)).toThrow(ValidationError);
        expect(() => validateOrRaise(graph)).toThrow(/\[start_node\] the pipeline has no start node/);
    });

    test('[#25] validateOrRaise returns warnings without throwing', () => {
        const found = validateOrRaise(parseDot(VALID.replace('[prompt="Do it"]', '')));
        expect(found.map(d => d.rule)).toEqual(['prompt_on_llm_nodes']);
    });

    test('[#26] every diagnostic has a rule, a severity, a message, and the node or edge it concerns', () => {
        const graph = parseDot(`digraph G {
            graph [model_stylesheet="* { colour: red; }", default_fidelity=everything]
            start [shape=Mdiamond]
            a [goal_gate=true, retry_target=nowhere, fidelity=some, type=mystery]
            exit [shape=Msquare]
            b [goal_gate=true]
            orphan [prompt="x"]
            start -> b -> exit
            start -> a [fidelity=lots]
            a -> exit [condition="outcome>1"]
        }`);
        const found = validate(graph);
        expect(new Set(found.map(d => d.rule))).toEqual(new Set([
            'reachability', 'condition_syntax', 'stylesheet_syntax', 'type_known', 'fidelity_valid',
            'retry_target_exists', 'goal_gate_has_retry', 'prompt_on_llm_nodes'
        ]));
        for (const d of found) {
            expect(d.rule).toMatch(/^[a-z_]+$/);
            expect(['error', 'warning', 'info']).toContain(d.severity);
            expect(d.message.length).toBeGreaterThan(0);
        }
        expect(found.filter(d => d.rule === 'fidelity_valid').map(d => d.node_id ?? d.edge ?? 'graph'))
            .toEqual(['graph', 'a', { from: 'start', to: 'a' }]);
        expect(found.find(d => d.rule === 'condition_syntax')!.edge).toEqual({ from: 'a', to: 'exit' });
        expect(found.find(d => d.rule === 'type_known')!.node_id).toBe('a');
    });

    test('[S12] severities of the further rules: stylesheet_syntax is an error; type_known, fidelity_valid, retry_target_exists and goal_gate_has_retry are warnings', () => {
        const graph = parseDot(`digraph G {
            graph [model_stylesheet="* { llm_model: ; }"]
            start [shape=Mdiamond]
            a [prompt="x", goal_gate=true, fallback_retry_target=nowhere, fidelity=full, type=mystery]
            exit [shape=Msquare]
            start -> a -> exit
        }`);
        const severities = Object.fromEntries(validate(graph).map(d => [d.rule, d.severity]));
        expect(severities).toEqual({
            stylesheet_syntax: 'error',
            type_known: 'warning',
            retry_target_exists: 'warning'
        });
        const gate = parseDot(VALID.replace('[prompt="Do it"]', '[prompt="Do it", goal_gate=true, fidelity=sometimes]'));
        expect(validate(gate).map(d => [d.rule, d.severity])).toEqual([['fidelity_valid', 'warning'], ['goal_gate_has_retry', 'warning']]);
    });

    test('a goal gate with a graph-level retry_target needs no warning', () => {
        expect(diagnostics(VALID.replace('[prompt="Do it"]', '[prompt="Do it", goal_gate=true]').replace('{', '{ retry_target=work;'), 'goal_gate_has_retry')).toEqual([]);
    });

    test('[S12] type_known: a type no handler is registered for is reported; a house (stack.manager_loop) node is known', () => {
        expect(diagnostics(VALID.replace('work [prompt="Do it"]', 'work [type="nobody"]'), 'type_known'))
            .toMatchObject([{ severity: 'warning', node_id: 'work', message: expect.stringContaining('nobody') }]);
        expect(diagnostics(VALID.replace('work [prompt="Do it"]', 'work [shape=house]'), 'type_known')).toEqual([]);
    });

    test('type_known uses the registry the runner gets', () => {
        const graph = parseDot(VALID.replace('[prompt="Do it"]', '[prompt="Do it", type="crew.role"]'));
        expect(validate(graph).map(d => d.rule)).toEqual(['type_known']);
        expect(validate(graph, { handlerTypes: [...BUILT_IN_HANDLER_TYPES, 'crew.role'] })).toEqual([]);
    });

    test('the built-in handler types are those the default registry registers', () => {
        expect(createDefaultRegistry().types().sort()).toEqual([...BUILT_IN_HANDLER_TYPES].sort());
    });

    test('[S13] extra_rules run after the built-in rules and their diagnostics are returned', () => {
        const noShouting: LintRule = {
            name: 'no_shouting',
            apply: graph => [...graph.nodes.values()]
                .filter(n => n.prompt !== '' && n.prompt === n.prompt.toUpperCase())
                .map(n => ({ rule: 'no_shouting', severity: 'info', message: `${n.id} shouts`, node_id: n.id }))
        };
        const found = validate(parseDot(VALID.replace('Do it', 'DO IT').replace('exit [', 'orphan [prompt="x"]\nexit [')), { extraRules: [noShouting] });
        expect(found.map(d => d.rule)).toEqual(['reachability', 'no_shouting']);
        expect(found.at(-1)).toEqual({ rule: 'no_shouting', severity: 'info', message: 'work shouts', node_id: 'work' });
    });

    test('[S8 S11] the engine refuses to run a graph with errors, and no handler runs', async () => {
        const spy = scriptedHandler({ status: 'success' });
        const registry = createDefaultRegistry();
        registry.register('codergen', spy);
        registry.register('start', spy);
        const graph = parseDot(VALID.replace('exit [', 'orphan [prompt="x"]\nexit ['));
        await expect(runPipeline(graph, { logsRoot: tempDir(), registry })).rejects.toThrow(/\[reachability\] node orphan/);
        expect(spy.calls).toEqual([]);
    });

    test('tools_known: a tool an LLM stage cannot have is an error on its tools attribute; the four tools are fine', () => {
        expect(diagnostics(VALID.replace('work [prompt="Do it"]', 'work [prompt="Do it", tools="read_file, grep"]'), 'tools_known')).toEqual([{
            rule: 'tools_known', severity: 'error', node_id: 'work', attribute: 'tools',
            message: 'node work lists unknown tools (grep); the tools are read_file, list_files, write_file, shell'
        }]);
        expect(diagnostics(VALID.replace('work [prompt="Do it"]', 'work [prompt="Do it", tools="read_file,list_files,write_file,shell"]'), 'tools_known')).toEqual([]);
    });

    test('attribute_known: an unknown key is a warning with the nearest known key, on the graph, a node or an edge', () => {
        const found = diagnostics(`digraph G {
            graph [gaol="x"]
            start [shape=Mdiamond]
            work [prompt="Do it", max_retires=2, goal="g", custom_thing=1]
            exit [shape=Msquare]
            start -> work [conditon="outcome=success"]
            work -> exit
        }`, 'attribute_known');
        expect(found.map(({ severity, message, node_id, edge, attribute, attribute_part, fix }) => ({ severity, message, node_id, edge, attribute, attribute_part, fix }))).toEqual([
            { severity: 'warning', message: 'unknown graph attribute "gaol"; did you mean "goal"?', attribute: 'gaol', attribute_part: 'key', fix: 'rename it to goal', node_id: undefined, edge: undefined },
            { severity: 'warning', message: 'unknown node attribute "max_retires"; did you mean "max_retries"?', node_id: 'work', attribute: 'max_retires', attribute_part: 'key', fix: 'rename it to max_retries', edge: undefined },
            { severity: 'warning', message: 'unknown node attribute "goal"; it is a graph attribute', node_id: 'work', attribute: 'goal', attribute_part: 'key', fix: undefined, edge: undefined },
            { severity: 'warning', message: 'unknown node attribute "custom_thing"', node_id: 'work', attribute: 'custom_thing', attribute_part: 'key', fix: undefined, edge: undefined },
            { severity: 'warning', message: 'unknown edge attribute "conditon"; did you mean "condition"?', edge: { from: 'start', to: 'work' }, attribute: 'conditon', attribute_part: 'key', fix: 'rename it to condition', node_id: undefined }
        ]);
    });

    test('attribute_known: Appendix A, the handlers\' attributes and Graphviz cosmetics are all known; options add more', () => {
        const dot = `digraph G {
            graph [goal="g", label="L", model_stylesheet="", default_max_retries=1, default_max_retry=1, default_fidelity=full,
                   retry_target=work, fallback_retry_target=work, stack.child_dotfile="c.dot", stack.child_workdir=".",
                   tool_hooks.pre="true", tool_hooks.post="true", rankdir=LR, bgcolor=white, fontname=Helvetica]
            start [shape=Mdiamond]
            work [label="W", shape=box, type=codergen, prompt="p", max_retries=1, goal_gate=true, retry_target=work,
                  fallback_retry_target=work, fidelity=full, thread_id=t, class="a,b", timeout=1s, llm_model=m, llm_provider=p,
                  reasoning_effort=low, auto_status=true, allow_partial=true, max_visits=3, color=red, style=filled, fillcolor=blue]
            t [shape=parallelogram, tool_command="true", tool_hooks.pre="true"]
            gate [shape=hexagon, human.default_choice=t]
            fan [shape=component, join_policy=wait_all, max_parallel=2]
            boss [shape=house, manager.poll_interval=45s, manager.max_cycles=10, manager.stop_condition="outcome=success",
                  manager.actions="observe,wait", stack.child_autostart=false]
            exit [shape=Msquare]
            start -> work [label="go", condition="outcome=success", weight=1, fidelity=full, thread_id=t, loop_restart=false, color=red, arrowhead=none]
            work -> t -> gate -> fan -> boss -> exit
        }`;
        expect(diagnostics(dot, 'attribute_known')).toEqual([]);
        const withRole = dot.replace('work [label="W"', 'work [role="Planner", label="W"');
        expect(diagnostics(withRole, 'attribute_known')).toMatchObject([{ node_id: 'work', attribute: 'role' }]);
        expect(validate(parseDot(withRole), { attributes: [{ key: 'role', on: 'node', type: 'string', doc: 'r', source: 'test' }] })
            .filter(d => d.rule === 'attribute_known')).toEqual([]);
    });

    test('the catalog covers Appendix A, with the types the spec gives', () => {
        const appendixA: Record<string, string[]> = {
            graph: ['goal', 'label', 'model_stylesheet', 'default_max_retries', 'default_fidelity', 'retry_target', 'fallback_retry_target', 'stack.child_dotfile', 'stack.child_workdir', 'tool_hooks.pre', 'tool_hooks.post'],
            node: ['label', 'shape', 'type', 'prompt', 'max_retries', 'goal_gate', 'retry_target', 'fallback_retry_target', 'fidelity', 'thread_id', 'class', 'timeout', 'llm_model', 'llm_provider', 'reasoning_effort', 'auto_status', 'allow_partial'],
            edge: ['label', 'condition', 'weight', 'fidelity', 'thread_id', 'loop_restart']
        };
        for (const [on, keys] of Object.entries(appendixA)) {
            expect(keys.filter(key => !ATTRIBUTES.some(a => a.on === on && a.key === key && a.doc !== '' && !a.cosmetic))).toEqual([]);
        }
        const typeOf = (on: string, key: string) => ATTRIBUTES.find(a => a.on === on && a.key === key)!.type;
        expect([typeOf('node', 'max_retries'), typeOf('node', 'goal_gate'), typeOf('node', 'timeout'), typeOf('edge', 'weight'), typeOf('node', 'max_visits')])
            .toEqual(['integer', 'boolean', 'duration', 'integer', 'integer']);
        expect(ATTRIBUTES.find(a => a.on === 'node' && a.key === 'shape')!.values).toEqual(['Mdiamond', 'Msquare', 'box', 'hexagon', 'diamond', 'component', 'tripleoctagon', 'parallelogram', 'house']);
        const keys = ATTRIBUTES.map(a => `${a.on} ${a.key}`);
        expect(new Set(keys).size).toBe(keys.length);
    });

    test('nearestAttribute suggests only close keys', () => {
        expect(nearestAttribute('node', 'promt')).toBe('prompt');
        expect(nearestAttribute('edge', 'Weight')).toBe('weight');
        expect(nearestAttribute('node', 'xyz')).toBeUndefined();
        expect(nearestAttribute('node', 'completely_different')).toBeUndefined();
        expect([editDistance('gaol', 'goal'), editDistance('kitten', 'sitting'), editDistance('', 'abc')]).toEqual([1, 3, 3]);
    });

    const GATE = `digraph G {
        start [shape=Mdiamond]
        work [prompt="Do it"]
        gate [shape=hexagon, label="Ship it?"]
        exit [shape=Msquare]
        start -> work -> gate
        EDGES
    }`;

    test('human_gate_first_option_back_edge: a gate whose first option leads back to a node before it is a warning', () => {
        const found = diagnostics(GATE.replace('EDGES', 'gate -> work [label="[R] Rework"]\ngate -> exit [label="[S] Ship"]'), 'human_gate_first_option_back_edge');
        expect(found).toEqual([{
            rule: 'human_gate_first_option_back_edge', severity: 'warning', node_id: 'gate', edge: { from: 'gate', to: 'work' }, edge_index: 2,
            message: 'the first option of human gate gate, "[R] Rework", leads back to work, which reaches gate again: auto-approve and an answer matching no option take the first option, so the run would loop',
            fix: 'declare the edge gate -> exit first'
        }]);
    });

    test.each([
        ['the forward option first', 'gate -> exit [label="[S] Ship"]\ngate -> work [label="[R] Rework"]', 0],
        ['a self-loop first', 'gate -> gate [label="[A] Ask again"]\ngate -> exit', 1],
        ['type=wait.human on a box', 'gate -> work\ngate -> exit\ngate [shape=box, type="wait.human"]', 1],
        ['a conditional node with the same edges', 'gate -> work\ngate -> exit\ngate [shape=diamond]', 0],
        ['a first option to a node that does not lead back', 'gate -> side\nside -> exit\ngate -> work', 0]
    ])('human_gate_first_option_back_edge with %s: %s warnings', (_, edges, count) => {
        expect(diagnostics(GATE.replace('EDGES', edges), 'human_gate_first_option_back_edge')).toHaveLength(count);
    });
});
