import type { AppEntity, AppField, AppModel } from './app-model.js';

/**
 * `schemas/<Entity>.schema.json`: one JSON Schema (2020-12) per entity, for a records file's items.
 * Spec facts JSON Schema has no word for ride along as `x-fspec-*` keywords: `x-fspec-pii`,
 * `x-fspec-phi`, `x-fspec-type` (the type as written), `x-fspec-ref` (the entity a reference names).
 */

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

type Schema = Record<string, unknown>;

/** The schema of one value of the field (before `[]` and `?`). */
function valueSchema(field: AppField): Schema {
    if (field.ref) {
        // A reference is the key of a record of that entity, or field values that match exactly one.
        return { type: ['string', 'object'] };
    }
    switch (field.base) {
        case 'enum': return { type: 'string', enum: field.values };
        case 'weekday': return { type: 'string', enum: weekdays };
        case 'int': return { type: 'integer' };
        case 'number': case 'money': return { type: 'number' };
        case 'bool': return { type: 'boolean' };
        case 'date': return { type: 'string', format: 'date' };
        case 'datetime': return { type: 'string', format: 'date-time' };
        case 'email': return { type: 'string', format: 'email' };
        default: return { type: 'string' };
    }
}

function fieldSchema(field: AppField): Schema {
    const one = valueSchema(field);
    const many: Schema = field.many ? { type: 'array', items: one } : one;
    const typed: Schema = field.optional ? { anyOf: [many, { type: 'null' }] } : many;
    return {
        ...field.description ? { description: field.description } : {},
        ...typed,
        ...field.default !== undefined ? { default: field.default } : {},
        'x-fspec-type': field.typeText,
        ...field.ref ? { 'x-fspec-ref': field.ref } : {},
        ...field.pii ? { 'x-fspec-pii': true } : {},
        ...field.phi ? { 'x-fspec-phi': true } : {}
    };
}

export function entitySchema(app: AppModel, entity: AppEntity): Schema {
    const properties: Record<string, Schema> = {};
    if (!entity.fields.some(f => f.name === 'id')) {
        properties.id = { description: `The record's key: references name it. Records without one are keyed ${entity.name}#<position>.`, type: 'string' };
    }
    for (const field of entity.fields) {
        properties[field.name] = fieldSchema(field);
    }
    return {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `${entity.name}.schema.json`,
        title: entity.name,
        ...entity.title ? { description: entity.title } : {},
        type: 'object',
        properties,
        required: entity.fields.filter(f => !f.optional && f.default === undefined).map(f => f.name),
        additionalProperties: false,
        'x-fspec-spec': app.spec,
        'x-fspec-entity': entity.name
    };
}

/** Where an entity's schema goes in the app. */
export function schemaFile(entity: Pick<AppEntity, 'name'>): string {
    return `schemas/${entity.name}.schema.json`;
}

/** Every entity's schema as its file text. */
export function schemaFiles(app: AppModel): Array<[string, string]> {
    return app.entities.map(entity => [schemaFile(entity), `${JSON.stringify(entitySchema(app, entity), null, 2)}\n`]);
}
