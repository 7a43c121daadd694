import { describe, expect, test } from 'vitest';
import { renderLineage } from '../../language-server/src/render/lineage.js';
import { exampleGraph, graphOf } from './spec-graphs.js';

const identity = '  identity {\n    purpose "Track things"\n    beneficiary Owner\n  }\n';

describe('lineage', () => {
    test('of the farm example: stages and variants with versions, from edges, the current stage highlighted', async () => {
        expect(renderLineage(await exampleGraph('farm')).mermaid).toBe(`graph TD
  stage_seed["seed v0.1.0"]
  stage_juvenile["juvenile v0.2.0"]
  stage_juvenile_a(["juvenile_a v0.2.0-a"])
  stage_seed --> stage_juvenile
  stage_juvenile --> stage_juvenile_a
  classDef current stroke-width:4px
  class stage_juvenile current
`);
    });

    test('of the immigration example: the step to a new major version is a dashed edge labelled major', async () => {
        const lines = renderLineage(await exampleGraph('immigration')).mermaid.split('\n').map(l => l.trim());
        expect(lines).toContain('stage_seed --> stage_juvenile');
        expect(lines).toContain('stage_juvenile -.->|"major"| stage_mature');
        expect(lines).toContain('stage_mature --> stage_minor_evolve');
        expect(lines).toContain('class stage_minor_evolve current');
    });

    test('versions already written with a v keep it, and ones without a major number are never major', async () => {
        const graph = await graphOf(`spec App version "v2" stage two {\n${identity}  lineage {\n    stage one "v1.4"\n    stage two "v2" from one\n    stage draft "next" from two\n  }\n}\n`);
        const lines = renderLineage(graph).mermaid.split('\n').map(l => l.trim());
        expect(lines).toContain('stage_one["one v1.4"]');
        expect(lines).toContain('stage_one -.->|"major"| stage_two');
        expect(lines).toContain('stage_two --> stage_draft');
    });

    test('a spec without lineage says so; without a current stage nothing is highlighted', async () => {
        expect(renderLineage(await graphOf(`spec App version "1.0.0" {\n${identity}}\n`)).mermaid)
            .toBe('graph TD\n  placeholder_no_lineage["No lineage recorded yet"]\n  classDef current stroke-width:4px\n');
    });
});
