/**
 * The execution engine (§3): transform and validate, then walk the graph from the start node —
 * run the node's handler under its retry policy and timeout, merge its outcome into the context,
 * checkpoint, choose the next edge — until the exit node, where goal gates are checked (§3.4).
 *
 * Readings of the spec's contradictions (A.3; see docs/crew.md; routing ones are in routing.ts):
 * - A FAIL outcome is not retried; RETRY outcomes and retryable errors are (#3).
 * - The exit node runs its (no-op) handler, joins completed_nodes and gets a final checkpoint (#4).
 * - No silent success: when no edge can be selected after a non-exit node, the run ends (§3.2 step 6)
 *   but as a FAIL naming the node, not with §3.2's "Pipeline completed" — only the exit completes a run.
 * - `max_visits` (this engine's attribute): entering a node once more than it allows ends the run as
 *   a FAIL naming the node and the limit. Visits are counted in the checkpoint (`node_visits`).
 * - Budgets (this engine's; run-budget.ts): going over the run's token, cost or wall-time budget stops
 *   the node in flight and ends the run as a FAIL naming the budget, resumable from the checkpoint.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { ArtifactStore } from './artifacts.js';
import { NodeTimeoutError, RunCancelled, runAttempt, settleOutcome } from './attempt.js';
import { loadCheckpoint, removeStatus, saveCheckpoint, stageDirectory, writeManifest, writeStatus, type Checkpoint } from './checkpoint.js';
import { Context } from './context.js';
import type { EventListener, PipelineEvent } from './events.js';
import { carriedContext, DEFAULT_FIDELITY, resolveFidelity, resolveThreadKey, RESUME_FIDELITY, type Arrival, type Fidelity, type StageSession } from './fidelity.js';
import type { BranchResult, EngineServices } from './handlers/handler.js';
import { createDefaultRegistry, type HandlerRegistry } from './handlers/registry.js';
import { ValidationError, type LintRule } from './lint.js';
import { fail, isSuccess, type Outcome } from './outcome.js';
import { findStartNode, isExitNode, type PipelineGraph, type PipelineNode } from './pipeline-graph.js';
import { DEFAULT_BACKOFF, delayForAttempt, isRetryableError, maxAttempts, type BackoffConfig } from './retry.js';
import { COMPLETED, goalGateStep, nextStep, type Step } from './routing.js';
import { NO_USAGE, RunBudget, runLimits, type RunLimits, type RunUsage } from './run-budget.js';
import { preparePipeline, type Transform } from './transforms.js';

export interface RunOptions {
    /** The run directory: checkpoint.json, manifest.json and one directory per node go here. */
    readonly logsRoot: string;
    /** Defaults to createDefaultRegistry() (simulated codergen, no interviewer). */
    readonly registry?: HandlerRegistry;
    /**
     * The initial context; graph attributes are mirrored into it as `graph.*`. On resume, laid over
     * the checkpoint's context (its keys win).
     */
    readonly context?: Context;
    /** Custom transforms, run after the built-in ones. */
    readonly transforms?: readonly Transform[];
    /** Custom lint rules, run after the built-in ones. */
    readonly extraRules?: readonly LintRule[];
    readonly onEvent?: EventListener;
    /** Aborting it cancels the run: the running handler sees it, and the run ends "cancelled". */
    readonly signal?: AbortSignal;
    readonly backoff?: BackoffConfig;
    /** Which thrown errors are retried; defaults to isRetryableError. */
    readonly shouldRetry?: (error: unknown) => boolean;
    /** Waits between retries; injectable so tests need not wait. */
    readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    /** Jitter source in [0, 1). */
    readonly random?: () => number;
    /** Defaults to the last segment of logsRoot. */
    readonly runId?: string;
    /** Budgets; each one given replaces the graph's own (`max_tokens`, `max_cost`, `max_wall_time`). */
    readonly limits?: RunLimits;
}

/** What a run returns (A.3 #5): more than an Outcome, so callers see the path taken and the final state. */
export interface PipelineRunResult {
    readonly status: 'success' | 'fail' | 'cancelled';
    /** The outcome that ended the run. */
    readonly outcome: Outcome;
    readonly completed_nodes: readonly string[];
    readonly node_outcomes: Readonly<Record<string, Outcome>>;
    readonly context: Readonly<Record<string, unknown>>;
    readonly failure_reason?: string;
    /** True when the run stopped because it went over a budget (failure_reason says which). */
    readonly budget_exceeded?: boolean;
    /** Tokens and cost of the run's LLM stages, earlier resumed parts included. */
    readonly usage: RunUsage;
    /** The directory the run ended in (a loop_restart moves to `{logsRoot}/restart-N`). */
    readonly logs_root: string;
}

