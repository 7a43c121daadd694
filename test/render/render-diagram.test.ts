import { describe, expect, test } from 'vitest';
import { diagramModes, renderDiagram } from '../../language-server/src/render/index.js';
import { growthState } from '../../language-server/src/render/growth-state.js';
import { exampleGraph, exampleText, graphOf, lineOf } from './spec-graphs.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

const farmText = exampleText('farm');
const farmApproved = fs.readFileSync(path.resolve(import.meta.dirname, '../../examples/farmer-contract-allocation/.factory/approved/FarmOps.fspec'), 'utf8');

/** Ids of the nodes and subgraphs a Mermaid text declares. */
function declaredIds(mermaid: string): string[] {
    return mermaid.split('\n').slice(1)
        .map(line => /^\s*(?:subgraph )?([A-Za-z][A-Za-z0-9_]*)\s*(?:\[|\(|\{\{|$)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined && !['end', 'direction'].includes(id));
}

describe('renderDiagram', async () => {
    const farm = await exampleGraph('farm');
    const growth = growthState(await graphOf(farmApproved), farm);

    test('renders each mode with its Mermaid diagram type', () => {
        expect(diagramModes.map(mode => renderDiagram(farm, mode).mermaid.split('\n')[0])).toEqual(['flowchart LR', 'mindmap', 'flowchart LR', 'graph TD']);
        expect(diagramModes.map(mode => renderDiagram(farm, mode).mode)).toEqual(diagramModes);
    });

    test('maps diagram nodes to the source line of the element they show', () => {
        const line = (id: string, mode: Parameters<typeof renderDiagram>[1]) => renderDiagram(farm, mode, { growth }).nodeRanges[id]?.start.line;
        expect(line('pipeline_contract_allocation', 'flowchart')).toBe(lineOf(farmText, 'pipeline contract_allocation'));
        expect(line('gate_contract_allocation_phi_gate', 'flowchart')).toBe(lineOf(farmText, 'gate phi_gate'));
        expect(line('entity_Block', 'flowchart')).toBe(lineOf(farmText, 'entity Block "'));
        expect(line('source_gov_data', 'flowchart')).toBe(lineOf(farmText, 'source gov_data "'));
        expect(line('spec_FarmOps', 'mindmap')).toBe(lineOf(farmText, 'spec FarmOps'));
        expect(line('section_safety', 'mindmap')).toBe(lineOf(farmText, 'safety {'));
        expect(line('field_SprayEvent_phi_days', 'mindmap')).toBe(lineOf(farmText, 'phi_days: int'));
        expect(line('morph_add_source_source_contracts_feed', 'board')).toBe(lineOf(farmText, 'source contracts_feed "'));
        const swapCard = /(\w+)\["swap_allocator<br>/.exec(renderDiagram(farm, 'board', { growth }).mermaid)![1];
        expect(line(swapCard, 'board')).toBe(lineOf(farmText, 'step allocate'));
        expect(line('stage_juvenile', 'lineage')).toBe(lineOf(farmText, 'stage juvenile "0.2.0"'));
    });

    test('gives every node that stands for an element a range; only columns and placeholders have none', () => {
        for (const mode of diagramModes) {
            const diagram = renderDiagram(farm, mode, { growth });
            const unlocated = declaredIds(diagram.mermaid).filter(id => !(id in diagram.nodeRanges));
            expect(unlocated.filter(id => !/^(column_|placeholder_)/.test(id)), mode).toEqual([]);
        }
    });

    test('is stable: the same spec twice gives identical diagrams', async () => {
        const again = await exampleGraph('farm');
        for (const mode of diagramModes) {
            expect(renderDiagram(again, mode, { growth })).toEqual(renderDiagram(farm, mode, { growth }));
        }
    });

    test('keeps every id and line when unrelated elements are added', async () => {
        const grown = await graphOf(farmText
            .replace('  data_contracts {\n', '  data_contracts {\n    entity Zebra {\n      stripes: int\n    }\n')
            .replace('  workflows {\n', '  workflows {\n    pipeline zebra_count "Zebra count" {\n      step count reads Zebra output Zebra\n    }\n')
            .replace('    source gov_data', '    source zoo "Zoo" tier low provides Zebra\n    source gov_data')
            .replace('  desires {\n', '  desires {\n    desire zebras {\n      goal "Count zebras"\n      output zebras\n    }\n'));
        for (const mode of diagramModes) {
            const before = renderDiagram(farm, mode).mermaid.split('\n');
            const after = new Set(renderDiagram(grown, mode).mermaid.split('\n'));
            expect(before.filter(line => !after.has(line)), mode).toEqual([]);
        }
    });
});
