import { describe, expect, test } from 'vitest';
import {
    applyModelStylesheet,
    parseDot,
    parseStylesheet,
    preparePipeline,
    StylesheetSyntaxError,
    validate,
    type PipelineGraph
} from '../../../language-server/src/crew/engine/index.js';

function styled(stylesheet: string, body: string): PipelineGraph {
    return applyModelStylesheet(parseDot(`digraph G { graph [model_stylesheet=${JSON.stringify(stylesheet)}]\n${body} }`));
}

function models(graph: PipelineGraph): Record<string, string> {
    return Object.fromEntries([...graph.nodes.values()].map(n => [n.id, n.llm_model]));
}

describe('model stylesheet', () => {
    test('[#87] is read from model_stylesheet: * sets llm_model and llm_provider on every node', () => {
        const graph = styled('* { llm_model: a; llm_provider: p; }', 'x; y [shape=hexagon]');
        for (const node of graph.nodes.values()) {
            expect([node.llm_model, node.llm_provider]).toEqual(['a', 'p']);
        }
    });

    test('[#87] a malformed stylesheet is a stylesheet_syntax error and leaves the nodes unstyled', () => {
        const source = 'digraph G { graph [model_stylesheet="* { llm_model: a"]; start [shape=Mdiamond]; exit [shape=Msquare]; start -> exit }';
        const { graph, diagnostics } = preparePipeline(parseDot(source));
        expect(diagnostics).toMatchObject([{ rule: 'stylesheet_syntax', severity: 'error' }]);
        expect(graph.nodes.get('start')!.llm_model).toBe('');
        expect(() => parseStylesheet('* { llm_model: a')).toThrow(StylesheetSyntaxError);
        expect(() => parseStylesheet('* { colour: red; }')).toThrow(/unknown property "colour"/);
        expect(() => parseStylesheet('{ llm_model: a; }')).toThrow(/expected a selector/);
    });

    test('[#88] a shape selector applies only to nodes of that shape (box is the default shape)', () => {
        const graph = styled('box { llm_model: "claude-opus-4-6" }', 'plain; boxed [shape=box]; human [shape=hexagon]');
        expect(models(graph)).toEqual({ plain: 'claude-opus-4-6', boxed: 'claude-opus-4-6', human: '' });
    });

    test('[#12 #89] a class selector applies only to nodes with that class, including subgraph-derived classes', () => {
        const graph = styled('.fast { llm_model: "gemini-3-flash-preview" }',
            'a [class="fast"]; b [class="slow"]; subgraph cluster_f { label="Fast"; c }');
        expect(models(graph)).toEqual({ a: 'gemini-3-flash-preview', b: '', c: 'gemini-3-flash-preview' });
    });

    test('[#12] class="code,critical" is matched by both .code and .critical', () => {
        const graph = styled('.code { llm_model: coder; } .critical { reasoning_effort: low; }', 'n [class="code,critical"]; other [class="code"]');
        const node = graph.nodes.get('n')!;
        expect([node.llm_model, node.reasoning_effort]).toEqual(['coder', 'low']);
        expect(graph.nodes.get('other')!.reasoning_effort).toBe('high');
    });

    test('[#90] an id selector applies only to that node', () => {
        const graph = styled('#review { reasoning_effort: "low" }', 'review; other');
        expect(graph.nodes.get('review')!.reasoning_effort).toBe('low');
        expect(graph.nodes.get('other')!.reasoning_effort).toBe('high');
    });

    test('[#91] specificity is universal < shape < class < id whatever the rule order; equal specificity: later wins', () => {
        const graph = styled(`
            #n { llm_model: by-id; }
            .c { llm_model: by-class; }
            box { llm_model: by-shape; }
            * { llm_model: by-universal; }
            .d { llm_provider: first; }
            .d { llm_provider: second; }
        `, 'n [class="c"]; m [class="c,d"]; k; h [shape=hexagon]');
        expect(models(graph)).toEqual({ n: 'by-id', m: 'by-class', k: 'by-shape', h: 'by-universal' });
        expect(graph.nodes.get('m')!.llm_provider).toBe('second');
    });

    test('[#91] the §8.6 example resolves plan, implement and critical_review', () => {
        const graph = applyModelStylesheet(parseDot(`digraph Pipeline {
            graph [
                goal="Implement feature X",
                model_stylesheet="
                    * { llm_model: claude-sonnet-4-5; llm_provider: anthropic; }
                    .code { llm_model: claude-opus-4-6; llm_provider: anthropic; }
                    #critical_review { llm_model: gpt-5.2; llm_provider: openai; reasoning_effort: high; }
                "
            ]
            start [shape=Mdiamond]
            exit  [shape=Msquare]
            plan            [label="Plan", class="planning"]
            implement       [label="Implement", class="code"]
            critical_review [label="Critical Review", class="code"]
            start -> plan -> implement -> critical_review -> exit
        }`));
        expect(models(graph)).toMatchObject({ plan: 'claude-sonnet-4-5', implement: 'claude-opus-4-6', critical_review: 'gpt-5.2' });
        expect(graph.nodes.get('critical_review')!.llm_provider).toBe('openai');
        expect(validate(graph).filter(d => d.severity === 'error')).toEqual([]);
    });

    test('[#92] an attribute set on the node is never overridden', () => {
        const graph = styled('#n { llm_model: styled; reasoning_effort: low; }', 'n [llm_model="x", reasoning_effort=medium]');
        expect([graph.nodes.get('n')!.llm_model, graph.nodes.get('n')!.reasoning_effort]).toEqual(['x', 'medium']);
    });
});
