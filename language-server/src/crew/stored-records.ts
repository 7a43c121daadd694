import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileChange } from '../lineage/atomic-write.js';
import type { JsonValue, StoredRecord } from '../model/field-values.js';

/**
 * Where an app's data lives beside its spec: `records/<Entity>.json` holds the stored records of
 * one entity (a JSON array of objects, written with 2-space indentation and a final newline), and
 * `.factory/migrations/<version>.json` says how the growth to that version migrated them.
 */

/** A problem with the stored records or their migration, with where it is; nothing was written. */
export class MigrationError extends Error {}

export function recordsFile(specPath: string, entity: string): string {
    return path.join(path.dirname(path.resolve(specPath)), 'records', `${entity}.json`);
}

export function migrationsFolder(specPath: string): string {
    return path.join(path.dirname(path.resolve(specPath)), '.factory', 'migrations');
}

/** A file as the user reads it in messages and migration records: relative to the spec's folder, `/`-separated. */
export function specRelative(specPath: string, file: string): string {
    return path.relative(path.dirname(path.resolve(specPath)), file).split(path.sep).join('/');
}

/** Records as written to their file: stable, so migrating there and back gives the same bytes. */
export function recordsText(records: StoredRecord[]): string {
    return `${JSON.stringify(records, null, 2)}\n`;
}

/** One entity's records as read, and as changed since. */
interface EntityRecords {
    file: string;
    text: string;
    records: StoredRecord[];
}

/** The stored records of a spec's entities, read on first use and changed in memory; `changes()` says what to write. */
export class RecordStore {
    private readonly entities = new Map<string, EntityRecords | undefined>();

    constructor(private readonly specPath: string) {}

    /** The entity's records; undefined when it has no records file. */
    records(entity: string): StoredRecord[] | undefined {
        if (!this.entities.has(entity)) {
            this.entities.set(entity, this.read(entity));
        }
        return this.entities.get(entity)?.records;
    }

    update(entity: string, records: StoredRecord[]): void {
        const stored = this.entities.get(entity);
        if (!stored) {
            throw new Error(`${entity} has no records file to update`);
        }
        stored.records = records;
    }

    /** `records/Contract.json`: the entity's records file as messages name it. */
    fileOf(entity: string): string {
        return specRelative(this.specPath, recordsFile(this.specPath, entity));
    }

    /** The records files whose text changes, with their new text. */
    changes(): FileChange[] {
        return [...this.entities.values()].flatMap(stored => {
            const text = stored && recordsText(stored.records);
            return stored && text !== stored.text ? [{ file: stored.file, text }] : [];
        });
    }

    private read(entity: string): EntityRecords | undefined {
        const file = recordsFile(this.specPath, entity);
        if (!fs.existsSync(file)) {
            return undefined;
        }
        const text = fs.readFileSync(file, 'utf8');
        let records: JsonValue;
        try {
            records = JSON.parse(text) as JsonValue;
        } catch (error) {
            throw new MigrationError(`${this.fileOf(entity)} is not valid JSON (${(error as Error).message}); fix it before migrating.`);
        }
        const notRecord = Array.isArray(records) ? records.findIndex(r => r === null || typeof r !== 'object' || Array.isArray(r)) : -1;
        if (!Array.isArray(records) || notRecord >= 0) {
            const where = Array.isArray(records) ? `${this.fileOf(entity)}[${notRecord}] is not an object` : `${this.fileOf(entity)} is not an array`;
            throw new MigrationError(`${where}: a records file holds a JSON array of ${entity} records (objects keyed by field).`);
        }
        return { file, text, records: records as StoredRecord[] };
    }
}
