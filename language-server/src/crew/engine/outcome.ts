/** The result of running a node (§5.2) and its status-file form (Appendix C). */

export type StageStatus = 'success' | 'partial_success' | 'retry' | 'fail' | 'skipped';

const STATUSES: readonly string[] = ['success', 'partial_success', 'retry', 'fail', 'skipped'];

/** Field names are the status.json keys, so an Outcome serialises as its own status file. */
export interface Outcome {
    readonly status: StageStatus;
    readonly preferred_label?: string;
    readonly suggested_next_ids?: readonly string[];
    readonly context_updates?: Readonly<Record<string, unknown>>;
    readonly notes?: string;
    readonly failure_reason?: string;
}

export function isSuccess(status: StageStatus): boolean {
    return status === 'success' || status === 'partial_success';
}

export function fail(failure_reason: string): Outcome {
    return { status: 'fail', failure_reason };
}

/** The status.json object (Appendix C): `outcome` holds the status. */
export function toStatusFile(outcome: Outcome): Record<string, unknown> {
    const { status, ...rest } = outcome;
    return { outcome: status, ...rest };
}

export class StatusFileError extends Error {
    constructor(message: string) {
        super(`invalid status.json: ${message}`);
        this.name = 'StatusFileError';
    }
}

/** Reads a status.json object written by a handler, tool or agent; throws StatusFileError when malformed. */
export function fromStatusFile(json: unknown): Outcome {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new StatusFileError('expected a JSON object');
    }
    const file = json as Record<string, unknown>;
    if (typeof file.outcome !== 'string' || !STATUSES.includes(file.outcome)) {
        throw new StatusFileError(`"outcome" must be one of ${STATUSES.join(', ')}`);
    }
    const outcome: { -readonly [K in keyof Outcome]: Outcome[K] } = { status: file.outcome as StageStatus };
    for (const key of ['preferred_label', 'notes', 'failure_reason'] as const) {
        if (file[key] !== undefined) {
            if (typeof file[key] !== 'string') {
                throw new StatusFileError(`"${key}" must be a string`);
            }
            outcome[key] = file[key];
        }
    }
    if (file.suggested_next_ids !== undefined) {
        if (!Array.isArray(file.suggested_next_ids) || file.suggested_next_ids.some(id => typeof id !== 'string')) {
            throw new StatusFileError('"suggested_next_ids" must be a list of strings');
        }
        outcome.suggested_next_ids = file.suggested_next_ids as string[];
    }
    if (file.context_updates !== undefined) {
        if (typeof file.context_updates !== 'object' || file.context_updates === null || Array.isArray(file.context_updates)) {
            throw new StatusFileError('"context_updates" must be an object');
        }
        outcome.context_updates = file.context_updates as Record<string, unknown>;
    }
    return outcome;
}
