/**
 * Retry policy (§3.5, §3.6) and error categories (Appendix D). Backoff is configured in code, not in
 * DOT (A.3 #10): the runner takes a BackoffConfig, and RETRY_PRESETS holds the §3.6 presets.
 */
import type { PipelineGraph, PipelineNode } from './pipeline-graph.js';

export interface BackoffConfig {
    readonly initial_delay_ms: number;
    readonly backoff_factor: number;
    readonly max_delay_ms: number;
    readonly jitter: boolean;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initial_delay_ms: 200, backoff_factor: 2, max_delay_ms: 60_000, jitter: true };

export interface RetryPreset {
    readonly max_attempts: number;
    readonly backoff: BackoffConfig;
}

export const RETRY_PRESETS: Readonly<Record<'none' | 'standard' | 'aggressive' | 'linear' | 'patient', RetryPreset>> = {
    none: { max_attempts: 1, backoff: DEFAULT_BACKOFF },
    standard: { max_attempts: 5, backoff: { ...DEFAULT_BACKOFF, initial_delay_ms: 200, backoff_factor: 2 } },
    aggressive: { max_attempts: 5, backoff: { ...DEFAULT_BACKOFF, initial_delay_ms: 500, backoff_factor: 2 } },
    linear: { max_attempts: 3, backoff: { ...DEFAULT_BACKOFF, initial_delay_ms: 500, backoff_factor: 1 } },
    patient: { max_attempts: 3, backoff: { ...DEFAULT_BACKOFF, initial_delay_ms: 2000, backoff_factor: 3 } }
};

/** The delay before retry `attempt` (1-based), capped, and with jitter scaled by random() ∈ [0, 1). */
export function delayForAttempt(attempt: number, config: BackoffConfig, random: () => number = Math.random): number {
    const delay = Math.min(config.initial_delay_ms * config.backoff_factor ** (attempt - 1), config.max_delay_ms);
    return config.jitter ? delay * (0.5 + random()) : delay;
}

/** Executions allowed per visit: the node's max_retries, else the graph's default_max_retries, plus one. */
export function maxAttempts(node: PipelineNode, graph: PipelineGraph): number {
    return Math.max(0, node.max_retries ?? graph.default_max_retries) + 1;
}

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The default should_retry predicate (§3.6, Appendix D): true for rate limits (429), server errors
 * (5xx), request timeouts (408), network failures and errors flagged `retryable: true`; false for
 * everything else, including 400/401/403 and programming errors, which a retry would not fix.
 */
export function isRetryableError(error: unknown): boolean {
    if (typeof error !== 'object' || error === null) {
        return false;
    }
    const fields = error as { retryable?: unknown; status?: unknown; statusCode?: unknown; code?: unknown; cause?: unknown };
    if (typeof fields.retryable === 'boolean') {
        return fields.retryable;
    }
    const status = typeof fields.status === 'number' ? fields.status : fields.statusCode;
    if (typeof status === 'number') {
        return status === 408 || status === 429 || status >= 500;
    }
    if (typeof fields.code === 'string' && TRANSIENT_NETWORK_CODES.has(fields.code)) {
        return true;
    }
    return fields.cause !== undefined && fields.cause !== error && isRetryableError(fields.cause);
}
