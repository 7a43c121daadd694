/**
 * Fan-in (§4.9): picks the best branch result by status (success, partial_success, retry, fail),
 * then higher score, then branch id. The parallel node has already waited for every branch.
 * Ranking with an LLM when the node has a prompt is not built in: register your own
 * `parallel.fan_in` handler for that.
 */
import type { StageStatus } from '../outcome.js';
import type { NodeHandler } from './handler.js';
import type { ParallelResult } from './parallel.js';

const RANK: Record<StageStatus, number> = { success: 0, partial_success: 1, retry: 2, fail: 3, skipped: 4 };

function bestResult(results: readonly ParallelResult[]): ParallelResult {
    return [...results].sort((a, b) => RANK[a.status] - RANK[b.status] || b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

export const fanInHandler: NodeHandler = async (_node, context) => {
    const results = context.get('parallel.results');
    if (!Array.isArray(results) || results.length === 0) {
        return { status: 'fail', failure_reason: 'No parallel results to evaluate' };
    }
    const candidates = results as ParallelResult[];
    if (candidates.every(r => r.status === 'fail')) {
        return { status: 'fail', failure_reason: 'every parallel branch failed' };
    }
    const best = bestResult(candidates);
    return {
        status: 'success',
        context_updates: { 'parallel.fan_in.best_id': best.id, 'parallel.fan_in.best_outcome': best.status },
        notes: `Selected best candidate: ${best.id}`
    };
};
