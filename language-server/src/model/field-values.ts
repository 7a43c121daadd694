/**
 * Values of stored records and what the spec's field types allow in them. A record is a JSON
 * object whose keys are its entity's fields: strings for string, text, email, id, duration,
 * weekday (`monday` … `sunday`), date (`2025-05-06`), datetime (ISO 8601 with a zone) and enum
 * values; numbers for int, number and money; booleans for bool; arrays for `[]` types; null
 * for an optional field without a value. References to other entities are not checked.
 * Free of Node and of the crew: the validator checks field defaults with the same rule the
 * Compiler and the Migrator apply.
 */

/** A value in a stored record, as JSON has it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A stored record: field name → value. */
export type StoredRecord = { [field: string]: JsonValue };

/** A field's type as values are checked against it: the base (`int`, `enum`, an entity name), enum values, and the `[]` and `?` suffixes. */
export interface ValueType {
    base: string;
    values: string[];
    many: boolean;
    optional: boolean;
}

/** Reads a field type as written (`int?`, `enum(open, closed)[]`, `Contract`); undefined when it is not one. */
export function parseValueType(text: string): ValueType | undefined {
    const match = /^\s*(?:enum\s*\(([^)]*)\)|([A-Za-z_]\w*))\s*(\[\])?\s*(\?)?\s*$/.exec(text);
    if (!match) {
        return undefined;
    }
    const values = match[1]?.split(',').map(value => value.trim()) ?? [];
    if (values.some(value => !/^[A-Za-z_]\w*$/.test(value))) {
        return undefined;
    }
    return { base: match[2] ?? 'enum', values, many: match[3] !== undefined, optional: match[4] !== undefined };
}

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const isText = (value: JsonValue) => typeof value === 'string';
const isNumber = (value: JsonValue) => typeof value === 'number' && Number.isFinite(value);
const isDate = (value: JsonValue) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && isRealDate(value);
const isDateTime = (value: JsonValue) => typeof value === 'string'
    && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && isRealDate(value.slice(0, 10));

/** What a value of each primitive type must be. */
const primitiveChecks: Record<string, (value: JsonValue) => boolean> = {
    string: isText, text: isText, id: isText, duration: isText,
    email: value => typeof value === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value),
    weekday: value => typeof value === 'string' && weekdays.includes(value),
    int: value => Number.isSafeInteger(value), number: isNumber, money: isNumber,
    bool: value => typeof value === 'boolean',
    date: isDate, datetime: isDateTime
};

/** Whether a stored value (undefined: the record has no such key) fits the type. */
export function fitsType(value: JsonValue | undefined, type: ValueType): boolean {
    if (value === null || value === undefined) {
        return type.optional;
    }
    return type.many ? Array.isArray(value) && value.every(item => fitsOne(item, type)) : fitsOne(value, type);
}

/** Whether one value (an item of a list) fits the type's base. */
export function fitsOne(value: JsonValue, type: ValueType): boolean {
    if (type.base === 'enum') {
        return typeof value === 'string' && type.values.includes(value);
    }
    const check = primitiveChecks[type.base];
    // An entity type: how a record points at another is the app's business.
    return check ? check(value) : value !== null;
}

/** The value a default as written in the spec stands for: `"north"` a string, `-1.5` a number, `true` a boolean, `reserved` a name. */
export function literalValue(literal: string): JsonValue {
    if (literal.startsWith('"')) {
        return JSON.parse(literal) as string;
    }
    if (literal === 'true' || literal === 'false') {
        return literal === 'true';
    }
    return /^-?\d/.test(literal) ? Number(literal) : literal;
}

/** How a default is written in the spec: an enum value bare, any other string quoted. */
export function defaultLiteral(value: string | number | boolean, type: ValueType): string {
    return typeof value === 'string' && !(type.base === 'enum' && type.values.includes(value)) ? JSON.stringify(value) : String(value);
}

/** A value for a message: strings quoted, as JSON writes them. */
export function showValue(value: JsonValue | undefined): string {
    return value === undefined ? 'no value' : JSON.stringify(value);
}

function isRealDate(text: string): boolean {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
