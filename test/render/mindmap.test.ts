import { describe, expect, test } from 'vitest';
import { renderMindmap } from '../../language-server/src/render/mindmap.js';
import { exampleGraph, graphOf, hostileSpec } from './spec-graphs.js';

/** `depth id` for each node line: the mindmap's tree as Mermaid reads it from indentation. */
function tree(mermaid: string): string[] {
    return mermaid.trimEnd().split('\n').slice(1).map(line => {
        const indent = /^ */.exec(line)![0].length;
        return `${indent / 2} ${/^ *([A-Za-z0-9_]+)/.exec(line)![1]}`;
    });
}

describe('mindmap', () => {
    test('of the farm example: spec at the root, then every section in the seed\'s order', async () => {
        const mermaid = renderMindmap(await exampleGraph('farm')).mermaid;
        const lines = mermaid.split('\n');
        expect(lines.slice(0, 4)).toEqual(['mindmap', '  spec_FarmOps(("FarmOps"))', '    section_identity("Identity")', '      purpose["Farm planning and evidence aware operations"]']);
        expect(lines.filter(l => /^ {4}\S/.test(l)).map(l => /"(.*)"/.exec(l)![1])).toEqual([
            'Identity', 'Desires', 'Evidence policy', 'Data contracts', 'Workflows', 'Interface', 'Safety', 'Personalization',
            'Deployment', 'Organs', 'Growth plates', 'Morph rules', 'Acceptance', 'Lineage'
        ]);
    });

    test('puts fields under entities and steps under pipelines', async () => {
        const nodes = tree(renderMindmap(await exampleGraph('farm')).mermaid);
        const pipeline = nodes.indexOf('3 pipeline_contract_allocation');
        expect(nodes.slice(pipeline, pipeline + 4)).toEqual([
            '3 pipeline_contract_allocation', '4 step_contract_allocation_yield_forecast', '4 gate_contract_allocation_phi_gate', '4 step_contract_allocation_allocate'
        ]);
        const block = nodes.indexOf('3 entity_Block');
        expect(nodes.slice(block, block + 6)).toEqual(['3 entity_Block', '4 field_Block_crop', '4 field_Block_cultivar', '4 field_Block_plant_count', '4 field_Block_area_ha', '3 entity_Contract']);
    });

    test('shows only the sections present, with readable element labels', async () => {
        const graph = await graphOf(`spec App version "1.0.0" {
  identity {
    purpose "Track things"
    beneficiary Owner
  }
  data_contracts {
    entity Thing "Something tracked" {
      owner: Thing?
      tags: string[]
    }
  }
  morph_rules {
    rule add_field risk low
  }
}
`);
        expect(renderMindmap(graph).mermaid).toBe(`mindmap
  spec_App(("App"))
    section_identity("Identity")
      purpose["Track things"]
      beneficiary_Owner["Owner"]
    section_data_contracts("Data contracts")
      entity_Thing["Thing"]
        field_Thing_owner["owner: Thing?"]
        field_Thing_tags["tags: string[]"]
    section_morph_rules("Morph rules")
      rule_add_field["add_field (low risk)"]
`);
    });

    test('keeps hostile labels on one line each, escaped', async () => {
        const mermaid = renderMindmap(await graphOf(hostileSpec)).mermaid;
        const lines = mermaid.trimEnd().split('\n');
        expect(lines.slice(1).every(l => /^( {2})+[A-Za-z][A-Za-z0-9_]*(\(\(|\(|\[)"[^"]*"(\)\)|\)|\])$/.test(l))).toBe(true);
        expect(lines).toContain('      purpose["Say #quot;hi#quot; [x] {y} (z) #124; #35;1 #amp; #lt;b#gt;bold#lt;/b#gt; #96;tick#96; 🚜 café"]');
        expect(lines).toContain('      envelope_line_one_line_two["line one<br>line two"]');
        expect(lines).toContain('      envelope[" "]');
        expect(lines).toContain('        step_end_graph["#42;bold#42; #95;under#95; #95;#95;dunder#95;#95; snake_case"]');
        expect(lines).toContain('      guardrail_click["Never #quot;end#quot; with --#gt; arrows ==#gt; or #124;pipes#124; or ;semis;"]');
    });
});
