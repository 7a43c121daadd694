/** The handler contract (§4.1) and what the engine offers handlers that need more than one node. */
import type { ArtifactStore } from '../artifacts.js';
import type { Context } from '../context.js';
import type { PipelineEvent } from '../events.js';
import type { Outcome } from '../outcome.js';
import type { StageSession } from '../fidelity.js';
import type { PipelineGraph, PipelineNode } from '../pipeline-graph.js';
import type { RunUsage } from '../run-budget.js';

export interface BranchResult {
    /** The last node the branch ran; '' when it ran none (its first node was the stop node). */
    readonly last_node: string;
    readonly outcome: Outcome;
    readonly completed_nodes: readonly string[];
    /** The branch's context when it stopped. */
    readonly context: Context;
}

export interface EngineServices {
    emit(event: PipelineEvent): void;
    /**
     * Runs nodes from `startId` on `context` with the engine's retry, timeout and routing rules, until the
     * next node would be `stopAt`, an exit node, or there is no next node (used by the parallel handler).
     */
    runBranch(startId: string, stopAt: string, context: Context, signal: AbortSignal): Promise<BranchResult>;
    /** What an LLM stage gets of the run (§5.4): its fidelity, under `full` its thread, and the run so far. */
    stageSession(node: PipelineNode, context: Context): StageSession;
    /** Counts a model reply's tokens and cost against the run's budget; going over it stops the run. */
    recordUsage(usage: RunUsage): void;
    /** Large stage outputs (§5.5), file-backed in the run directory. */
    readonly artifacts: ArtifactStore;
}

/**
 * Runs one node. `signal` aborts when the run is cancelled or the node's timeout expires; a handler
 * that starts work (a process, a request) should stop it then. Returning undefined means the handler
 * wrote no status: the engine reads `{logsRoot}/{node.id}/status.json`, else applies `auto_status`.
 * A thrown error becomes FAIL (or a retry, for retryable errors).
 */
export type NodeHandler = (
    node: PipelineNode,
    context: Context,
    graph: PipelineGraph,
    logsRoot: string,
    signal: AbortSignal,
    engine: EngineServices
) => Promise<Outcome | undefined>;
