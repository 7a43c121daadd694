import { describe, expect, test } from 'vitest';
import {
    createGraph,
    expandGoalVariable,
    mapNodes,
    parseDot,
    preparePipeline,
    runPipeline,
    withNodeAttrs,
    type PipelineGraph,
    type Transform
} from '../../../language-server/src/crew/engine/index.js';
import { useTempDirs } from './helpers.js';

const WITH_ORPHAN = `digraph G {
    graph [goal="ship the feature"]
    start [shape=Mdiamond]
    plan [prompt="Plan for: $goal"]
    orphan [prompt="never reached"]
    exit [shape=Msquare]
    start -> plan -> exit
}`;

const dropOrphan: Transform = graph => createGraph(graph.id, graph.attrs, [...graph.nodes.values()].filter(n => n.id !== 'orphan'), graph.edges);

function appendToPrompts(marker: string): Transform {
    return graph => mapNodes(graph, n => (n.id === 'plan' ? withNodeAttrs(n, { prompt: `${n.prompt} ${marker}` }) : n));
}

describe('transforms', () => {
    const tempDir = useTempDirs();

    test('[#93] a transform runs after parsing and before validation, which sees its output', async () => {
        const graph = parseDot(WITH_ORPHAN);
        expect(preparePipeline(graph).diagnostics.map(d => d.rule)).toContain('reachability');
        expect(preparePipeline(graph, { transforms: [dropOrphan] }).diagnostics).toEqual([]);
        await expect(runPipeline(graph, { logsRoot: tempDir() })).rejects.toThrow(/reachability/);
        const result = await runPipeline(graph, { logsRoot: tempDir(), transforms: [dropOrphan] });
        expect(result.status).toBe('success');
    });

    test('[#94] a transform is graph → graph and the built-in ones do not change their input', () => {
        const graph = parseDot(WITH_ORPHAN.replace('start [', 'graph [model_stylesheet="* { llm_model: m; }"]\nstart ['));
        const before = structuredClone({ nodes: [...graph.nodes.values()], edges: graph.edges, attrs: graph.attrs });
        const { graph: prepared } = preparePipeline(graph, { transforms: [dropOrphan, appendToPrompts('!')] });
        expect(prepared).not.toBe(graph);
        expect({ nodes: [...graph.nodes.values()], edges: graph.edges, attrs: graph.attrs }).toEqual(before);
        expect(prepared.nodes.get('plan')!.llm_model).toBe('m');
    });

    test('[#95] variable expansion replaces $goal in prompts with the graph goal', () => {
        const expanded: PipelineGraph = expandGoalVariable(parseDot(WITH_ORPHAN));
        expect(expanded.nodes.get('plan')!.prompt).toBe('Plan for: ship the feature');
    });

    test('[#96] custom transforms run after the built-in ones, in registration order', () => {
        const { graph } = preparePipeline(parseDot(WITH_ORPHAN), { transforms: [appendToPrompts('first'), appendToPrompts('second')] });
        // $goal was already expanded when the custom transforms ran.
        expect(graph.nodes.get('plan')!.prompt).toBe('Plan for: ship the feature first second');
    });
});
