/** One execution of a node's handler: its timeout and cancellation, and the status-file contract. */
import { readStatus } from './checkpoint.js';
import type { Context } from './context.js';
import type { EngineServices, NodeHandler } from './handlers/handler.js';
import { fail, type Outcome } from './outcome.js';
import type { PipelineGraph, PipelineNode } from './pipeline-graph.js';

export class NodeTimeoutError extends Error {
    constructor(nodeId: string, ms: number) {
        super(`node ${nodeId} timed out after ${ms}ms`);
        this.name = 'NodeTimeoutError';
    }
}

/** Thrown inside the engine once the run's signal is aborted; ends the run "cancelled". */
export class RunCancelled extends Error {
    constructor(reason: unknown) {
        super(reason instanceof Error ? reason.message : reason === undefined ? 'cancelled' : String(reason));
        this.name = 'RunCancelled';
    }
}

/**
 * Calls the handler with a signal that aborts when `signal` does (RunCancelled) or the node's timeout
 * expires (NodeTimeoutError), and settles as soon as either happens, even if the handler ignores it.
 */
export async function runAttempt(
    handler: NodeHandler,
    node: PipelineNode,
    context: Context,
    graph: PipelineGraph,
    logsRoot: string,
    signal: AbortSignal,
    engine: EngineServices
): Promise<Outcome | undefined> {
    if (signal.aborted) {
        throw new RunCancelled(signal.reason);
    }
    const controller = new AbortController();
    const cancel = () => controller.abort(new RunCancelled(signal.reason));
    signal.addEventListener('abort', cancel, { once: true });
    const timeout = node.timeout_ms;
    const timer = timeout === undefined ? undefined : setTimeout(() => controller.abort(new NodeTimeoutError(node.id, timeout)), timeout);
    const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const running = (async () => handler(node, context, graph, logsRoot, controller.signal, engine))();
    // Whichever loses the race may still settle later; nobody waits for it then.
    running.catch(() => undefined);
    aborted.catch(() => undefined);
    try {
        return await Promise.race([running, aborted]);
    } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', cancel);
    }
}

/**
 * The status-file contract (Appendix C): a status.json written during the attempt (by the handler,
 * a tool or an agent) decides the outcome, over what the handler returned (context updates of both
 * are kept). A handler that returns nothing and writes nothing succeeds only with auto_status=true.
 * Throws StatusFileError for a malformed file.
 */
export function settleOutcome(node: PipelineNode, stageDir: string, returned: Outcome | undefined): Outcome {
    const written = readStatus(stageDir);
    if (written) {
        return returned
            ? { ...returned, ...written, context_updates: { ...returned.context_updates, ...written.context_updates } }
            : written;
    }
    if (returned) {
        return returned;
    }
    return node.auto_status
        ? { status: 'success', notes: 'auto-status: handler completed without writing status' }
        : fail('handler completed without writing status');
}
