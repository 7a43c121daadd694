import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitsType, parseValueType } from '../../language-server/src/model/field-values.js';
import { applyOps } from '../../language-server/src/crew/migration-ops.js';
import { convertersFor } from '../../language-server/src/crew/record-converters.js';
import { planMigration, prepareMigration, type MigrationRecord } from '../../language-server/src/crew/roles/migrator.js';
import { RecordStore } from '../../language-server/src/crew/stored-records.js';
import { replaceFiles } from '../../language-server/src/lineage/atomic-write.js';
import { fieldTypeOf } from '../../language-server/src/model/graph-index.js';
import { emptyFolder } from '../lineage/git-sandbox.js';
import { farmFile, loadAs, realizedExample } from './example-specs.js';

const farmFolder = path.dirname(farmFile);
const farmText = realizedExample(farmFile);

/** A copy of the farmer example (spec as its last growth left it, and stored records) in a fresh folder. */
function farmCopy(): string {
    const folder = emptyFolder();
    fs.cpSync(farmFolder, folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'farm-ops.fspec'), farmText);
    return path.join(folder, 'farm-ops.fspec');
}

/** The plan from the farmer spec to the spec with `edit` applied to its text. */
async function planFor(spec: string, edit: (text: string) => string, proposals: Parameters<typeof planMigration>[2] = []) {
    const before = (await loadAs(spec, farmText)).graph!;
    const after = (await loadAs(spec, edit(farmText).replace('version "0.2.0"', 'version "0.3.0"'))).graph!;
    return planMigration(before, after, proposals);
}

const read = (spec: string, file: string) => fs.readFileSync(path.join(path.dirname(spec), file), 'utf8');

/** Migrates the records beside `spec`, then undoes it with the inverse from the migration record, as a rollback does. */
async function migrateAndUndo(spec: string, plan: Awaited<ReturnType<typeof planFor>>, between: () => void = () => undefined) {
    await replaceFiles(prepareMigration(spec, plan).files);
    const record = JSON.parse(read(spec, '.factory/migrations/0.3.0.json')) as MigrationRecord;
    const migrated = read(spec, 'records/Contract.json');
    between();
    const store = new RecordStore(spec);
    applyOps(store, record.inverse);
    await replaceFiles(store.changes());
    return { record, migrated };
}

