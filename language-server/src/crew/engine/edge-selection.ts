/** Choosing the next edge after a node (§3.3, revision 2026-03-17: no fallback to a false-condition edge). */
import { evaluateCondition } from './conditions.js';
import type { Context } from './context.js';
import type { Outcome } from './outcome.js';
import { outgoingEdges, type PipelineEdge, type PipelineGraph } from './pipeline-graph.js';

const ACCELERATOR_PREFIX = /^(?:\[\w\]\s+|\w\)\s+|\w\s+-\s+)/;

/** Lowercased, trimmed, without an accelerator prefix such as `[Y] `, `Y) ` or `Y - `. */
export function normalizeLabel(label: string): string {
    return label.trim().replace(ACCELERATOR_PREFIX, '').trim().toLowerCase();
}

/** Highest weight, then the lexicographically smallest target id. */
function bestByWeightThenTarget(edges: readonly PipelineEdge[]): PipelineEdge {
    return edges.reduce((best, edge) =>
        edge.weight > best.weight || (edge.weight === best.weight && edge.to < best.to) ? edge : best);
}

/** Among edges whose condition is set and true for this outcome, the best one (§3.3 step 1). */
export function selectConditionalEdge(edges: readonly PipelineEdge[], outcome: Outcome, context: Context): PipelineEdge | undefined {
    const matched = edges.filter(e => e.condition !== '' && evaluateCondition(e.condition, outcome, context));
    return matched.length > 0 ? bestByWeightThenTarget(matched) : undefined;
}

/**
 * The five steps of §3.3: a true condition; else the preferred label, the suggested ids, then the
 * highest weight and lexical target order, all among unconditional edges. Undefined when none qualifies.
 */
export function selectEdge(nodeId: string, outcome: Outcome, context: Context, graph: PipelineGraph): PipelineEdge | undefined {
    const edges = outgoingEdges(graph, nodeId);
    const byCondition = selectConditionalEdge(edges, outcome, context);
    if (byCondition) {
        return byCondition;
    }
    const unconditional = edges.filter(e => e.condition === '');
    if (outcome.preferred_label) {
        const wanted = normalizeLabel(outcome.preferred_label);
        const byLabel = unconditional.find(e => normalizeLabel(e.label) === wanted);
        if (byLabel) {
            return byLabel;
        }
    }
    for (const id of outcome.suggested_next_ids ?? []) {
        const byId = unconditional.find(e => e.to === id);
        if (byId) {
            return byId;
        }
    }
    return unconditional.length > 0 ? bestByWeightThenTarget(unconditional) : undefined;
}
