import { describe, expect, it } from 'vitest';
import type { MorphProposal } from '../../language-server/src/crew/contracts.js';
import { compileGrowth } from '../../language-server/src/crew/roles/compiler.js';
import { diffSpecGraphs } from '../../language-server/src/model/semantic-diff.js';
import { farmFile, loadAs, realizedExample, services } from './example-specs.js';

/** The farmer spec, as its last growth left it, with a panel and a test that name fields of Contract. */
const farm = realizedExample(farmFile)
    .replace('    action approve_packlist', '    panel buyers "Buyers" shows Contract.buyer, Contract.priority for Farmer\n    action approve_packlist')
    .replace('  acceptance {\n', '  acceptance {\n    test buyer_named "Every contract names its buyer" covers Contract.buyer\n');

async function compile(proposals: MorphProposal[]) {
    const current = await loadAs(farmFile, farm);
    const compiled = await compileGrowth(services.model.DetachedSpecs, current, proposals, 'fields');
    const proposed = await loadAs(farmFile, compiled.text);
    const errors = (await services.model.DetachedSpecs.validate(proposed)).filter(d => d.severity === 1 && d.code !== 'morph-not-allowed' && d.code !== 'morph-without-rule');
    return { compiled, proposed, errors: errors.map(d => d.message), morphs: diffSpecGraphs(current.graph!, proposed.graph!).map(m => m.kind) };
}

describe('the Compiler writes field proposals', () => {
    it('adds a field at the end of its entity, with the default written as the type wants it', async () => {
        const { compiled, proposed, errors, morphs } = await compile([
            { type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' },
            { type: 'add_field', entity: 'Allocation', name: 'urgency', field_type: 'enum(low, high)', default: 'low' },
            { type: 'add_field', entity: 'Block', name: 'organic', field_type: 'bool', default: false },
            { type: 'add_field', entity: 'Block', name: 'rows', field_type: 'int?' }
        ]);
        expect(errors).toEqual([]);
        expect(compiled.text).toContain('      priority: int\n      region: string = "north"\n    }');
        expect(compiled.text).toContain('      status: enum(reserved, shortfall)\n      urgency: enum(low, high) = low\n    }');
        expect(compiled.text).toContain('      area_ha: number\n      organic: bool = false\n      rows: int?\n    }');
        expect(proposed.graph!.nodes.find(n => n.id === 'field:Block.organic')?.attrs).toEqual({ type: 'bool', default: 'false' });
        expect(compiled.stage.by).toEqual(['add_field Contract.region', 'add_field Allocation.urgency', 'add_field Block.organic', 'add_field Block.rows']);
        expect(morphs.filter(k => k !== 'record_lineage')).toEqual(['add_field', 'add_field', 'add_field', 'add_field']);
    });

    it('renames a field and every reference to it, keeping the qualifier', async () => {
        const { compiled, errors, morphs } = await compile([{ type: 'rename_field', entity: 'Contract', from: 'buyer', to: 'buyer_name' }]);
        expect(errors).toEqual([]);
        expect(compiled.text).toContain('      buyer_name: string "Buyer name"');
        expect(compiled.text).toContain('shows Contract.buyer_name, Contract.priority for Farmer');
        expect(compiled.text).toContain('covers Contract.buyer_name\n');
        expect(compiled.text).not.toContain('buyer: string "Buyer name"');
        expect(compiled.text).not.toContain('Contract.buyer,');
        expect(compiled.stage.by).toEqual(['rename_field Contract.buyer_name']);
        expect(morphs).toContain('rename_field');
    });

    it('changes a field type, checking a named converter against the type pair', async () => {
        const { compiled, errors, morphs } = await compile([{ type: 'change_field_type', entity: 'Contract', name: 'qty_per_week', field_type: 'int', converter: 'truncate' }]);
        expect(errors).toEqual([]);
        expect(compiled.text).toContain('      qty_per_week: int\n');
        expect(compiled.stage.by).toEqual(['change_field_type Contract.qty_per_week']);
        expect(morphs).toContain('change_field_type');
        await expect(compile([{ type: 'change_field_type', entity: 'Contract', name: 'qty_per_week', field_type: 'int', converter: 'floor' }]))
            .rejects.toThrow("change_field_type Contract.qty_per_week names converter 'floor'; number → int has round, truncate.");
    });

    it('refuses proposals naming what the spec does not have, a taken name, a bad type or a default of another type', async () => {
        const refusals: Array<[MorphProposal, string]> = [
            [{ type: 'add_field', entity: 'Harvest', name: 'kg', field_type: 'number' }, "add_field names entity 'Harvest', which the spec does not have."],
            [{ type: 'add_field', entity: 'Contract', name: 'sku', field_type: 'string' }, "add_field would give Contract a second field 'sku'."],
            [{ type: 'add_field', entity: 'Contract', name: 'rank', field_type: 'int', default: 'first' }, 'The default "first" of Contract.rank is not a value of type int.'],
            [{ type: 'add_field', entity: 'Contract', name: 'rank', field_type: 'int or none' }, "add_field gives Contract.rank the type 'int or none', which is not a field type."],
            [{ type: 'rename_field', entity: 'Contract', from: 'buyers', to: 'client' }, "rename_field names field 'Contract.buyers', which the spec does not have."],
            [{ type: 'rename_field', entity: 'Contract', from: 'buyer', to: 'sku' }, "rename_field would give Contract a second field 'sku'."]
        ];
        for (const [proposal, message] of refusals) {
            await expect(compile([proposal])).rejects.toThrow(message);
        }
    });
});
