/**
 * The run context (§5.1): a key-value store every handler of a run shares, plus an append-only log.
 * JavaScript runs one handler step at a time, so no lock is needed; parallel branches get clones.
 */
export class Context {
    private readonly values: Map<string, unknown>;
    private readonly logs: string[];

    constructor(values: Readonly<Record<string, unknown>> = {}, logs: readonly string[] = []) {
        this.values = new Map(Object.entries(structuredClone(values)));
        this.logs = [...logs];
    }

    set(key: string, value: unknown): void {
        this.values.set(key, value);
    }

    get(key: string): unknown {
        return this.values.get(key);
    }

    /** The value as a string; `fallback` ('' by default) when the key is missing. */
    getString(key: string, fallback = ''): string {
        const value = this.values.get(key);
        return value === undefined || value === null ? fallback : stringValue(value);
    }

    applyUpdates(updates: Readonly<Record<string, unknown>>): void {
        for (const [key, value] of Object.entries(updates)) {
            this.values.set(key, value);
        }
    }

    appendLog(entry: string): void {
        this.logs.push(entry);
    }

    logEntries(): readonly string[] {
        return this.logs;
    }

    /** A deep, serialisable copy of all values. */
    snapshot(): Record<string, unknown> {
        return structuredClone(Object.fromEntries(this.values));
    }

    /** An independent deep copy, for a parallel branch. */
    clone(): Context {
        return new Context(Object.fromEntries(this.values), this.logs);
    }
}

/** How a context value reads as text: strings as they are, other values as JSON. */
export function stringValue(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(value);
}
