import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateSpec } from '../../bench/spec-generator.js';
import type { SpecGraph } from '../../language-server/src/model/spec-graph.js';
import { diagramModes, exceedsMermaidLimits, growthState, renderDiagram, type RenderOptions } from '../../language-server/src/render/index.js';
import { parseMermaid } from './mermaid-parser.js';
import { exampleGraph, graphOf, hostileSpec } from './spec-graphs.js';

/** The Mermaid diagram type each mode must parse as. */
const expectedType = { flowchart: 'flowchart-v2', mindmap: 'mindmap', board: 'flowchart-v2', lineage: 'flowchart-v2' } as const;

const graphs: Record<string, SpecGraph> = {};

beforeAll(async () => {
    graphs.farm = await exampleGraph('farm');
    graphs.immigration = await exampleGraph('immigration');
    graphs.hostile = await graphOf(hostileSpec);
    graphs.generated = await graphOf(generateSpec(400));
    graphs.empty = await graphOf('spec Empty version "0" {\n}\n');
    graphs.farmApproved = await graphOf(fs.readFileSync(path.resolve(import.meta.dirname, '../../examples/farmer-contract-allocation/.factory/approved/FarmOps.fspec'), 'utf8'));
});

describe('Mermaid parses every diagram', () => {
    test('the generated spec is large: at least 300 graph nodes', () => {
        expect(graphs.generated.nodes.length).toBeGreaterThanOrEqual(300);
    });

    for (const spec of ['farm', 'immigration', 'hostile', 'generated', 'empty']) {
        for (const mode of diagramModes) {
            test(`${mode} of the ${spec} spec`, async () => {
                const diagram = renderDiagram(graphs[spec], mode);
                expect(await parseMermaid(diagram.mermaid)).toBe(expectedType[mode]);
                expect(exceedsMermaidLimits(diagram)).toBe(false);
            });
        }
    }

    const variants: Array<[string, string, () => RenderOptions]> = [
        ['one pipeline of the immigration spec', 'immigration', () => ({ pipeline: 'weekly_digest' })],
        ['one pipeline of the hostile spec', 'hostile', () => ({ pipeline: 'end' })],
        ['the farm board with growth since the approved version', 'farm', () => ({ growth: growthState(graphs.farmApproved, graphs.farm) })],
        ['the hostile board with every column full', 'hostile', () => ({ growth: growthState(graphs.farm, graphs.hostile) })]
    ];
    for (const [name, spec, options] of variants) {
        test(name, async () => {
            const mode = options().pipeline ? 'flowchart' : 'board';
            const diagram = renderDiagram(graphs[spec], mode, options());
            expect(await parseMermaid(diagram.mermaid)).toBe('flowchart-v2');
            if (name.includes('every column full')) {
                expect(diagram.mermaid).not.toContain('_empty[');
            }
        });
    }
});

test('the parser rejects what is not Mermaid, so the checks above mean something', async () => {
    await expect(parseMermaid('flowchart LR\n  end["x"]\n')).rejects.toThrow(/Parse error/);
    await expect(parseMermaid('mindmap\n  a["x"]\n b["y"]\n')).rejects.toThrow();
});
