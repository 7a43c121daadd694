import { describe, expect, test } from 'vitest';
import { graphIndex } from '../../language-server/src/model/graph-index.js';
import { diagramModes, renderDiagram } from '../../language-server/src/render/index.js';
import { parseMermaid } from './mermaid-parser.js';
import { exampleText, hostileSpec, partialGraphOf } from './spec-graphs.js';

/**
 * The preview renders the spec as it is being typed: half-parsed elements without names, lists
 * with holes, a header without a version. Every such graph must still render, to valid Mermaid.
 */
const texts = { farm: exampleText('farm'), immigration: exampleText('immigration'), hostile: hostileSpec };

/** Deterministic damage: cut the text short, or delete a span, at evenly spread places. */
function damaged(text: string, count: number): Array<[string, string]> {
    const cases: Array<[string, string]> = [];
    for (let i = 1; i <= count; i++) {
        const at = Math.floor((text.length * i) / (count + 1));
        cases.push([`cut at ${at}`, text.slice(0, at)]);
        cases.push([`deleted ${at}–${at + 37}`, text.slice(0, at) + text.slice(at + 37)]);
    }
    // Keywords with nothing after them leave elements with no name.
    cases.push(['bare keywords', text.replace(/(entity|step|gate|desire|stage|source|panel) \w+/g, '$1')]);
    return cases;
}

describe.each(Object.entries(texts))('damaged versions of the %s spec', (_name, text) => {
    test.each(damaged(text, 8))('%s: every mode renders to valid Mermaid', async (_damage, broken) => {
        const graph = await partialGraphOf(broken);
        for (const mode of diagramModes) {
            const diagram = renderDiagram(graph, mode);
            await expect(parseMermaid(diagram.mermaid), `${mode}\n${diagram.mermaid}`).resolves.toBeTypeOf('string');
        }
        const pipeline = graph.nodes.find(n => n.kind === 'pipeline' && graphIndex(graph).nodes.get(n.id) === n);
        if (pipeline) {
            await expect(parseMermaid(renderDiagram(graph, 'flowchart', { pipeline: pipeline.id }).mermaid)).resolves.toBe('flowchart-v2');
        }
    });
});