describe('the Migrator', () => {
    it('plans renames, then conversions, then additions, from the morphs between two versions', async () => {
        const plan = await planFor(farmCopy(), text => text
            .replace('      priority: int\n', '      priority: int\n      region: enum(north, south) = north\n      notes: text?\n')
            .replace('      buyer: string "Buyer name"', '      buyer_name: string "Buyer name"')
            .replace('      qty_per_week: number', '      qty_per_week: int'), [{ type: 'change_field_type', entity: 'Contract', name: 'qty_per_week', field_type: 'int', converter: 'truncate' }]);
        expect(plan.ops).toEqual([
            { op: 'rename_field', entity: 'Contract', from: 'buyer', to: 'buyer_name' },
            { op: 'convert_field', entity: 'Contract', field: 'qty_per_week', from_type: 'number', to_type: 'int', converter: 'truncate' },
            { op: 'add_field', entity: 'Contract', field: 'region', default: 'north' },
            { op: 'add_field', entity: 'Contract', field: 'notes', default: null }
        ]);
    });

    it('migrates there and back to byte-identical records', async () => {
        const spec = farmCopy();
        const original = read(spec, 'records/Contract.json');
        const plan = await planFor(spec, text => text
            .replace('      priority: int\n', '      priority: int\n      active: bool = true\n')
            .replace('      buyer: string "Buyer name"', '      buyer_name: string "Buyer name"')
            .replace('      priority: int\n', '      priority: number\n'));
        const { record, migrated } = await migrateAndUndo(spec, plan);
        expect(JSON.parse(migrated)[0]).toEqual({
            buyer_name: 'Harbor Bistro', sku: 'tomato-sungold-pint', qty_per_week: 40, price_floor: 4.5, delivery_day: 'tuesday', priority: 1, active: true
        });
        expect(record.inverse).toEqual([
            { op: 'remove_field', entity: 'Contract', field: 'active' },
            { op: 'convert_field', entity: 'Contract', field: 'priority', from_type: 'number', to_type: 'int', converter: 'round' },
            { op: 'rename_field', entity: 'Contract', from: 'buyer_name', to: 'buyer' }
        ]);
        expect(read(spec, 'records/Contract.json')).toBe(original);
    });

    it('restores the original values a lossy conversion changed, and converts back a value changed since', async () => {
        const spec = farmCopy();
        const original = JSON.parse(read(spec, 'records/Contract.json'));
        const plan = await planFor(spec, text => text.replace('      price_floor: money', '      price_floor: int'));
        const { record, migrated } = await migrateAndUndo(spec, plan, () => {
            const edited = JSON.parse(read(spec, 'records/Contract.json'));
            edited[3].price_floor = 7;
            fs.writeFileSync(path.join(path.dirname(spec), 'records/Contract.json'), `${JSON.stringify(edited, null, 2)}\n`);
        });
        expect(JSON.parse(migrated).map((r: { price_floor: number }) => r.price_floor)).toEqual([5, 2, 2, 3]);
        expect(record.inverse[0]).toMatchObject({ converter: 'as_is', restore: [
            { index: 0, converted: 5, original: 4.5 }, { index: 1, converted: 2, original: 1.75 },
            { index: 2, converted: 2, original: 2.25 }, { index: 3, converted: 3, original: 2.5 }
        ] });
        expect(JSON.parse(read(spec, 'records/Contract.json')).map((r: { price_floor: number }) => r.price_floor)).toEqual([4.5, 1.75, 2.25, 7]);
        expect(original.map((r: { price_floor: number }) => r.price_floor)).toEqual([4.5, 1.75, 2.25, 2.5]);
    });

    it('refuses a type change it has no converter for, but only where records are stored', async () => {
        const spec = farmCopy();
        const weekdayToInt = await planFor(spec, text => text.replace('      delivery_day: weekday\n      priority', '      delivery_day: int\n      priority'));
        expect(() => prepareMigration(spec, weekdayToInt)).toThrow(
            'The Migrator cannot convert Contract.delivery_day (weekday → int has no converter): 4 stored records in records/Contract.json hold weekday values.');
        const unstored = await planFor(spec, text => text.replace('      expected_qty: number', '      expected_qty: date'));
        expect(prepareMigration(spec, unstored).files).toEqual([]);
    });

    it('drops no stored data: removing a field or an entity, or renaming an entity, with stored records is refused', async () => {
        const spec = farmCopy();
        const refusals: Array<[(text: string) => string, string]> = [
            [text => text.replace('      cultivar: string\n', ''),
                'Removing field Block.cultivar would lose the values of 3 stored records in records/Block.json; the Migrator does not drop stored data.'],
            [text => text.replace(/    entity PriceQuote \{[^}]*\}\n/, '').replace('provides PriceQuote', '').replace('shows PriceQuote', 'shows Contract').replace('reads PriceQuote, Forecast', 'reads Forecast'),
                'Removing entity PriceQuote would leave 3 stored records in records/PriceQuote.json behind; the Migrator does not move or delete records files.'],
            [text => text.replaceAll(/\bBlock\b/g, 'Plot'),
                'Renaming entity Block to Plot would leave 3 stored records in records/Block.json behind; the Migrator does not move or delete records files.']
        ];
        for (const [edit, message] of refusals) {
            await expect(planFor(spec, edit).then(plan => prepareMigration(spec, plan))).rejects.toThrow(message);
        }
        const unstored = await planFor(spec, text => text.replace('      expected_qty: number\n', ''));
        expect(prepareMigration(spec, unstored)).toEqual({ summary: { ops: [], files: [] }, files: [] });
    });

    it('refuses a default that is not a value of the field type, and an unknown converter', async () => {
        const spec = farmCopy();
        await expect(planFor(spec, text => text.replace('      priority: int\n', '      priority: int\n      rank: int = "first"\n')))
            .rejects.toThrow('The default "first" of Contract.rank is not a value of type int; change the default or the type.');
        await expect(planFor(spec, text => text.replace('      qty_per_week: number', '      qty_per_week: int'),
            [{ type: 'change_field_type', entity: 'Contract', name: 'qty_per_week', field_type: 'int', converter: 'floor' }]))
            .rejects.toThrow("The Migrator has no converter 'floor' for number → int, the type change of Contract.qty_per_week (it has round, truncate).");
    });

    it('converts back every type change it converts', () => {
        const types = ['string', 'text', 'int', 'number', 'money', 'bool', 'date', 'datetime', 'weekday', 'duration', 'email', 'id', 'enum(a, b)', 'enum(a, b, c)', 'Contract'];
        for (const from of types) {
            for (const to of types.filter(t => t !== from)) {
                const [a, b] = [parseValueType(from)!, parseValueType(to)!];
                expect(convertersFor(a, b).length > 0, `${from} → ${to}`).toBe(convertersFor(b, a).length > 0);
            }
        }
    });
});

describe('the example records', () => {
    it('hold, for every entity that has a records file, exactly its fields with values of their types', async () => {
        for (const spec of ['examples/farmer-contract-allocation/farm-ops.fspec', 'examples/immigration-policy-impact/policy-impact.fspec']) {
            const graph = (await loadAs(path.resolve(spec), fs.readFileSync(spec, 'utf8'))).graph!;
            const folder = path.join(path.dirname(spec), 'records');
            const files = fs.readdirSync(folder);
            expect(files.length).toBeGreaterThanOrEqual(2);
            for (const file of files) {
                const entity = path.basename(file, '.json');
                const fields = graph.nodes.filter(n => n.kind === 'field' && n.parent === `entity:${entity}`);
                const text = fs.readFileSync(path.join(folder, file), 'utf8');
                const records = JSON.parse(text) as Array<Record<string, never>>;
                expect(text, file).toBe(`${JSON.stringify(records, null, 2)}\n`);
                for (const [index, record] of records.entries()) {
                    expect(Object.keys(record), `${file}[${index}]`).toEqual(fields.map(f => f.name));
                    for (const field of fields) {
                        expect(fitsType(record[field.name], parseValueType(fieldTypeOf(graph, field))!), `${file}[${index}].${field.name}`).toBe(true);
                    }
                }
            }
        }
    });
});
