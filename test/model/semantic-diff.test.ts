import { describe, expect, test } from 'vitest';
import { parseHelper } from 'langium/test';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { diffSpecGraphs } from '../../language-server/src/model/semantic-diff.js';
import { buildSpecGraph } from '../../language-server/src/model/spec-graph-builder.js';
import { createTestServices } from '../fixtures.js';

const parse = parseHelper<Spec>(createTestServices().Fspec);

async function morphsBetween(before: string, after: string) {
    const [old, now] = await Promise.all([parse(before), parse(after)]);
    for (const document of [old, now]) {
        expect(document.parseResult.parserErrors).toEqual([]);
    }
    return diffSpecGraphs(buildSpecGraph(old.parseResult.value), buildSpecGraph(now.parseResult.value));
}

/** `kind target` of each morph, in order. */
async function summary(before: string, after: string): Promise<string[]> {
    return (await morphsBetween(before, after)).map(m => `${m.kind} ${m.target}`);
}

const base = `spec Farm version "1.0.0" {
  identity {
    purpose "Grow food"
    beneficiary Farmer
    beneficiary Buyers
  }
  evidence_policy {
    source gov_data tier high
  }
  data_contracts {
    entity Block {
      crop: string
      area: number
    }
    entity Contract {
      buyer: string
      qty: number
    }
  }
  workflows {
    pipeline allocation trigger nightly {
      step forecast reads Block
      step allocate strategy priority reads Contract
      step invoices reads Contract
    }
  }
  interface {
    role Farmer
    panel tracker shows Contract for Farmer
  }
  safety {
    guardrail no_phi "No harvest from PHI blocks"
  }
}
`;

/** The base spec with one replacement applied (which must match). */
function edit(find: string, replace: string, text = base): string {
    expect(text).toContain(find);
    return text.replace(find, replace);
}

