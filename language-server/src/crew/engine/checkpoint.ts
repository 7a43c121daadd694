/**
 * Run files (§5.3, §5.6): `{logs_root}/checkpoint.json`, `manifest.json` and each node's `status.json`.
 * Keys are snake_case as in §5.3. The checkpoint and the manifest go to a temporary file that is then
 * renamed over the target, so a reader (or a resume after a crash) never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromStatusFile, StatusFileError, toStatusFile, type Outcome } from './outcome.js';
import type { RunUsage } from './run-budget.js';

export interface Checkpoint {
    /** ISO 8601. */
    readonly timestamp: string;
    /** The last node that completed; '' before the first one. */
    readonly current_node: string;
    /** In execution order. */
    readonly completed_nodes: readonly string[];
    readonly node_retries: Readonly<Record<string, number>>;
    /**
     * How often the run has entered each node, for `max_visits`; a resumed run goes on counting.
     * Optional so a checkpoint written before it existed still loads (as no visits).
     */
    readonly node_visits?: Readonly<Record<string, number>>;
    /** The latest outcome of each node; routing after `current_node` is derived from it on resume. */
    readonly node_outcomes: Readonly<Record<string, Outcome>>;
    /** Tokens and cost the run's LLM stages used so far, for the run's budget; optional like node_visits. */
    readonly usage?: RunUsage;
    readonly context: Readonly<Record<string, unknown>>;
    readonly logs: readonly string[];
}

export interface Manifest {
    readonly name: string;
    readonly goal: string;
    readonly label: string;
    readonly run_id: string;
    /** ISO 8601. */
    readonly started_at: string;
}

export const CHECKPOINT_FILE = 'checkpoint.json';
export const MANIFEST_FILE = 'manifest.json';
export const STATUS_FILE = 'status.json';

let temporaryCount = 0;

/** Writes `text` to `path` atomically (temporary file in the same directory, then rename). */
export function writeFileAtomic(path: string, text: string): void {
    const temporary = `${path}.${process.pid}.${temporaryCount++}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
}

export function saveCheckpoint(logsRoot: string, checkpoint: Checkpoint): void {
    writeFileAtomic(join(logsRoot, CHECKPOINT_FILE), JSON.stringify(checkpoint));
}

export function loadCheckpoint(logsRoot: string): Checkpoint {
    const data = JSON.parse(readFileSync(join(logsRoot, CHECKPOINT_FILE), 'utf8')) as Partial<Checkpoint>;
    if (typeof data.current_node !== 'string' || !Array.isArray(data.completed_nodes)) {
        throw new Error(`${join(logsRoot, CHECKPOINT_FILE)} is not a checkpoint (no current_node or completed_nodes)`);
    }
    return {
        timestamp: data.timestamp ?? '',
        current_node: data.current_node,
        completed_nodes: data.completed_nodes,
        node_retries: data.node_retries ?? {},
        node_visits: data.node_visits ?? {},
        node_outcomes: data.node_outcomes ?? {},
        usage: data.usage ?? { total_tokens: 0, cost: 0 },
        context: data.context ?? {},
        logs: data.logs ?? []
    };
}

export function writeManifest(logsRoot: string, manifest: Manifest): void {
    writeFileAtomic(join(logsRoot, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
}

/** The directory a node writes its files to (created if missing). */
export function stageDirectory(logsRoot: string, nodeId: string): string {
    const directory = join(logsRoot, nodeId);
    mkdirSync(directory, { recursive: true });
    return directory;
}

/** Removes `{stageDir}/status.json` if there is one. */
export function removeStatus(stageDir: string): void {
    const path = join(stageDir, STATUS_FILE);
    if (existsSync(path)) {
        rmSync(path);
    }
}

/** Written in place: the engine reads a stage's status.json only during that stage's own attempts. */
export function writeStatus(stageDir: string, outcome: Outcome): void {
    writeFileSync(join(stageDir, STATUS_FILE), JSON.stringify(toStatusFile(outcome), null, 2));
}

/** The outcome in `{stageDir}/status.json`, or undefined when there is none. Throws StatusFileError when malformed. */
export function readStatus(stageDir: string): Outcome | undefined {
    const path = join(stageDir, STATUS_FILE);
    if (!existsSync(path)) {
        return undefined;
    }
    let json: unknown;
    try {
        json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
        throw new StatusFileError((e as Error).message);
    }
    return fromStatusFile(json);
}

/** A sortable run id: UTC timestamp to the millisecond, then a random suffix (`20260317T101500123Z-3fa9c1`). */
export function newRunId(now: Date = new Date()): string {
    return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}
