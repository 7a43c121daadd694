import { isDeepStrictEqual } from 'node:util';
import { fitsType, parseValueType, showValue, type JsonValue, type StoredRecord, type ValueType } from '../model/field-values.js';
import type { ConvertFieldOp, ForwardOp, InverseOp, MigrationOp, RestoredValue } from '../model/record-migration-ops.js';
import { ConversionRefused, convertersFor, pairName, type Converter } from './record-converters.js';
import { MigrationError, type RecordStore } from './stored-records.js';

/**
 * Applies ops in order to the records in `store` (entities without a records file are skipped)
 * and returns the inverse ops, in the order that undoes them. Throws a MigrationError naming the
 * file, record and value an op cannot handle; the store is then only partly changed, so callers
 * write nothing.
 */
export function applyOps(store: RecordStore, ops: MigrationOp[]): InverseOp[] {
    const inverse: InverseOp[] = [];
    for (const op of ops) {
        const records = store.records(op.entity);
        const restore: RestoredValue[] = [];
        if (records) {
            store.update(op.entity, records.map((record, index) => applyToRecord(op, record, `${store.fileOf(op.entity)}[${index}]`, restore, index)));
        }
        if (op.op !== 'remove_field') {
            inverse.unshift(inverseOf(op, restore));
        }
    }
    return inverse;
}

function applyToRecord(op: MigrationOp, record: StoredRecord, where: string, restore: RestoredValue[], index: number): StoredRecord {
    switch (op.op) {
        case 'add_field':
            if (Object.hasOwn(record, op.field)) {
                throw new MigrationError(`Cannot add ${op.entity}.${op.field}: ${where} already has a value for it (${showValue(record[op.field])}).`);
            }
            return { ...record, [op.field]: op.default };
        case 'remove_field': {
            const { [op.field]: _removed, ...rest } = record;
            return rest;
        }
        case 'rename_field':
            if (Object.hasOwn(record, op.to)) {
                throw new MigrationError(`Cannot rename ${op.entity}.${op.from} to ${op.to}: ${where} already has a value for ${op.to} (${showValue(record[op.to])}).`);
            }
            // Keys keep their place, so renaming back gives the same text.
            return Object.fromEntries(Object.entries(record).map(([key, value]) => [key === op.from ? op.to : key, value]));
        case 'convert_field':
            return { ...record, [op.field]: convertValue(op, record[op.field], where, restore, index) };
    }
}

function convertValue(op: ConvertFieldOp, value: JsonValue | undefined, where: string, restore: RestoredValue[], index: number): JsonValue {
    const [from, to] = [typeOf(op.from_type, op), typeOf(op.to_type, op)];
    const label = `${op.entity}.${op.field}`;
    if (value === undefined || value === null) {
        if (!to.optional) {
            throw new MigrationError(`Field ${label} is now ${op.to_type}, which needs a value: ${where} has none. Give the field a default or keep it optional.`);
        }
        return value ?? null;
    }
    const kept = op.restore?.find(r => r.index === index && isDeepStrictEqual(r.converted, value));
    if (kept) {
        return kept.original;
    }
    if (!fitsType(value, from)) {
        throw new MigrationError(`Cannot convert ${label} from ${op.from_type} to ${op.to_type}: ${where} has ${showValue(value)}, which is not a value of type ${op.from_type}.`);
    }
    const converter = converterNamed(op.converter, from, to, label);
    const back = convertersFor(to, from)[0];
    try {
        const converted = to.many ? (value as JsonValue[]).map(item => converter.convert(item, to)) : converter.convert(value, to);
        if (!op.restore && !isDeepStrictEqual(convertBack(back, converted, from), value)) {
            restore.push({ index, converted, original: value });
        }
        return converted;
    } catch (error) {
        if (error instanceof ConversionRefused) {
            throw new MigrationError(`Cannot convert ${label} from ${op.from_type} to ${op.to_type}: ${where} has ${showValue(value)} (${error.message}).`);
        }
        throw error;
    }
}

/** What converting a value back gives; undefined when it cannot go back, so the original is kept. */
function convertBack(back: Converter | undefined, value: JsonValue, to: ValueType): JsonValue | undefined {
    try {
        return back && (Array.isArray(value) && to.many ? value.map(item => back.convert(item, to)) : back.convert(value, to));
    } catch (error) {
        if (error instanceof ConversionRefused) {
            return undefined;
        }
        throw error;
    }
}

/** The inverse of an op; a conversion's inverse converts back with the reverse pair's default and restores what that loses. */
export function inverseOf(op: ForwardOp, restore: RestoredValue[]): InverseOp {
    switch (op.op) {
        case 'add_field': return { op: 'remove_field', entity: op.entity, field: op.field };
        case 'rename_field': return { op: 'rename_field', entity: op.entity, from: op.to, to: op.from };
        case 'convert_field': {
            const [from, to] = [typeOf(op.from_type, op), typeOf(op.to_type, op)];
            return {
                op: 'convert_field', entity: op.entity, field: op.field, from_type: op.to_type, to_type: op.from_type,
                converter: converterNamed(undefined, to, from, `${op.entity}.${op.field}`).name, ...(restore.length ? { restore } : {})
            };
        }
    }
}

/** The converter `name` of a type pair (its default when undefined); a MigrationError naming the field (`label`) when the pair has no such converter. */
export function converterNamed(name: string | undefined, from: ValueType, to: ValueType, label: string): Converter {
    const converters = convertersFor(from, to);
    const converter = name === undefined ? converters[0] : converters.find(c => c.name === name);
    if (!converter) {
        const choice = converters.length ? ` (it has ${converters.map(c => c.name).join(', ')})` : '';
        throw new MigrationError(`The Migrator has no converter ${name === undefined ? '' : `'${name}' `}for ${pairName(from, to)}, the type change of ${label}${choice}.`);
    }
    return converter;
}

function typeOf(text: string, op: ConvertFieldOp): ValueType {
    const type = parseValueType(text);
    if (!type) {
        throw new MigrationError(`${op.entity}.${op.field} has type '${text}', which the Migrator cannot read.`);
    }
    return type;
}