const defaultSleep = (ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal });

function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

class Run implements EngineServices {
    readonly artifacts: ArtifactStore;
    private readonly signal: AbortSignal;
    private readonly budget: RunBudget;
    private readonly runId: string;
    private readonly started = performance.now();
    private logsRoot: string;
    private context: Context;
    private completed: string[] = [];
    private outcomes: Record<string, Outcome> = {};
    private retries: Record<string, number> = {};
    private visits: Record<string, number> = {};
    private stageIndex = 0;
    private restarts = 0;
    /** The node the run completed last, where the next node is entered from. */
    private previous: string | undefined;
    /** Set on resume after a `full` node: the next node runs with RESUME_FIDELITY (§5.3 step 6). */
    private degradeNext = false;

    constructor(
        private readonly graph: PipelineGraph,
        private readonly registry: HandlerRegistry,
        private readonly options: RunOptions,
        context: Context
    ) {
        this.runId = options.runId ?? basename(options.logsRoot);
        const overBudget = new AbortController();
        this.budget = new RunBudget(runLimits(graph, options.limits), NO_USAGE, reason => overBudget.abort(new Error(reason)));
        this.signal = options.signal ? AbortSignal.any([options.signal, overBudget.signal]) : overBudget.signal;
        this.artifacts = new ArtifactStore(options.logsRoot);
        this.logsRoot = options.logsRoot;
        this.context = context;
    }

    emit(event: PipelineEvent): void {
        try {
            this.options.onEvent?.(event);
        } catch {
            // A faulty observer must not change the run.
        }
    }

    restore(checkpoint: Checkpoint): void {
        this.completed = [...checkpoint.completed_nodes];
        this.outcomes = { ...checkpoint.node_outcomes };
        this.retries = { ...checkpoint.node_retries };
        this.visits = { ...checkpoint.node_visits };
        this.previous = checkpoint.current_node || undefined;
        this.degradeNext = checkpoint.context['internal.fidelity'] === 'full';
        this.budget.add(checkpoint.usage ?? NO_USAGE);
    }

    /** INITIALIZE (§3.1): manifest, graph attributes in the context, an initial checkpoint. */
    initialize(): void {
        mkdirSync(this.logsRoot, { recursive: true });
        writeManifest(this.logsRoot, {
            name: this.graph.id,
            goal: this.graph.goal,
            label: this.graph.label,
            run_id: this.runId,
            started_at: new Date().toISOString()
        });
        for (const [key, value] of Object.entries(this.graph.attrs)) {
            this.context.set(`graph.${key}`, value);
        }
        this.context.set('graph.goal', this.graph.goal);
        this.checkpoint('');
    }

    /** Where a resumed run goes after the checkpoint's current_node. */
    stepAfterCheckpoint(checkpoint: Checkpoint): Step {
        if (checkpoint.current_node === '') {
            return { next: this.startNode().id };
        }
        const node = this.node(checkpoint.current_node);
        const outcome = this.outcomes[node.id];
        if (!outcome) {
            throw new Error(`the checkpoint has no outcome for its current node ${node.id}`);
        }
        if (isExitNode(node)) {
            return { end: isSuccess(outcome.status) ? COMPLETED : outcome };
        }
        return noSilentSuccess(node, outcome, nextStep(this.graph, node, outcome, this.context, this.registry.resolve(node).type));
    }

    startNode(): PipelineNode {
        // Validation has checked there is exactly one.
        return findStartNode(this.graph)!;
    }

    announce(): void {
        this.emit({ kind: 'PipelineStarted', name: this.graph.id, run_id: this.runId });
    }

    async execute(first: Step): Promise<PipelineRunResult> {
        this.budget.startClock();
        try {
            let step = first;
            while ('next' in step) {
                if (this.signal.aborted) {
                    throw new RunCancelled(this.signal.reason);
                }
                if (step.edge?.loop_restart) {
                    this.restart();
                }
                step = await this.visit(this.node(step.next), { edge: step.edge, previous: this.previous });
            }
            return this.finish(step.end);
        } catch (error) {
            if (error instanceof RunCancelled) {
                // The stopped node left no outcome; the checkpoint keeps what its model calls used.
                this.checkpoint(this.previous ?? '');
                const overBudget = this.budget.exceededReason;
                return overBudget === undefined ? this.cancelled(error.message) : this.finish(fail(overBudget), true);
            }
            throw error;
        } finally {
            this.budget.stopClock();
        }
    }

