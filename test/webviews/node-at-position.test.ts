import { expect, test } from 'vitest';
import { renderDiagram } from '../../language-server/src/render/index.js';
import { nodeAtPosition } from '../../extension/src/preview/node-at-position.js';
import { exampleGraph, exampleText, lineOf } from '../render/spec-graphs.js';

test('the cursor on a step highlights the step, not the pipeline around it', async () => {
    const { nodeRanges } = renderDiagram(await exampleGraph('farm'), 'flowchart');
    const text = exampleText('farm');
    const step = lineOf(text, 'step surplus');
    expect(nodeAtPosition(nodeRanges, { line: step, character: 10 })).toBe('step_contract_allocation_surplus');
    // Between the steps, inside the pipeline's block.
    const pipeline = lineOf(text, 'pipeline contract_allocation');
    expect(nodeAtPosition(nodeRanges, { line: pipeline, character: 6 })).toBe('pipeline_contract_allocation');
    // Outside anything the flowchart shows.
    expect(nodeAtPosition(nodeRanges, { line: lineOf(text, 'purpose'), character: 4 })).toBeUndefined();
});

test('the innermost of nested ranges wins, and an element\'s end still counts as inside it', () => {
    const ranges = {
        outer: { start: { line: 1, character: 0 }, end: { line: 9, character: 1 } },
        inner: { start: { line: 3, character: 4 }, end: { line: 3, character: 20 } },
        sameStartShorter: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }
    };
    expect(nodeAtPosition(ranges, { line: 3, character: 20 })).toBe('inner');
    expect(nodeAtPosition(ranges, { line: 3, character: 21 })).toBe('outer');
    expect(nodeAtPosition(ranges, { line: 1, character: 0 })).toBe('sameStartShorter');
    expect(nodeAtPosition(ranges, { line: 10, character: 0 })).toBeUndefined();
});
