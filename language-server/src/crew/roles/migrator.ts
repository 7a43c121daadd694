import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileChange } from '../../lineage/atomic-write.js';
import { fieldTypeOf, graphIndex } from '../../model/graph-index.js';
import { diffSpecGraphs } from '../../model/semantic-diff.js';
import { idName, type SpecGraph, type SpecNode } from '../../model/spec-graph.js';
import type { MorphProposal } from '../contracts.js';
import { fitsType, literalValue, parseValueType, type ValueType } from '../../model/field-values.js';
import type { ForwardOp, InverseOp } from '../../model/record-migration-ops.js';
import { applyOps, converterNamed } from '../migration-ops.js';
import { convertersFor, pairName } from '../record-converters.js';
import { MigrationError, migrationsFolder, RecordStore, specRelative } from '../stored-records.js';

/** What `.factory/migrations/<version>.json` holds: how the growth to `to` migrated the stored records, and how to undo it. */
export interface MigrationRecord {
    spec: string;
    from: string;
    to: string;
    ops: ForwardOp[];
    /** Undoes `ops`, in order; a lossy conversion's inverse carries the original values. */
    inverse: InverseOp[];
    /** Records files the migration changed, relative to the spec's folder. */
    files: string[];
}

/** The migration as the mutation PR shows it: the ops, and each records file they touch with its number of records. */
export interface MigrationSummary {
    ops: ForwardOp[];
    files: Array<{ file: string, entity: string, records: number }>;
}

/** A migration ready to write: its summary, and the files to write (records, then the migration record). */
export interface PreparedMigration {
    summary: MigrationSummary;
    files: FileChange[];
}

/** A data-contract change the Migrator cannot carry stored records through; it stops a growth only where records are stored. */
interface BlockedChange {
    entity: string;
    /** The problem, given how many records in which file it affects. */
    message(count: number, file: string): string;
}

export interface MigrationPlan {
    spec: string;
    from: string;
    to: string;
    ops: ForwardOp[];
    blocked: BlockedChange[];
}

/** Renames first, so a field renamed away frees its name; then conversions; additions last. */
const opOrder: Array<ForwardOp['op']> = ['rename_field', 'convert_field', 'add_field'];

/**
 * The Migrator's plan, from the data-contract morphs between two versions of a spec (so a growth
 * planned by a model migrates as one planned offline): added fields get their default (null when
 * optional), renamed fields their new key, retyped fields a converter by type pair (the one a
 * `change_field_type` proposal names, else the pair's default). Deterministic and records-free.
 */
export function planMigration(before: SpecGraph, after: SpecGraph, proposals: MorphProposal[]): MigrationPlan {
    const chosen = new Map<string, string>(proposals.flatMap(p => p.type === 'change_field_type' && p.converter ? [[`${p.entity}.${p.name}`, p.converter]] : []));
    const [oldNodes, newNodes] = [graphIndex(before).nodes, graphIndex(after).nodes];
    const plan: MigrationPlan = { spec: after.name, from: before.version, to: after.version, ops: [], blocked: [] };
    for (const morph of diffSpecGraphs(before, after)) {
        const node = (morph.change === 'remove' ? oldNodes : newNodes).get(morph.target);
        if (node?.kind === 'entity' && (morph.change === 'remove' || morph.change === 'rename')) {
            const entity = idName(morph.previous ?? morph.target);
            const change = morph.change === 'remove' ? `Removing entity ${entity}` : `Renaming entity ${entity} to ${node.name}`;
            plan.blocked.push({ entity, message: (count, file) => `${change} would leave ${storedRecords(count)} in ${file} behind; the Migrator does not move or delete records files.` });
        }
        if (node?.kind !== 'field') {
            continue;
        }
        const entity = idName(node.parent!);
        const label = `${entity}.${node.name}`;
        if (morph.kind === 'add_field') {
            plan.ops.push(addedField(after, node, entity, label, plan.blocked));
        } else if (morph.kind === 'rename_field') {
            plan.ops.push({ op: 'rename_field', entity, from: oldNodes.get(morph.previous!)!.name, to: node.name });
        } else if (morph.kind === 'remove_field') {
            plan.blocked.push({ entity, message: (count, file) => `Removing field ${label} would lose the values of ${storedRecords(count)} in ${file}; the Migrator does not drop stored data.` });
        } else if (morph.kind === 'change_field_type' && oldNodes.get(morph.target)) {
            plan.ops.push(...retypedField(before, after, oldNodes.get(morph.target)!, node, entity, chosen.get(label), plan.blocked));
        }
    }
    plan.ops.sort((a, b) => opOrder.indexOf(a.op) - opOrder.indexOf(b.op));
    return plan;
}