    /** Runs one top-level node (or, at the exit, checks goal gates first) and returns the next step. */
    private async visit(node: PipelineNode, arrival: Arrival): Promise<Step> {
        const refused = this.enter(node);
        if (refused) {
            return refused;
        }
        if (isExitNode(node)) {
            const blocked = goalGateStep(this.graph, this.outcomes);
            if (blocked) {
                return blocked;
            }
        }
        const { outcome, type } = await this.executeNode(node, arrival, this.context, this.signal);
        this.previous = node.id;
        this.completed.push(node.id);
        this.outcomes[node.id] = outcome;
        this.checkpoint(node.id);
        if (isExitNode(node)) {
            return { end: isSuccess(outcome.status) ? COMPLETED : outcome };
        }
        return noSilentSuccess(node, outcome, nextStep(this.graph, node, outcome, this.context, type));
    }

    /**
     * Counts a visit to `node`; when that goes past its `max_visits` (0 = unlimited), returns the
     * FAIL that ends the run instead, and the node does not run.
     */
    private enter(node: PipelineNode): Step | undefined {
        const visits = (this.visits[node.id] ?? 0) + 1;
        if (node.max_visits > 0 && visits > node.max_visits) {
            return { end: fail(maxVisitsReason(node)) };
        }
        this.visits[node.id] = visits;
        return undefined;
    }

    /** loop_restart (§2.7): a fresh log directory and a context with only the graph attributes. */
    private restart(): void {
        this.restarts++;
        this.logsRoot = join(this.options.logsRoot, `restart-${this.restarts}`);
        const graphValues = Object.entries(this.context.snapshot()).filter(([key]) => key.startsWith('graph.'));
        this.context = new Context(Object.fromEntries(graphValues));
        this.completed = [];
        this.outcomes = {};
        this.retries = {};
        this.visits = {};
        this.initialize();
    }

    async runBranch(startId: string, stopAt: string, context: Context, signal: AbortSignal): Promise<BranchResult> {
        const completed: string[] = [];
        let outcome: Outcome = { status: 'success', notes: 'empty branch' };
        // A branch is entered from the node that started it (the parallel node), by its edge to startId.
        const parent = context.getString('current_node') || undefined;
        let step: Step = { next: startId, edge: this.graph.edges.find(edge => edge.from === parent && edge.to === startId) };
        let previous = parent;
        while ('next' in step && step.next !== stopAt && !signal.aborted) {
            const node = this.node(step.next);
            if (isExitNode(node)) {
                break;
            }
            if (this.enter(node)) {
                outcome = fail(maxVisitsReason(node));
                break;
            }
            const result = await this.executeNode(node, { edge: step.edge, previous }, context, signal);
            outcome = result.outcome;
            previous = node.id;
            completed.push(node.id);
            step = nextStep(this.graph, node, outcome, context, result.type);
        }
        if (signal.aborted) {
            throw new RunCancelled(signal.reason);
        }
        return { last_node: completed.at(-1) ?? '', outcome, completed_nodes: completed, context };
    }

