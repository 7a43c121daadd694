/**
 * Parallel fan-out (§4.8). Every outgoing edge starts a branch; branches run on clones of the context,
 * at most `max_parallel` (default 4) at a time, until they reach the fan-in node, which is the first
 * `parallel.fan_in` node found breadth-first from the branches. Branch context changes stay in the
 * branch; the results go to `parallel.results` for the fan-in. The outcome names the fan-in node in
 * `suggested_next_ids`, and the engine continues there.
 */
import { declaredHandlerType, outgoingEdges, parseInteger, type PipelineGraph, type PipelineNode } from '../pipeline-graph.js';
import type { StageStatus } from '../outcome.js';
import type { BranchResult, NodeHandler } from './handler.js';

/** One entry of `parallel.results`. `score` is the branch context's numeric `score`, else 0. */
export interface ParallelResult {
    readonly id: string;
    readonly last_node: string;
    readonly status: StageStatus;
    readonly score: number;
    readonly notes?: string;
    readonly failure_reason?: string;
}

const DEFAULT_MAX_PARALLEL = 4;

function findFanIn(graph: PipelineGraph, node: PipelineNode): string | undefined {
    const seen = new Set([node.id]);
    const queue = outgoingEdges(graph, node.id).map(e => e.to);
    while (queue.length > 0) {
        const id = queue.shift()!;
        if (seen.has(id)) {
            continue;
        }
        seen.add(id);
        const candidate = graph.nodes.get(id);
        if (candidate && declaredHandlerType(candidate) === 'parallel.fan_in') {
            return id;
        }
        queue.push(...outgoingEdges(graph, id).map(e => e.to));
    }
    return undefined;
}

/** Runs `tasks` with at most `limit` in flight; results keep the tasks' order. */
async function runBounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const index = next++;
            results[index] = await tasks[index]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

function toResult(id: string, branch: BranchResult): ParallelResult {
    const score = branch.context.get('score');
    return {
        id,
        last_node: branch.last_node,
        status: branch.outcome.status,
        score: typeof score === 'number' && Number.isFinite(score) ? score : 0,
        ...(branch.outcome.notes !== undefined && { notes: branch.outcome.notes }),
        ...(branch.outcome.failure_reason !== undefined && { failure_reason: branch.outcome.failure_reason })
    };
}

export const parallelHandler: NodeHandler = async (node, context, graph, _logsRoot, signal, engine) => {
    const fanIn = findFanIn(graph, node);
    if (!fanIn) {
        return { status: 'fail', failure_reason: `parallel node ${node.id} has no fan-in (tripleoctagon) node after its branches` };
    }
    const joinPolicy = node.attrs.join_policy ?? 'wait_all';
    if (joinPolicy !== 'wait_all' && joinPolicy !== 'first_success') {
        return { status: 'fail', failure_reason: `unknown join_policy "${joinPolicy}" (wait_all or first_success)` };
    }
    const maxParallel = node.attrs.max_parallel === undefined ? DEFAULT_MAX_PARALLEL : parseInteger('max_parallel', node.attrs.max_parallel);
    const branches = outgoingEdges(graph, node.id);
    const started = performance.now();
    engine.emit({ kind: 'ParallelStarted', node_id: node.id, branch_count: branches.length });
    const results = await runBounded(branches.map((edge, index) => async () => {
        const branchStarted = performance.now();
        engine.emit({ kind: 'ParallelBranchStarted', branch: edge.to, index });
        const branch = await engine.runBranch(edge.to, fanIn, context.clone(), signal);
        const result = toResult(edge.to, branch);
        engine.emit({
            kind: 'ParallelBranchCompleted', branch: edge.to, index,
            duration_ms: performance.now() - branchStarted, success: result.status === 'success' || result.status === 'partial_success'
        });
        return result;
    }), Math.max(1, maxParallel));
    const successCount = results.filter(r => r.status === 'success').length;
    const failCount = results.filter(r => r.status === 'fail').length;
    engine.emit({ kind: 'ParallelCompleted', node_id: node.id, duration_ms: performance.now() - started, success_count: successCount, failure_count: failCount });
    const status: StageStatus = joinPolicy === 'wait_all'
        ? (failCount === 0 ? 'success' : 'partial_success')
        : (successCount > 0 ? 'success' : 'fail');
    return {
        status,
        suggested_next_ids: [fanIn],
        context_updates: { 'parallel.results': results },
        notes: `${results.length} branches: ${successCount} succeeded, ${failCount} failed`,
        ...(status === 'fail' && { failure_reason: 'no parallel branch succeeded' })
    };
};