function addedField(after: SpecGraph, node: SpecNode, entity: string, label: string, blocked: BlockedChange[]): ForwardOp {
    const typeText = fieldTypeOf(after, node);
    const type = readType(typeText, label);
    const literal = node.attrs.default as string | undefined;
    const value = literal === undefined ? null : literalValue(literal);
    if (literal !== undefined && !fitsType(value, type)) {
        throw new MigrationError(`The default ${literal} of ${label} is not a value of type ${typeText}; change the default or the type.`);
    }
    if (literal === undefined && !type.optional) {
        blocked.push({ entity, message: (count, file) => `Field ${label} needs a default or must be optional: ${storedRecords(count)} in ${file} ${count === 1 ? 'has' : 'have'} no value for it.` });
    }
    return { op: 'add_field', entity, field: node.name, default: value };
}

function retypedField(before: SpecGraph, after: SpecGraph, old: SpecNode, node: SpecNode, entity: string, converter: string | undefined, blocked: BlockedChange[]): ForwardOp[] {
    const label = `${entity}.${node.name}`;
    const [fromText, toText] = [fieldTypeOf(before, old), fieldTypeOf(after, node)];
    const [from, to] = [readType(fromText, label), readType(toText, label)];
    // A field that only becomes optional (or gets another default) keeps every stored value as it is.
    if (sameValues(from, to) && (to.optional || !from.optional)) {
        return [];
    }
    if (convertersFor(from, to).length === 0) {
        blocked.push({
            entity, message: (count, file) => `The Migrator cannot convert ${label} (${pairName(from, to)} has no converter): ${storedRecords(count)} in ${file} ${count === 1 ? 'holds a' : 'hold'} ${fromText} value${count === 1 ? '' : 's'}.`
        });
        return [];
    }
    return [{ op: 'convert_field', entity, field: node.name, from_type: fromText, to_type: toText, converter: converterNamed(converter, from, to, label).name }];
}

function storedRecords(count: number): string {
    return `${count} stored record${count === 1 ? '' : 's'}`;
}

function sameValues(a: ValueType, b: ValueType): boolean {
    return a.base === b.base && a.many === b.many && a.values.join() === b.values.join();
}

function readType(text: string, label: string): ValueType {
    const type = parseValueType(text);
    if (!type) {
        throw new MigrationError(`${label} has type '${text}', which the Migrator cannot read.`);
    }
    return type;
}

/**
 * Runs the plan over the records stored beside the spec, in memory: a MigrationError names the
 * change, file, record and value that stops it, and nothing is written. When the plan has ops,
 * the files to write end with the migration record `.factory/migrations/<version>.json`.
 */
export function prepareMigration(specPath: string, plan: MigrationPlan): PreparedMigration {
    const store = new RecordStore(specPath);
    for (const { entity, message } of plan.blocked) {
        const count = store.records(entity)?.length ?? 0;
        if (count > 0) {
            throw new MigrationError(message(count, store.fileOf(entity)));
        }
    }
    if (plan.ops.length === 0) {
        return { summary: { ops: [], files: [] }, files: [] };
    }
    const inverse = applyOps(store, plan.ops);
    const changed = store.changes();
    const record: MigrationRecord = { spec: plan.spec, from: plan.from, to: plan.to, ops: plan.ops, inverse, files: changed.map(c => specRelative(specPath, c.file)) };
    const entities = [...new Set(plan.ops.map(op => op.entity))].filter(entity => store.records(entity));
    return {
        summary: { ops: plan.ops, files: entities.map(entity => ({ file: store.fileOf(entity), entity, records: store.records(entity)!.length })) },
        files: [...changed, { file: migrationFile(specPath, plan.to), text: `${JSON.stringify(record, null, 2)}\n` }]
    };
}

function migrationFile(specPath: string, version: string): string {
    return path.join(migrationsFolder(specPath), `${version}.json`);
}

/** The texts `files` have now (undefined: no such file), to put back when what follows them fails. */
export function currentTexts(files: FileChange[]): FileChange[] {
    return files.map(({ file }) => ({ file, text: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined }));
}
