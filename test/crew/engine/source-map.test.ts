import { describe, expect, test } from 'vitest';
import crewDot from '../../../language-server/src/crew/crew.dot';
import { CREW_ROLES, crewNodeTypes, crewValidateOptions } from '../../../language-server/src/crew/crew-vocabulary.js';
import {
    createGraph,
    DotParseError,
    LineIndex,
    locateDiagnostic,
    locateDiagnostics,
    parseDot,
    parsePipeline,
    validate,
    type Diagnostic,
    type DotSourceMap,
    type Range
} from '../../../language-server/src/crew/engine/index.js';

/** `line:character text`: where a range starts, and the text it covers. */
function shown(source: string, range: Range): string {
    const lines = new LineIndex(source);
    return `${range.start.line}:${range.start.character} ${source.slice(lines.offset(range.start), lines.offset(range.end))}`;
}

function located(source: string, diagnostics: readonly Diagnostic[], map: DotSourceMap): string[][] {
    return diagnostics.map(d => [d.rule, shown(source, locateDiagnostic(d, map))]);
}

function parsed(source: string) {
    const result = parsePipeline(source);
    expect(result.graph).toBeDefined();
    return { ...result, graph: result.graph! };
}

// Every §7.2 rule but start_node, terminal_node and edge_target_exists, and both new rules.
const LINTS = `digraph Lints {
    graph [model_stylesheet="* { colour: red; }", default_fidelity=everything, rankdr=LR]
    start [shape=Mdiamond]
    a [retry_target=ghost, fidelity=some, type=mystery, prompt="A"]
    c [goal_gate=true, prompt="C", promt="typo"]
    gate [shape=hexagon, label="Check"]
    exit [shape=Msquare]
    orphan [prompt="lost", goal="x"]
    start -> a [weigth=1]
    a -> c -> b -> gate
    gate -> b [label="[B] Back"]
    gate -> exit [label="[E] Exit", fidelity=lots]
    b -> exit [condition="outcome>1"]
    exit -> b
    b -> start
    b [label="B"]
}`;

