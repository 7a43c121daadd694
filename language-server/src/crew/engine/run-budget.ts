/**
 * A run's budgets: tokens and cost over its LLM stages (counted across resumes, in the checkpoint)
 * and wall time (per invocation). Written on the graph (`max_tokens`, `max_cost`, `max_wall_time`) or
 * given by the caller, whose values win. Going over one stops the run as a FAIL that names the budget;
 * the checkpoint is the last completed node's, so the run resumes with a larger budget.
 */
import { parseDuration, parseFloatValue, parseInteger } from './attributes.js';
import type { PipelineGraph } from './pipeline-graph.js';

export interface RunLimits {
    readonly max_tokens?: number;
    /** USD, as the model's provider prices it. */
    readonly max_cost?: number;
    readonly max_wall_time_ms?: number;
}

/** What the run's LLM stages have used so far. */
export interface RunUsage {
    readonly total_tokens: number;
    readonly cost: number;
}

export const NO_USAGE: RunUsage = { total_tokens: 0, cost: 0 };

/** The graph's budgets with `overrides` laid over them. */
export function runLimits(graph: PipelineGraph, overrides: RunLimits = {}): RunLimits {
    const { max_tokens, max_cost, max_wall_time } = graph.attrs;
    const written: RunLimits = {
        ...(max_tokens !== undefined && { max_tokens: parseInteger('max_tokens', max_tokens) }),
        ...(max_cost !== undefined && { max_cost: parseFloatValue('max_cost', max_cost) }),
        ...(max_wall_time !== undefined && { max_wall_time_ms: parseDuration('max_wall_time', max_wall_time) })
    };
    const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    return { ...written, ...given };
}

function formatDuration(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Counts usage against the limits and calls `exceeded` once, with the reason, when one is passed. */
export class RunBudget {
    private used: RunUsage;
    private timer: ReturnType<typeof setTimeout> | undefined;
    private reason: string | undefined;

    constructor(private readonly limits: RunLimits, used: RunUsage, private readonly exceeded: (reason: string) => void) {
        this.used = used;
    }

    get usage(): RunUsage {
        return this.used;
    }

    /** Why the run was stopped, once a budget was exceeded. */
    get exceededReason(): string | undefined {
        return this.reason;
    }

    add(usage: RunUsage): void {
        this.used = { total_tokens: this.used.total_tokens + usage.total_tokens, cost: this.used.cost + usage.cost };
        const { max_tokens, max_cost } = this.limits;
        if (max_tokens !== undefined && this.used.total_tokens > max_tokens) {
            this.stop(`token budget exceeded: ${this.used.total_tokens} tokens used, max_tokens ${max_tokens}`);
        } else if (max_cost !== undefined && this.used.cost > max_cost) {
            this.stop(`cost budget exceeded: $${this.used.cost.toFixed(4)} spent, max_cost ${max_cost}`);
        }
    }

    startClock(): void {
        const limit = this.limits.max_wall_time_ms;
        if (limit !== undefined) {
            this.timer = setTimeout(() => this.stop(`wall-time budget exceeded: the run took longer than max_wall_time ${formatDuration(limit)}`), limit);
        }
    }

    stopClock(): void {
        clearTimeout(this.timer);
    }

    private stop(reason: string): void {
        if (this.reason === undefined) {
            this.reason = reason;
            this.exceeded(reason);
        }
    }
}
