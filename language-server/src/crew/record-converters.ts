import { fitsOne, type JsonValue, type ValueType } from '../model/field-values.js';

/** Why one value cannot convert; the caller says where the value is. */
export class ConversionRefused extends Error {}

/** A deterministic conversion of stored values from one field type to another. */
export interface Converter {
    /** Named in the migration record; where a type pair has several, a proposal may choose one. */
    name: string;
    /** Converts one value (an item, for a list type); never called with null. */
    convert(value: JsonValue, to: ValueType): JsonValue;
}

const textual = ['string', 'text'];
const numeric = ['int', 'number', 'money'];
/** Types stored as strings with a form of their own: from text they are checked, to text they are kept. */
const formed = ['email', 'id', 'weekday', 'duration', 'date', 'datetime'];

function refuse(reason: string): never {
    throw new ConversionRefused(reason);
}

const asIs = (value: JsonValue) => value;
const format = (value: JsonValue) => String(value);
const trimmed = (value: JsonValue) => String(value).trim();

/** Each row converts any type of `from` to any type of `to`; a pair's first converter is its default. */
const table: Array<{ from: string[], to: string[], converter: Converter }> = [
    { from: ['int'], to: ['number', 'money'], converter: { name: 'as_is', convert: asIs } },
    { from: ['number', 'money'], to: ['number', 'money'], converter: { name: 'as_is', convert: asIs } },
    { from: ['number', 'money'], to: ['int'], converter: { name: 'round', convert: value => Math.round(value as number) } },
    { from: ['number', 'money'], to: ['int'], converter: { name: 'truncate', convert: value => Math.trunc(value as number) } },
    { from: [...numeric, 'bool'], to: textual, converter: { name: 'format', convert: format } },
    {
        from: textual, to: ['int'],
        converter: { name: 'parse', convert: value => /^[-+]?\d+$/.test(trimmed(value)) ? Number(trimmed(value)) : refuse('not a whole number') }
    },
    {
        from: textual, to: ['number', 'money'],
        converter: { name: 'parse', convert: value => /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed(value)) ? Number(trimmed(value)) : refuse('not a number') }
    },
    {
        from: textual, to: ['bool'],
        converter: { name: 'parse', convert: value => /^(true|false)$/i.test(trimmed(value)) ? trimmed(value).toLowerCase() === 'true' : refuse('neither true nor false') }
    },
    { from: [...textual, ...formed, 'enum'], to: textual, converter: { name: 'as_is', convert: asIs } },
    { from: textual, to: formed, converter: { name: 'check', convert: (value, to) => fitsOne(value, to) ? value : refuse(`not a valid ${to.base}`) } },
    {
        from: [...textual, 'enum'], to: ['enum'],
        converter: { name: 'match', convert: (value, to) => fitsOne(value, to) ? value : refuse(`not one of ${to.values.join(', ')}`) }
    },
    { from: ['date'], to: ['datetime'], converter: { name: 'midnight_utc', convert: value => `${String(value)}T00:00:00Z` } },
    { from: ['datetime'], to: ['date'], converter: { name: 'date_part', convert: value => String(value).slice(0, 10) } },
    { from: ['bool'], to: ['int'], converter: { name: 'one_zero', convert: value => value ? 1 : 0 } },
    { from: ['int'], to: ['bool'], converter: { name: 'nonzero', convert: value => value !== 0 } }
];

/**
 * The converters for a type change, default first; none when the Migrator cannot convert it (a
 * list becoming a single value, an entity reference, a pair with no conversion).
 */
export function convertersFor(from: ValueType, to: ValueType): Converter[] {
    if (from.many !== to.many) {
        return [];
    }
    if (from.base === to.base && from.base !== 'enum') {
        return [{ name: 'as_is', convert: asIs }];
    }
    return table.filter(row => row.from.includes(from.base) && row.to.includes(to.base) && (from.base !== to.base || from.base === 'enum'))
        .map(row => row.converter);
}

/** A type as a pair names it: `int`, `enum(open, closed)`, `string[]`. */
export function pairName(from: ValueType, to: ValueType): string {
    const name = (type: ValueType) => (type.base === 'enum' ? `enum(${type.values.join(', ')})` : type.base) + (type.many ? '[]' : '');
    return `${name(from)} → ${name(to)}`;
}