describe('locating diagnostics in the DOT text', () => {
    test('each lint rule points at the attribute value, edge or node it is about', () => {
        const { graph, sourceMap, problems } = parsed(LINTS);
        expect(problems).toEqual([]);
        expect(located(LINTS, validate(graph), sourceMap)).toEqual([
            ['start_no_incoming', '14:4 b -> start'],
            ['exit_no_outgoing', '13:4 exit -> b'],
            ['reachability', '7:4 orphan'],
            ['condition_syntax', '12:25 "outcome>1"'],
            ['stylesheet_syntax', '1:28 "* { colour: red; }"'],
            ['type_known', '3:47 mystery'],
            ['fidelity_valid', '1:67 everything'],
            ['fidelity_valid', '3:36 some'],
            ['fidelity_valid', '11:45 lots'],
            ['retry_target_exists', '3:20 ghost'],
            ['goal_gate_has_retry', '4:17 true'],
            // b is first named by an edge; its own statement is where it is declared.
            ['prompt_on_llm_nodes', '15:4 b'],
            ['attribute_known', '1:79 rankdr'],
            ['attribute_known', '4:35 promt'],
            ['attribute_known', '7:27 goal'],
            ['attribute_known', '8:16 weigth'],
            ['human_gate_first_option_back_edge', '10:4 gate -> b']
        ]);
    });

    test('start_node and terminal_node point at the graph header', () => {
        const source = 'digraph Empty {\n    a [prompt="x"]\n}';
        const { graph, sourceMap } = parsed(source);
        expect(located(source, validate(graph), sourceMap)).toEqual([
            ['start_node', '0:0 digraph Empty'],
            ['terminal_node', '0:0 digraph Empty']
        ]);
    });

    const TWICE = `digraph Twice {
    start [shape=Mdiamond]
    exit [shape=Msquare]
    start -> exit [label="one"]
    start -> exit [condition="outcome=>"]
    start -> gone
}`;

    test('an edge is located by its index, so the same from→to pair written twice is told apart', () => {
        const { graph, sourceMap } = parsed(TWICE);
        expect(sourceMap.edges.map(e => `${e.from_id}->${e.to_id}`)).toEqual(graph.edges.map(e => `${e.from}->${e.to}`));
        expect(located(TWICE, validate(graph).filter(d => d.rule === 'condition_syntax'), sourceMap)).toEqual([['condition_syntax', '4:29 "outcome=>"']]);
        const edge = { from: 'start', to: 'exit' };
        const at = (d: Partial<Diagnostic>) => shown(TWICE, locateDiagnostic({ rule: 'x', severity: 'info', message: '', ...d }, sourceMap));
        expect(at({ edge, edge_index: 1 })).toBe('4:4 start -> exit');
        expect(at({ edge, edge_index: 0, attribute: 'label' })).toBe('3:25 "one"');
        // The second edge has no label: its own range, not the first edge's label.
        expect(at({ edge, edge_index: 1, attribute: 'label' })).toBe('4:4 start -> exit');
        // Without an index, the first edge with those ends.
        expect(at({ edge })).toBe('3:4 start -> exit');
    });

    test('edge_target_exists on a transformed graph is located with the map of the text it came from', () => {
        const { graph, sourceMap } = parsed(TWICE);
        const withoutGone = createGraph(graph.id, graph.attrs, [...graph.nodes.values()].filter(n => n.id !== 'gone'), graph.edges);
        expect(located(TWICE, validate(withoutGone).filter(d => d.rule === 'edge_target_exists'), sourceMap))
            .toEqual([['edge_target_exists', '5:4 start -> gone']]);
    });

    test('an attribute from node or edge defaults is located at the default', () => {
        const source = 'digraph D {\n    node [fidelity=bogus]\n    start [shape=Mdiamond]\n}';
        const { graph, sourceMap } = parsed(source);
        const found = validate(graph).filter(d => d.rule === 'fidelity_valid');
        expect(located(source, found, sourceMap)).toEqual([['fidelity_valid', '1:19 bogus']]);
    });

    test('locateDiagnostics drops a repeat at the same place: an unknown key in node [...] is reported once', () => {
        const source = 'digraph D {\n    node [colr=red]\n    start [shape=Mdiamond]\n    exit [shape=Msquare]\n    start -> exit\n}';
        const { graph, sourceMap } = parsed(source);
        const found = validate(graph).filter(d => d.rule === 'attribute_known');
        expect(found.map(d => d.node_id)).toEqual(['start', 'exit']);
        expect(locateDiagnostics(found, sourceMap).map(l => shown(source, l.range))).toEqual(['1:10 colr']);
    });
});

