/** Where the run goes after a node (§3.3, §3.7) and the goal-gate check at the exit (§3.4). */
import type { Context } from './context.js';
import { selectConditionalEdge, selectEdge } from './edge-selection.js';
import { isSuccess, type Outcome } from './outcome.js';
import { outgoingEdges, type PipelineEdge, type PipelineGraph, type PipelineNode } from './pipeline-graph.js';

/** The next node (and the edge taken to it, if any), or the outcome that ends the run. */
export type Step = { readonly next: string; readonly edge?: PipelineEdge } | { readonly end: Outcome };

export const COMPLETED: Outcome = { status: 'success', notes: 'Pipeline completed' };

function firstExistingNode(graph: PipelineGraph, ...ids: string[]): string | undefined {
    return ids.find(id => id !== '' && graph.nodes.has(id));
}

/**
 * After a FAIL (A.3 #12, §3.7): a condition that matches it, else the node's retry_target, else its
 * fallback_retry_target, else the run ends with the failure; an unconditional edge is never taken.
 * After anything else: the edge selection of §3.3; no edge ends the run as a failure (the runner
 * says which node had none). A parallel node continues at the fan-in node its outcome names, since
 * its edges are the branches it ran.
 */
export function nextStep(graph: PipelineGraph, node: PipelineNode, outcome: Outcome, context: Context, handlerType: string): Step {
    if (outcome.status === 'fail') {
        const edge = selectConditionalEdge(outgoingEdges(graph, node.id), outcome, context);
        if (edge) {
            return { next: edge.to, edge };
        }
        const target = firstExistingNode(graph, node.retry_target, node.fallback_retry_target);
        return target ? { next: target } : { end: outcome };
    }
    const fanIn = handlerType === 'parallel' ? outcome.suggested_next_ids?.[0] : undefined;
    if (fanIn !== undefined && graph.nodes.has(fanIn)) {
        return { next: fanIn };
    }
    const edge = selectEdge(node.id, outcome, context, graph);
    return edge ? { next: edge.to, edge } : { end: COMPLETED };
}

/**
 * At the exit node: undefined when every visited goal gate's latest outcome is a success (unvisited
 * gates do not count, A.3 #13; nor do SKIPPED outcomes); else where to jump — the gate's
 * retry_target, its fallback, the graph's retry_target, the graph's fallback — or the failure.
 */
export function goalGateStep(graph: PipelineGraph, outcomes: Readonly<Record<string, Outcome>>): Step | undefined {
    const gate = Object.entries(outcomes)
        .map(([id, outcome]) => ({ node: graph.nodes.get(id), outcome }))
        .find(({ node, outcome }) => node?.goal_gate && outcome.status !== 'skipped' && !isSuccess(outcome.status));
    if (!gate) {
        return undefined;
    }
    const { node, outcome } = gate;
    const target = firstExistingNode(graph, node!.retry_target, node!.fallback_retry_target, graph.retry_target, graph.fallback_retry_target);
    return target
        ? { next: target }
        : { end: { status: 'fail', failure_reason: `goal gate ${node!.id} is unsatisfied (${outcome.status}) and no retry target is set` } };
}