describe('semantic diff', () => {
    test('identical specs, and specs differing only in layout and comments, have no morphs', async () => {
        expect(await summary(base, base)).toEqual([]);
        const relaidOut = base.replace(/\n {2,}/g, '\n ').replace('spec Farm', '// the farm\nspec Farm');
        expect(await summary(base, relaidOut)).toEqual([]);
    });

    test('a new source is add_source, a dropped one remove_source', async () => {
        const added = edit('source gov_data tier high', 'source gov_data tier high\n    source market tier low');
        expect(await summary(base, added)).toEqual(['add_source source:market']);
        expect(await summary(added, base)).toEqual(['remove_source source:market']);
    });

    test('a new gate is insert_gate, located on the gate line of the new text', async () => {
        const after = edit('      step allocate', '      gate phi_gate reads Block enforces no_phi\n      step allocate');
        const morphs = await morphsBetween(base, after);
        expect(morphs.map(m => m.kind)).toEqual(['insert_gate']);
        expect(morphs[0].detail).toBe("gate 'phi_gate' added to pipeline 'allocation'");
        const gateLine = after.split('\n').findIndex(line => line.includes('gate phi_gate'));
        expect(morphs[0].range?.start.line).toBe(gateLine);
        expect(morphs[0].scope).toEqual(['gate:allocation.phi_gate', 'pipeline:allocation', 'section:workflows', 'spec:Farm']);
    });

    test('a removed step is remove_step, located at its pipeline in the new text', async () => {
        const after = edit('      step invoices reads Contract\n', '');
        const morphs = await morphsBetween(base, after);
        expect(morphs.map(m => `${m.kind} ${m.target}`)).toEqual(['remove_step step:allocation.invoices']);
        expect(morphs[0].detail).toBe("step 'invoices' removed from pipeline 'allocation'");
        expect(morphs[0].range?.start.line).toBe(after.split('\n').findIndex(line => line.includes('pipeline allocation')));
    });

    test('a new step is add_step', async () => {
        const after = edit('      step invoices reads Contract', '      step invoices reads Contract\n      step packlists reads Contract');
        expect(await summary(base, after)).toEqual(['add_step step:allocation.packlists']);
    });

    test('a changed strategy is swap_allocator and says what it was', async () => {
        const morphs = await morphsBetween(base, edit('strategy priority', 'strategy price'));
        expect(morphs.map(m => m.kind)).toEqual(['swap_allocator']);
        expect(morphs[0].detail).toBe(`step 'allocate': strategy "priority" → "price"`);
    });

    test('a new panel is add_surface; changing what it shows is change_surface', async () => {
        expect(await summary(base, edit('    panel tracker', '    panel prices shows Block\n    panel tracker')))
            .toEqual(['add_surface panel:prices']);
        expect(await summary(base, edit('panel tracker shows Contract', 'panel tracker shows Contract, Block')))
            .toEqual(['change_surface panel:tracker']);
    });

    test('a new entity is one add_entity, not one morph per field; a removed one is one remove_entity', async () => {
        const after = edit('  data_contracts {', '  data_contracts {\n    entity Invoice {\n      amount: money\n      due: date\n    }');
        expect(await summary(base, after)).toEqual(['add_entity entity:Invoice']);
        expect(await summary(after, base)).toEqual(['remove_entity entity:Invoice']);
    });

    test('a new field is add_field, a retyped field change_field_type, a newly flagged one change_field_protection', async () => {
        expect(await summary(base, edit('      crop: string', '      crop: string\n      cultivar: string')))
            .toEqual(['add_field field:Block.cultivar']);
        expect(await summary(base, edit('qty: number', 'qty: int'))).toEqual(['change_field_type field:Contract.qty']);
        expect(await summary(base, edit('buyer: string', 'buyer: string pii'))).toEqual(['change_field_protection field:Contract.buyer']);
    });

    test('a changed purpose is identity_change on the purpose line', async () => {
        const after = edit('purpose "Grow food"', 'purpose "Trade futures"');
        const morphs = await morphsBetween(base, after);
        expect(morphs.map(m => `${m.kind} ${m.target}`)).toEqual(['identity_change purpose']);
        expect(morphs[0].detail).toBe('purpose: text "Grow food" → "Trade futures"');
        expect(morphs[0].range?.start.line).toBe(after.split('\n').findIndex(line => line.includes('Trade futures')));
    });

    test('a removed beneficiary is an identity_change removal', async () => {
        const morphs = await morphsBetween(base, edit('    beneficiary Buyers\n', ''));
        expect(morphs.map(m => [m.kind, m.change, m.target])).toEqual([['identity_change', 'remove', 'beneficiary:Buyers']]);
    });

    test('an entity renamed with the same fields is rename_entity, and the steps reading it are unchanged', async () => {
        const after = base.replace(/Contract/g, 'Agreement');
        const morphs = await morphsBetween(base, after);
        expect(morphs.map(m => `${m.kind} ${m.previous} → ${m.target}`)).toEqual(['rename_entity entity:Contract → entity:Agreement']);
        expect(morphs[0].detail).toBe("entity 'Contract' renamed to 'Agreement'");
    });

    test('a step renamed in place is rename_step', async () => {
        expect(await summary(base, edit('step invoices', 'step billing'))).toEqual(['rename_step step:allocation.billing']);
    });

    test('a field renamed with the same type is rename_field', async () => {
        expect(await summary(base, edit('area: number', 'hectares: number'))).toEqual(['rename_field field:Block.hectares']);
    });

    test('a pipeline renamed with the same steps is one rename_pipeline', async () => {
        expect(await summary(base, edit('pipeline allocation', 'pipeline weekly_allocation'))).toEqual(['rename_pipeline pipeline:weekly_allocation']);
    });

    test('a guardrail renamed is rename_guardrail, and a gate enforcing it is not changed', async () => {
        const withGate = edit('      step allocate', '      gate phi_gate reads Block enforces no_phi\n      step allocate');
        const renamed = withGate.replace(/no_phi\b/g, 'phi_lock');
        expect(await summary(withGate, renamed)).toEqual(['rename_guardrail guardrail:phi_lock']);
    });

    test('a name change with a different shape is a removal and an addition, not a rename', async () => {
        expect(await summary(base, edit('area: number', 'planted_on: date')))
            .toEqual(['remove_field field:Block.area', 'add_field field:Block.planted_on']);
    });

    test('swapping two steps is reorder_steps on the pipeline', async () => {
        const after = edit('      step allocate strategy priority reads Contract\n      step invoices reads Contract',
            '      step invoices reads Contract\n      step allocate strategy priority reads Contract');
        const morphs = await morphsBetween(base, after);
        expect(morphs.map(m => `${m.kind} ${m.target}`)).toEqual(['reorder_steps pipeline:allocation']);
        expect(morphs[0].detail).toBe("steps of pipeline 'allocation' reordered: forecast, allocate, invoices → forecast, invoices, allocate");
    });

    test('a changed trigger is change_trigger; a changed input is rewire_step', async () => {
        expect(await summary(base, edit('trigger nightly', 'trigger nightly, on Contract'))).toEqual(['change_trigger pipeline:allocation']);
        expect(await summary(base, edit('step forecast reads Block', 'step forecast reads Block, Contract'))).toEqual(['rewire_step step:allocation.forecast']);
    });

    test('a step turned into a gate is remove_step plus insert_gate', async () => {
        expect(await summary(base, edit('step invoices reads Contract', 'gate invoices reads Contract enforces no_phi')))
            .toEqual(['remove_step step:allocation.invoices', 'insert_gate gate:allocation.invoices']);
    });

    test('several independent edits come out in the order of the new text', async () => {
        let after = edit('source gov_data tier high', 'source gov_data tier high\n    source market tier low');
        after = edit('strategy priority', 'strategy price', after);
        after = edit('    panel tracker', '    panel prices shows Block\n    panel tracker', after);
        expect((await morphsBetween(base, after)).map(m => m.kind)).toEqual(['add_source', 'swap_allocator', 'add_surface']);
    });

    test('a kind added to a plate is amend_plates whether or not a rule for it exists yet', async () => {
        const withPlates = edit('  safety {', '  growth_plates {\n    plate sources accepts add_source\n  }\n  morph_rules {\n    rule add_source risk low\n  }\n  safety {');
        const widened = edit('plate sources accepts add_source', 'plate sources accepts add_source, remove_source', withPlates);
        expect(await summary(withPlates, widened)).toEqual(['amend_plates plate:sources']);
        const ruled = edit('    rule add_source risk low', '    rule add_source risk low\n    rule remove_source risk low', widened);
        expect(await summary(widened, ruled)).toEqual(['amend_rules rule:remove_source']);
    });
});