describe('tolerant parsing', () => {
    test('a mistyped attribute is an attribute_type problem at its value; the attribute is left out and the rest parses', () => {
        const source = 'digraph Typed {\n    node [max_retries=2]\n    a [prompt="one\ntwo", max_retries=x]\n    start [shape=Mdiamond]\n    start -> a [weight=heavy]\n}';
        const { graph, sourceMap, problems } = parsed(source);
        expect(problems.map(p => [p.rule, p.severity, p.message, shown(source, locateDiagnostic(p, sourceMap))])).toEqual([
            ['attribute_type', 'error', 'attribute max_retries="x" must be an integer', '3:18 x'],
            ['attribute_type', 'error', 'attribute weight="heavy" must be an integer', '5:23 heavy']
        ]);
        expect(problems[0]).toMatchObject({ attribute: 'max_retries', node_id: 'a' });
        expect(graph.nodes.get('a')!.max_retries).toBe(2);
        expect(graph.edges[0].weight).toBe(0);
        // A value spanning lines is located across them.
        expect(shown(source, sourceMap.nodes.get('a')!.attrs.get('prompt')!.value)).toBe('2:14 "one\ntwo"');
        expect(validate(graph).map(d => d.rule)).toContain('terminal_node');
        expect(() => parseDot(source)).toThrow('line 4, column 19: attribute max_retries="x" must be an integer');
    });

    test('a syntax error is located in the original text, after characters the pre-pass inserted before it', () => {
        // The pre-pass quotes summary:high, a.b and c:d and escapes the line break in the string.
        const source = 'digraph G {\n    a [fidelity=summary:high, tool_command="make\ntest"]\n    b [x=a.b, y=c:d, = ]\n}';
        const { graph, sourceMap, problems } = parsePipeline(source);
        expect(graph).toBeUndefined();
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatchObject({ rule: 'dot_syntax', severity: 'error' });
        expect(locateDiagnostic(problems[0], sourceMap)).toEqual({ start: { line: 3, character: 21 }, end: { line: 3, character: 22 } });
        const error = (() => {
            try {
                parseDot(source);
                return undefined;
            } catch (e) {
                return e;
            }
        })();
        expect(error).toBeInstanceOf(DotParseError);
        expect(error).toMatchObject({ line: 4, column: 22 });
    });

    test('a second graph is a problem at its keyword; the first graph still parses', () => {
        const source = 'digraph G { a }\ndigraph H { b }';
        const { graph, problems, sourceMap } = parsePipeline(source);
        expect([...graph!.nodes.keys()]).toEqual(['a']);
        expect(problems.map(p => [p.message, shown(source, locateDiagnostic(p, sourceMap))])).toEqual([['only one graph per file is allowed', '1:0 digraph']]);
    });

    test('subset violations are located problems, and the graph is read as Graphviz would', () => {
        const source = 'strict digraph G {\n    a -> {b c}\n    "my node"\n    e [label=<<b>x</b>>]\n}';
        const { graph, problems, sourceMap } = parsePipeline(source);
        expect(problems.map(p => shown(source, locateDiagnostic(p, sourceMap)))).toEqual(['0:0 strict', '1:9 {b c}', '2:4 "my node"', '3:13 <<b>x</b>>']);
        expect(problems.every(p => p.rule === 'dot_syntax' && p.severity === 'error')).toBe(true);
        expect(graph!.edges.map(e => `${e.from}->${e.to}`)).toEqual(['a->b', 'a->c']);
        expect(graph!.nodes.get('e')!.attrs.label).toBeUndefined();
    });

    test('line index: CRLF line ends, and offsets round-trip', () => {
        const text = 'ab\r\ncd\n\nef';
        const lines = new LineIndex(text);
        expect(lines.position(5)).toEqual({ line: 1, character: 1 });
        expect(lines.position(8)).toEqual({ line: 3, character: 0 });
        expect(lines.position(99)).toEqual({ line: 3, character: 2 });
        for (let offset = 0; offset <= text.length; offset++) {
            expect(lines.offset(lines.position(offset))).toBe(offset);
        }
    });
});

describe('the crew vocabulary', () => {
    test('the shipped crew.dot has no problems, no errors and no type_known or attribute_known warnings', () => {
        const { graph, problems } = parsePipeline(crewDot);
        expect(problems).toEqual([]);
        const found = validate(graph!, crewValidateOptions());
        expect(found.filter(d => d.severity === 'error')).toEqual([]);
        expect(found.filter(d => d.rule === 'type_known' || d.rule === 'attribute_known')).toEqual([]);
    });

    test('the node types are those the crew registers, every type crew.dot uses among them', () => {
        const types = crewNodeTypes();
        expect(types).toContain('crew.release');
        expect(types.every(t => t.startsWith('crew.'))).toBe(true);
        const used = [...parseDot(crewDot).nodes.values()].map(n => n.type).filter(t => t !== '');
        expect(used.filter(t => !types.includes(t))).toEqual([]);
        expect(validate(parseDot(crewDot)).some(d => d.rule === 'type_known')).toBe(true);
    });

    test('the roles are the ones the shipped crew.dot names, each once', () => {
        expect(CREW_ROLES).toEqual(expect.arrayContaining(['Planner', 'Safety', 'Deployer']));
        expect(new Set(CREW_ROLES).size).toBe(CREW_ROLES.length);
    });
});
