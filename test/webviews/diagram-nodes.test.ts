import { expect, test } from 'vitest';
import { renderDiagram } from '../../language-server/src/render/index.js';
import { mindmapNodeIds, nodeIdOf } from '../../webviews/src/diagram-nodes.js';
import { exampleGraph } from '../render/spec-graphs.js';

test('flowchart, board and lineage elements map back to the diagram node ids', () => {
    expect(nodeIdOf('flowchart-step_contract_allocation_allocate-2')).toBe('step_contract_allocation_allocate');
    // A hashed id (two keys that collapse to the same text) keeps its digits.
    expect(nodeIdOf('flowchart-step_a_b_c_1x9ke2-13')).toBe('step_a_b_c_1x9ke2');
    // Subgraphs (pipelines, board columns) are named by their id alone.
    expect(nodeIdOf('pipeline_contract_allocation')).toBe('pipeline_contract_allocation');
    expect(nodeIdOf('')).toBeUndefined();
});

test('mindmap elements map to the node written at that position', async () => {
    const diagram = renderDiagram(await exampleGraph('farm'), 'mindmap');
    const ids = mindmapNodeIds(diagram.mermaid);
    // Every located node is a line of the text, in the order Mermaid numbers them.
    expect(ids.length).toBe(diagram.mermaid.trim().split('\n').length - 1);
    expect(ids[0]).toBe('spec_FarmOps');
    expect(Object.keys(diagram.nodeRanges).every(id => ids.includes(id))).toBe(true);
    expect(nodeIdOf('node_0', ids)).toBe('spec_FarmOps');
    expect(nodeIdOf(`node_${ids.indexOf('purpose')}`, ids)).toBe('purpose');
    expect(nodeIdOf('node_9999', ids)).toBeUndefined();
    expect(nodeIdOf('flowchart-x-1', ids)).toBeUndefined();
});