    /** Runs a node's handler under its retry policy (§3.5) and merges the outcome into `context`. */
    private async executeNode(node: PipelineNode, arrival: Arrival, context: Context, signal: AbortSignal): Promise<{ outcome: Outcome; type: string }> {
        const { type, handler } = this.registry.resolve(node);
        const stageDir = stageDirectory(this.logsRoot, node.id);
        const index = this.stageIndex++;
        const attempts = maxAttempts(node, this.graph);
        const shouldRetry = this.options.shouldRetry ?? isRetryableError;
        context.set('current_node', node.id);
        this.enterSession(node, arrival, context);
        let outcome: Outcome;
        for (let attempt = 1; ; attempt++) {
            this.emit({ kind: 'StageStarted', node_id: node.id, index, attempt });
            const started = performance.now();
            // Whatever status.json exists now is from an earlier attempt or visit, not this one.
            removeStatus(stageDir);
            let retryReason: string | undefined;
            try {
                outcome = settleOutcome(node, stageDir, await runAttempt(handler, node, context, this.graph, this.logsRoot, signal, this));
                if (outcome.status === 'retry' && attempt < attempts) {
                    retryReason = outcome.failure_reason ?? 'handler asked to retry';
                }
            } catch (error) {
                if (error instanceof RunCancelled) {
                    throw error;
                }
                outcome = fail(errorMessage(error));
                if (!(error instanceof NodeTimeoutError) && attempt < attempts && shouldRetry(error)) {
                    retryReason = outcome.failure_reason;
                }
            }
            if (retryReason === undefined) {
                outcome = this.afterRetries(node, outcome, context);
                writeStatus(stageDir, outcome);
                this.emit(outcome.status === 'fail'
                    ? { kind: 'StageFailed', node_id: node.id, index, error: outcome.failure_reason ?? 'failed', will_retry: false }
                    : { kind: 'StageCompleted', node_id: node.id, index, duration_ms: performance.now() - started, status: outcome.status });
                break;
            }
            this.countRetry(node.id, context);
            const delay = delayForAttempt(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
            this.emit({ kind: 'StageFailed', node_id: node.id, index, error: retryReason, will_retry: true });
            this.emit({ kind: 'StageRetrying', node_id: node.id, index, attempt, delay_ms: delay });
            try {
                await (this.options.sleep ?? defaultSleep)(delay, signal);
            } catch (error) {
                throw signal.aborted ? new RunCancelled(signal.reason) : error;
            }
        }
        context.applyUpdates(outcome.context_updates ?? {});
        context.set('outcome', outcome.status);
        if (outcome.preferred_label) {
            context.set('preferred_label', outcome.preferred_label);
        }
        return { outcome, type };
    }

    /**
     * Resolves the node's fidelity and, under `full`, its thread (§5.4) into the context, where the
     * checkpoint keeps them: a resume after a `full` node degrades the next one (§5.3 step 6).
     */
    private enterSession(node: PipelineNode, arrival: Arrival, context: Context): void {
        let fidelity = resolveFidelity(node, arrival, this.graph);
        if (this.degradeNext) {
            this.degradeNext = false;
            fidelity = RESUME_FIDELITY;
        }
        context.set('internal.fidelity', fidelity);
        if (fidelity === 'full') {
            context.set('internal.thread_key', resolveThreadKey(node, arrival, this.graph));
        }
    }

    stageSession(node: PipelineNode, context: Context): StageSession {
        const fidelity = (context.getString('internal.fidelity') || DEFAULT_FIDELITY) as Fidelity;
        const thread = context.getString('internal.thread_key');
        const carried = carriedContext(fidelity, {
            goal: this.graph.goal,
            run_id: this.runId,
            completed_nodes: this.completed,
            node_outcomes: this.outcomes,
            context: context.snapshot(),
            logs: context.logEntries()
        });
        return { fidelity, ...(fidelity === 'full' && { thread_key: thread || node.id }), carried };
    }

    recordUsage(usage: RunUsage): void {
        this.budget.add(usage);
    }

    /** Success resets the node's retry counter; RETRY with no attempts left becomes FAIL, or PARTIAL_SUCCESS with allow_partial (§3.5). */
    private afterRetries(node: PipelineNode, outcome: Outcome, context: Context): Outcome {
        if (isSuccess(outcome.status) && this.retries[node.id]) {
            this.retries[node.id] = 0;
            context.set(`internal.retry_count.${node.id}`, 0);
        }
        if (outcome.status !== 'retry') {
            return outcome;
        }
        return node.allow_partial
            ? { status: 'partial_success', notes: 'retries exhausted, partial accepted' }
            : fail(`max retries exceeded${outcome.failure_reason ? `: ${outcome.failure_reason}` : ''}`);
    }

    private countRetry(nodeId: string, context: Context): void {
        this.retries[nodeId] = (this.retries[nodeId] ?? 0) + 1;
        context.set(`internal.retry_count.${nodeId}`, this.retries[nodeId]);
    }

    private node(id: string): PipelineNode {
        const node = this.graph.nodes.get(id);
        if (!node) {
            throw new Error(`the pipeline has no node ${id}`);
        }
        return node;
    }

    private checkpoint(currentNode: string): void {
        saveCheckpoint(this.logsRoot, {
            timestamp: new Date().toISOString(),
            current_node: currentNode,
            completed_nodes: this.completed,
            node_retries: this.retries,
            node_visits: this.visits,
            node_outcomes: this.outcomes,
            usage: this.budget.usage,
            context: this.context.snapshot(),
            logs: this.context.logEntries()
        });
        this.emit({ kind: 'CheckpointSaved', node_id: currentNode });
    }

    private result(status: PipelineRunResult['status'], outcome: Outcome): PipelineRunResult {
        return {
            status,
            outcome,
            completed_nodes: [...this.completed],
            node_outcomes: { ...this.outcomes },
            context: this.context.snapshot(),
            ...(outcome.failure_reason !== undefined && status !== 'success' && { failure_reason: outcome.failure_reason }),
            usage: this.budget.usage,
            logs_root: this.logsRoot
        };
    }

    private finish(outcome: Outcome, budgetExceeded = false): PipelineRunResult {
        const duration_ms = performance.now() - this.started;
        if (isSuccess(outcome.status)) {
            this.emit({ kind: 'PipelineCompleted', duration_ms, artifact_count: this.artifacts.list().length });
            return this.result('success', outcome);
        }
        this.emit({ kind: 'PipelineFailed', error: outcome.failure_reason ?? outcome.status, duration_ms });
        return { ...this.result('fail', outcome), ...(budgetExceeded && { budget_exceeded: true }) };
    }

    private cancelled(reason: string): PipelineRunResult {
        this.emit({ kind: 'PipelineCancelled', reason, duration_ms: performance.now() - this.started });
        return this.result('cancelled', fail(`cancelled: ${reason}`));
    }
}

function maxVisitsReason(node: PipelineNode): string {
    return `node ${node.id} reached its max_visits limit (${node.max_visits}): the run may not enter it again`;
}

/**
 * §3.2 step 6 ends the run when no edge can be selected and calls it "Pipeline completed" unless the
 * outcome was FAIL. This engine does not let a run succeed anywhere but at the exit node: a non-exit
 * node with no edge to take ends the run as a FAIL naming the node. (nextStep's only non-FAIL end is
 * that no-edge case; a FAIL end is the node's own failure and stays as it is.)
 */
function noSilentSuccess(node: PipelineNode, outcome: Outcome, step: Step): Step {
    if ('next' in step || step.end.status === 'fail') {
        return step;
    }
    return { end: fail(`no outgoing edge of node ${node.id} matched its outcome (${outcome.status}); the run ended before the exit`) };
}

/** TRANSFORM and VALIDATE; throws ValidationError when the graph has errors, so no handler runs (§7.1). */
function prepared(graph: PipelineGraph, registry: HandlerRegistry, options: RunOptions): PipelineGraph {
    const result = preparePipeline(graph, { transforms: options.transforms, extraRules: options.extraRules, handlerTypes: registry.types() });
    if (result.diagnostics.some(d => d.severity === 'error')) {
        throw new ValidationError(result.diagnostics);
    }
    return result.graph;
}

/** Runs `graph` from its start node, writing run files under `options.logsRoot`. */
export async function runPipeline(graph: PipelineGraph, options: RunOptions): Promise<PipelineRunResult> {
    const registry = options.registry ?? createDefaultRegistry();
    const run = new Run(prepared(graph, registry, options), registry, options, options.context ?? new Context());
    run.announce();
    run.initialize();
    return run.execute({ next: run.startNode().id });
}

/**
 * Continues the run whose checkpoint is in `options.logsRoot`: context, completed nodes, retry and
 * visit counters are restored, and execution goes on after the checkpoint's current_node (§5.3).
 * `options.context`, when given, is laid over the restored context: its keys replace the
 * checkpoint's (so a resume can carry new inputs or corrections), every other key keeps its
 * checkpointed value, and its log entries follow the checkpoint's.
 */
export async function resumePipeline(graph: PipelineGraph, options: RunOptions): Promise<PipelineRunResult> {
    const checkpoint = loadCheckpoint(options.logsRoot);
    const registry = options.registry ?? createDefaultRegistry();
    const context = new Context(
        { ...checkpoint.context, ...options.context?.snapshot() },
        [...checkpoint.logs, ...(options.context?.logEntries() ?? [])]
    );
    const run = new Run(prepared(graph, registry, options), registry, options, context);
    run.announce();
    run.restore(checkpoint);
    return run.execute(run.stepAfterCheckpoint(checkpoint));
}
