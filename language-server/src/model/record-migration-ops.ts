import { showValue, type JsonValue } from './field-values.js';

/**
 * The steps of a migration of stored records, as the migration record writes them, and how a
 * person reads one. Free of Node: the mutation PR webview shows them as the CLI does; the crew's
 * migration-ops.ts applies them.
 */

export interface AddFieldOp { op: 'add_field', entity: string, field: string, default: JsonValue }
export interface RemoveFieldOp { op: 'remove_field', entity: string, field: string }
export interface RenameFieldOp { op: 'rename_field', entity: string, from: string, to: string }
export interface ConvertFieldOp {
    op: 'convert_field', entity: string, field: string, from_type: string, to_type: string, converter: string;
    /** In an inverse: the values converting back would not give, by record index, with the value the migration left there. */
    restore?: RestoredValue[];
}
export interface RestoredValue { index: number, converted: JsonValue, original: JsonValue }

/** What a growth does to records; each has an inverse. */
export type ForwardOp = AddFieldOp | RenameFieldOp | ConvertFieldOp;
/** What undoes a forward op. */
export type InverseOp = RemoveFieldOp | RenameFieldOp | ConvertFieldOp;
export type MigrationOp = ForwardOp | InverseOp;

/** One line for a person: `add_field Contract.region = "north"`, `rename_field Contract.buyer → buyer_name`. */
export function describeOp(op: MigrationOp): string {
    switch (op.op) {
        case 'add_field': return `add_field ${op.entity}.${op.field} = ${showValue(op.default)}`;
        case 'remove_field': return `remove_field ${op.entity}.${op.field}`;
        case 'rename_field': return `rename_field ${op.entity}.${op.from} → ${op.to}`;
        case 'convert_field': {
            const restored = op.restore?.length ? `; restores ${op.restore.length} original value${op.restore.length === 1 ? '' : 's'}` : '';
            return `convert_field ${op.entity}.${op.field} ${op.from_type} → ${op.to_type} (${op.converter}${restored})`;
        }
    }
}
