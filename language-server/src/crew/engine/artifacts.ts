/**
 * The artifact store (§5.5): named stage outputs too large for the context. Outputs over the
 * file-backing threshold (100 KB) are written to `{logs_root}/artifacts/{id}.json`, smaller ones stay
 * in memory. The context keeps only small values for routing and checkpoints; a handler that stores
 * a large output puts the artifact's id there instead.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './checkpoint.js';

export const FILE_BACKING_THRESHOLD = 100 * 1024;

export interface ArtifactInfo {
    readonly id: string;
    readonly name: string;
    readonly size_bytes: number;
    /** ISO 8601. */
    readonly stored_at: string;
    readonly is_file_backed: boolean;
}

export class ArtifactNotFoundError extends Error {
    constructor(readonly id: string) {
        super(`artifact ${id} not found`);
        this.name = 'ArtifactNotFoundError';
    }
}

/** An id becomes a file name: anything but letters, digits, `.`, `_` and `-` is replaced. */
function fileName(id: string): string {
    return `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

export class ArtifactStore {
    private readonly artifacts = new Map<string, { info: ArtifactInfo; data?: unknown }>();

    /** Without a base directory every artifact stays in memory. */
    constructor(private readonly baseDir?: string, private readonly threshold = FILE_BACKING_THRESHOLD) {}

    /** Stores `data` (anything JSON can hold) under `id`, replacing what was there. */
    store(id: string, name: string, data: unknown): ArtifactInfo {
        const json = JSON.stringify(data) ?? 'null';
        const size = Buffer.byteLength(json);
        const isFileBacked = size > this.threshold && this.baseDir !== undefined;
        this.remove(id);
        if (isFileBacked) {
            const folder = join(this.baseDir!, 'artifacts');
            mkdirSync(folder, { recursive: true });
            writeFileAtomic(join(folder, fileName(id)), json);
        }
        const info: ArtifactInfo = { id, name, size_bytes: size, stored_at: new Date().toISOString(), is_file_backed: isFileBacked };
        this.artifacts.set(id, isFileBacked ? { info } : { info, data });
        return info;
    }

    retrieve(id: string): unknown {
        const entry = this.artifacts.get(id);
        if (!entry) {
            throw new ArtifactNotFoundError(id);
        }
        return entry.info.is_file_backed ? JSON.parse(readFileSync(this.pathOf(id), 'utf8')) : entry.data;
    }

    has(id: string): boolean {
        return this.artifacts.has(id);
    }

    list(): ArtifactInfo[] {
        return [...this.artifacts.values()].map(entry => entry.info);
    }

    remove(id: string): void {
        const entry = this.artifacts.get(id);
        if (entry?.info.is_file_backed) {
            rmSync(this.pathOf(id), { force: true });
        }
        this.artifacts.delete(id);
    }

    clear(): void {
        for (const id of [...this.artifacts.keys()]) {
            this.remove(id);
        }
    }

    /** The file of a file-backed artifact. */
    pathOf(id: string): string {
        return join(this.baseDir ?? '', 'artifacts', fileName(id));
    }
}
