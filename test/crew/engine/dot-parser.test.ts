import { describe, expect, test } from 'vitest';
import { DotParseError, parseDot, parsePipeline, type PipelineGraph } from '../../../language-server/src/crew/engine/index.js';

function edgeList(graph: PipelineGraph): string[] {
    return graph.edges.map(e => `${e.from}->${e.to}`);
}

function parseError(source: string): DotParseError {
    try {
        parseDot(source);
    } catch (e) {
        expect(e).toBeInstanceOf(DotParseError);
        return e as DotParseError;
    }
    throw new Error(`expected a parse error for: ${source}`);
}

describe('DOT parsing', () => {
    test('[#1] accepts a digraph with graph, node and edge blocks, node and edge statements', () => {
        const graph = parseDot(`digraph Flow {
            graph [goal="g"]
            node [shape=box]
            edge [weight=1]
            a [prompt="A"]
            b
            a -> b
        }`);
        expect(graph.id).toBe('Flow');
        expect([...graph.nodes.keys()]).toEqual(['a', 'b']);
        expect(edgeList(graph)).toEqual(['a->b']);
    });

    test.each([
        ['an undirected graph', 'graph G { a -- b }', /undirected graphs are not supported/],
        ['an undirected edge', 'digraph G { a -- b }', /undirected edges \(--\) are not supported/],
        ['a strict digraph', 'strict digraph G { a -> b }', /`strict` graphs are not supported/],
        ['two graphs', 'digraph G { a } digraph H { b }', /only one graph per file/],
        ['an HTML label', 'digraph G { a [label=<<b>x</b>>] }', /HTML strings/],
        ['an edge group', 'digraph G { a -> {b c} }', /edge groups/],
        ['a port', 'digraph G { a:p -> b }', /must be a bare identifier/],
        ['a quoted non-identifier node id', 'digraph G { "my node" }', /must be a bare identifier/]
    ])('[#2] rejects %s with a clear error', (_, source, message) => {
        expect(parseError(source).message).toMatch(message);
    });

    test('reports the line and column of a syntax error', () => {
        const error = parseError('digraph G {\n    a [label="x",\n       shape= ]\n}');
        expect(error.line).toBe(3);
        expect(error.column).toBeGreaterThan(1);
        expect(error.message).toMatch(/^line 3, column \d+: /);
    });

    test('reports the position of a mistyped attribute in the original source, after a quoted bare value', () => {
        const error = parseError('digraph G {\n  a [fidelity=summary:high, max_retries=many]\n}');
        expect(error.message).toBe('line 2, column 41: attribute max_retries="many" must be an integer');
    });

    test('a quoted string may span lines, and later positions are still reported correctly', () => {
        const graph = parseDot('digraph G {\r\n  a [prompt="line one\r\nline two\n  line three"]\n}');
        expect(graph.nodes.get('a')!.prompt).toBe('line one\r\nline two\n  line three');
        expect(parseError('digraph G {\n  a [prompt="one\ntwo", x=summary:high, weight=3 max_retries=no]\n}').message)
            .toBe('line 3, column 44: attribute max_retries="no" must be an integer');
    });

    test('[#3] semicolons are optional', () => {
        const withSemicolons = parseDot('digraph G { a [label="A"]; b; a -> b; b -> c; }');
        const without = parseDot('digraph G { a [label="A"] b a -> b b -> c }');
        expect([...without.nodes.keys()]).toEqual([...withSemicolons.nodes.keys()]);
        expect(edgeList(without)).toEqual(edgeList(withSemicolons));
    });

    test('[#4] graph [goal, label, model_stylesheet] sets the graph attributes', () => {
        const graph = parseDot('digraph G { graph [goal="G", label="L", model_stylesheet="* { llm_model: m; }"] }');
        expect(graph.goal).toBe('G');
        expect(graph.label).toBe('L');
        expect(graph.model_stylesheet).toBe('* { llm_model: m; }');
    });

    test('[#5] a top-level goal declaration sets the goal, and rankdir=LR is accepted', () => {
        const graph = parseDot('digraph G {\n    goal = "G"\n    rankdir=LR\n    a\n}');
        expect(graph.goal).toBe('G');
        expect(graph.attrs.rankdir).toBe('LR');
    });

    test('[#6] a node attribute block spanning several lines sets every attribute', () => {
        const graph = parseDot(`digraph Review {
            review_gate [
                shape=hexagon,
                label="Review Changes",
                type="wait.human"
            ]
        }`);
        const node = graph.nodes.get('review_gate')!;
        expect([node.shape, node.label, node.type]).toEqual(['hexagon', 'Review Changes', 'wait.human']);
    });

    test('[#7] edge label, condition and weight are parsed; weight defaults to 0', () => {
        const graph = parseDot('digraph G { a -> b [label="L", condition="outcome=success", weight=5]; b -> c }');
        const [first, second] = graph.edges;
        expect(first.label).toBe('L');
        expect(first.condition).toBe('outcome=success');
        expect(first.weight).toBe(5);
        expect(second.weight).toBe(0);
    });

    test('[#8] a chained edge A -> B -> C yields two edges that share its attributes', () => {
        const graph = parseDot('digraph G { A -> B -> C [label="next"] }');
        expect(edgeList(graph)).toEqual(['A->B', 'B->C']);
        expect(graph.edges.map(e => e.label)).toEqual(['next', 'next']);
    });

    test('[#9] node and edge defaults apply to later statements; explicit attributes win', () => {
        const graph = parseDot(`digraph G {
            early
            node [shape=box, timeout="900s"]
            edge [weight=3]
            a
            b [timeout="1800s"]
            a -> b
        }`);
        expect(graph.nodes.get('early')!.timeout_ms).toBeUndefined();
        expect(graph.nodes.get('a')!.timeout_ms).toBe(900_000);
        expect(graph.nodes.get('b')!.timeout_ms).toBe(1_800_000);
        expect(graph.edges[0].weight).toBe(3);
    });

    test('[#10] subgraph contents are flattened into the graph and the subgraph is not a node', () => {
        const graph = parseDot('digraph G { start -> x; subgraph cluster_x { x -> y; y [label="Y"] } y -> end }');
        expect([...graph.nodes.keys()].sort()).toEqual(['end', 'start', 'x', 'y']);
        expect(edgeList(graph)).toEqual(['start->x', 'x->y', 'y->end']);
    });

    test('[#11] subgraph node defaults apply only inside it, and its label becomes a class (§2.10)', () => {
        const graph = parseDot(`digraph G {
            subgraph cluster_loop {
                label = "Loop A"
                node [thread_id="loop-a", timeout="900s"]
                Plan      [label="Plan next step"]
                Implement [label="Implement", timeout="1800s"]
            }
            Outside
        }`);
        const plan = graph.nodes.get('Plan')!;
        const implement = graph.nodes.get('Implement')!;
        const outside = graph.nodes.get('Outside')!;
        expect(plan.attrs.thread_id).toBe('loop-a');
        expect(plan.timeout_ms).toBe(900_000);
        expect(implement.attrs.thread_id).toBe('loop-a');
        expect(implement.timeout_ms).toBe(1_800_000);
        expect(outside.attrs.thread_id).toBeUndefined();
        expect(outside.timeout_ms).toBeUndefined();
        expect(plan.classes).toEqual(['loop-a']);
        expect(outside.classes).toEqual([]);
    });

    test('nested subgraphs add their classes to the class the node declares', () => {
        const graph = parseDot('digraph G { subgraph a { graph [label="Outer Loop!"]; subgraph b { label="Inner"; n [class="code"] } } }');
        expect(graph.nodes.get('n')!.classes).toEqual(['code', 'inner', 'outer-loop']);
    });

    test('class="code,critical" gives two classes', () => {
        expect(parseDot('digraph G { n [class="code, critical"] }').nodes.get('n')!.classes).toEqual(['code', 'critical']);
    });

    test('[#13] quoted and unquoted values are equivalent', () => {
        const bare = parseDot('digraph G { n [shape=box, max_retries=3, goal_gate=true] }').nodes.get('n')!;
        const quoted = parseDot('digraph G { n [shape="box", max_retries="3", goal_gate="true"] }').nodes.get('n')!;
        expect(quoted).toEqual(bare);
        expect([bare.shape, bare.max_retries, bare.goal_gate]).toEqual(['box', 3, true]);
    });

    test('[#14] string escapes \\" \\n \\t \\\\ are decoded', () => {
        const node = parseDot(String.raw`digraph G { n [prompt="say \"hi\"\nthen\tgo \\ home"] }`).nodes.get('n')!;
        expect(node.prompt).toBe('say "hi"\nthen\tgo \\ home');
    });

    test('[#14] Integer, Float, Boolean, Duration and BareValue values and qualified keys parse', () => {
        const graph = parseDot(`digraph G {
            n [weightless=-1, ratio=0.5, goal_gate=false, fidelity=summary:high, human.default_choice=ship_it, tool_hooks.pre="echo pre"]
            a [timeout=250ms]
            b [timeout=15m]
            c [timeout=2h]
            d [timeout=1d]
            a -> b [weight=-1]
        }`);
        const n = graph.nodes.get('n')!;
        expect(n.attrs).toMatchObject({ weightless: '-1', ratio: '0.5', fidelity: 'summary:high', 'human.default_choice': 'ship_it', 'tool_hooks.pre': 'echo pre' });
        expect(n.goal_gate).toBe(false);
        expect(['a', 'b', 'c', 'd'].map(id => graph.nodes.get(id)!.timeout_ms)).toEqual([250, 900_000, 7_200_000, 86_400_000]);
        expect(graph.edges[0].weight).toBe(-1);
    });

    test.each([
        ['max_retries', 'n [max_retries=2.5]', /max_retries="2.5" must be an integer/],
        ['goal_gate', 'n [goal_gate=yes]', /goal_gate="yes" must be true or false/],
        ['timeout', 'n [timeout=900]', /timeout="900" must be a duration/],
        ['weight', 'a -> b [weight=heavy]', /weight="heavy" must be an integer/],
        ['default_max_retries', 'graph [default_max_retries=lots]', /default_max_retries="lots" must be an integer/],
        ['max_visits', 'n [max_visits=often]', /max_visits="often" must be an integer/],
        ['max_parallel', 'n [shape=component, max_parallel=two]', /max_parallel="two" must be an integer/],
        ['manager.poll_interval', 'n [manager.poll_interval=45]', /manager.poll_interval="45" must be a duration/],
        ['a typed default', 'node [goal_gate=maybe]', /goal_gate="maybe" must be true or false/]
    ])('rejects a mistyped %s', (_, statement, message) => {
        expect(parseError(`digraph G { ${statement} }`).message).toMatch(message);
    });

    test('[#15] comments are ignored', () => {
        const commented = parseDot(`// leading
            digraph G { /* block
            comment */ a -> b // trailing
            b [label="B"] /* inline */ }`);
        const plain = parseDot('digraph G { a -> b b [label="B"] }');
        expect([...commented.nodes.values()]).toEqual([...plain.nodes.values()]);
        expect(commented.edges).toEqual(plain.edges);
    });

    test('[#16] // and /* inside a quoted string are kept', () => {
        const node = parseDot('digraph G { t [tool_command="curl http://example.com/a//b /* not a comment */"] }').nodes.get('t')!;
        expect(node.attrs.tool_command).toBe('curl http://example.com/a//b /* not a comment */');
    });

    test('[#22] a node first named by an edge is declared by it, with the defaults in force there (A.3 #8)', () => {
        const graph = parseDot('digraph G { node [shape=box]; review -> ship_it; ship_it [prompt="Ship"] }');
        expect(graph.nodes.get('ship_it')!.prompt).toBe('Ship');
        expect(graph.nodes.get('review')!.attrs.shape).toBe('box');
    });

    test('[S1] defaults when attributes are absent (Appendix A)', () => {
        const graph = parseDot('digraph G { n; n -> m }');
        const node = graph.nodes.get('n')!;
        expect(node).toMatchObject({
            shape: 'box', label: 'n', type: '', prompt: '', goal_gate: false, reasoning_effort: 'high',
            auto_status: false, allow_partial: false, max_retries: undefined, timeout_ms: undefined
        });
        expect(graph.edges[0]).toMatchObject({ weight: 0, loop_restart: false, condition: '', label: '' });
        expect(graph).toMatchObject({ goal: '', default_max_retries: 0, retry_target: '', fallback_retry_target: '' });
    });

    test('[S1] default_max_retry is accepted as an alias of default_max_retries', () => {
        expect(parseDot('digraph G { default_max_retry=4 }').default_max_retries).toBe(4);
        expect(parseDot('digraph G { default_max_retries=2; default_max_retry=4 }').default_max_retries).toBe(2);
    });

    test('max_visits is a typed node attribute: absent or 0 means unlimited', () => {
        const graph = parseDot('digraph G { a [max_visits=3]; b; c [max_visits=0] }');
        expect(['a', 'b', 'c'].map(id => graph.nodes.get(id)!.max_visits)).toEqual([3, 0, 0]);
    });

    test('parsePipeline gives the problems instead of throwing, with parseDot\'s messages', () => {
        for (const source of ['', '}', 'digraph {', 'digraph G { a [label="open', 'digraph G { /* open', '<<<', 'digraph G { a -> }', 'graph { a -- b -- }', 'digraph G { a [label=<x>] }']) {
            const { problems } = parsePipeline(source);
            expect(problems.length).toBeGreaterThan(0);
            expect(problems.every(p => p.rule === 'dot_syntax' && p.severity === 'error' && p.range !== undefined)).toBe(true);
            expect(() => parseDot(source)).toThrow(problems[0].message);
        }
        const valid = parsePipeline('digraph G { a -> b }');
        expect(valid.problems).toEqual([]);
        expect(valid.graph).toEqual(parseDot('digraph G { a -> b }'));
    });
});
