/**
 * Context fidelity (§5.4): how much of the run so far an LLM stage is told, and under `full` which
 * LLM session (thread) it continues. The engine resolves both when it enters a node; the codergen
 * handler hands them to its backend, which keeps one conversation per thread key.
 */
import type { Outcome } from './outcome.js';
import { FIDELITY_MODES } from './attributes.js';
import type { PipelineEdge, PipelineGraph, PipelineNode } from './pipeline-graph.js';

export type Fidelity = 'full' | 'truncate' | 'compact' | 'summary:low' | 'summary:medium' | 'summary:high';

/** The mode when neither the edge, the node nor the graph sets one. */
export const DEFAULT_FIDELITY: Fidelity = 'compact';

/** What a resumed run's first node gets when the node before the checkpoint ran under `full` (§5.3 step 6). */
export const RESUME_FIDELITY: Fidelity = 'summary:high';

/** How the engine entered a node: the edge it took and the node it came from (none for the start). */
export interface Arrival {
    readonly edge?: PipelineEdge;
    readonly previous?: string;
}

/** What an LLM stage gets of the run. */
export interface StageSession {
    readonly fidelity: Fidelity;
    /** Under `full` only: stages with the same key continue one LLM session. */
    readonly thread_key?: string;
    /** The run so far as the fidelity mode tells it; '' under `full`, whose session holds it. */
    readonly carried: string;
}

/** The run so far, as the engine knows it when a stage starts. */
export interface RunHistory {
    readonly goal: string;
    readonly run_id: string;
    readonly completed_nodes: readonly string[];
    readonly node_outcomes: Readonly<Record<string, Outcome>>;
    readonly context: Readonly<Record<string, unknown>>;
    readonly logs: readonly string[];
}

function isFidelity(value: string | undefined): value is Fidelity {
    return value !== undefined && FIDELITY_MODES.includes(value);
}

/**
 * Edge `fidelity`, then the node's, then the graph's `default_fidelity`, then `compact` (§5.4). A value
 * that is not a mode (`fidelity_valid` warns about it) is skipped, as if it were not written.
 */
export function resolveFidelity(node: PipelineNode, arrival: Arrival, graph: PipelineGraph): Fidelity {
    return [arrival.edge?.attrs.fidelity, node.attrs.fidelity, graph.attrs.default_fidelity].find(isFidelity) ?? DEFAULT_FIDELITY;
}

/**
 * The thread of a `full` stage (§5.4): the node's `thread_id`, the incoming edge's, the graph's
 * `default_thread_id`, the class of the innermost labelled subgraph around the node, then the node
 * it came from (the start node has none, so its own id).
 */
export function resolveThreadKey(node: PipelineNode, arrival: Arrival, graph: PipelineGraph): string {
    return [node.attrs.thread_id, arrival.edge?.attrs.thread_id, graph.attrs.default_thread_id, node.subgraph_class, arrival.previous]
        .find(key => key !== undefined && key.trim() !== '')?.trim() ?? node.id;
}

/** Roughly four characters per token: the §5.4 budgets of the summary modes as characters. */
const SUMMARY_CHARACTERS: Readonly<Record<string, number>> = { 'summary:low': 2_400, 'summary:medium': 6_000, 'summary:high': 12_000 };
/** How much of the history each summary mode recounts: stages, context values, log lines. */
const SUMMARY_DEPTH: Readonly<Record<string, { stages: number; values: number; logs: number }>> = {
    'summary:low': { stages: 3, values: 0, logs: 0 },
    'summary:medium': { stages: 10, values: 20, logs: 5 },
    'summary:high': { stages: 40, values: 100, logs: 30 }
};
const VALUE_CHARACTERS = 200;

/** Context values worth telling a model: the run's own, short, not the engine's bookkeeping. */
function keyValues(context: Readonly<Record<string, unknown>>): [string, string][] {
    return Object.entries(context)
        .filter(([key]) => !key.startsWith('internal.') && !key.startsWith('graph.') && key !== 'current_node')
        .map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)])
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, value.length > VALUE_CHARACTERS ? `${value.slice(0, VALUE_CHARACTERS)}…` : value]);
}

function stageLine(node: string, outcome: Outcome | undefined): string {
    if (!outcome) {
        return `- ${node}`;
    }
    const detail = outcome.failure_reason ?? outcome.notes;
    return `- ${node}: ${outcome.status}${detail ? ` (${detail})` : ''}`;
}

/** The first of `lines` that fit in `characters`, and `…` when some did not. */
function within(lines: readonly string[], characters: number): string[] {
    const kept: string[] = [];
    let used = 0;
    for (const line of lines) {
        used += line.length + 1;
        if (used > characters) {
            return [...kept, '…'];
        }
        kept.push(line);
    }
    return kept;
}

/** The run so far, told as `fidelity` says (§5.4's table); '' for `full`. */
export function carriedContext(fidelity: Fidelity, history: RunHistory): string {
    if (fidelity === 'full') {
        return '';
    }
    const header = [`Goal: ${history.goal || '(none)'}`, `Run: ${history.run_id}`];
    if (fidelity === 'truncate') {
        return header.join('\n');
    }
    const values = keyValues(history.context);
    if (fidelity === 'compact') {
        return [
            ...header,
            'Completed stages:',
            ...(history.completed_nodes.length ? history.completed_nodes.map(node => stageLine(node, history.node_outcomes[node])) : ['- none yet']),
            ...(values.length ? ['Context:', ...values.map(([key, value]) => `- ${key} = ${value}`)] : [])
        ].join('\n');
    }
    const depth = SUMMARY_DEPTH[fidelity];
    const limit = SUMMARY_CHARACTERS[fidelity];
    const failed = history.completed_nodes.filter(node => history.node_outcomes[node]?.status === 'fail').length;
    const recent = history.completed_nodes.slice(-depth.stages);
    // Each part gets its share of the mode's budget, so long stage notes cannot crowd out the rest.
    return [
        ...header,
        `So far ${history.completed_nodes.length} stages ran (${failed} failed)${recent.length ? `; the last ${recent.length === 1 ? 'one' : recent.length}:` : '.'}`,
        ...within(recent.map(node => stageLine(node, history.node_outcomes[node])), limit * 0.5),
        ...(depth.values && values.length ? ['Context:', ...within(values.slice(0, depth.values).map(([key, value]) => `- ${key} = ${value}`), limit * 0.3)] : []),
        ...(depth.logs && history.logs.length ? ['Recent log:', ...within(history.logs.slice(-depth.logs).map(line => `- ${line}`), limit * 0.2)] : [])
    ].join('\n');
}
