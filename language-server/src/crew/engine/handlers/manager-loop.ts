/**
 * The manager loop handler (§4.11, shape `house`): supervises a child pipeline, the graph's
 * `stack.child_dotfile`. It starts the child in-process on the same handlers (so its LLM stages use
 * the same model and its gates the same interviewer), with its run directory in the manager's stage
 * directory (`child/`), then observes it once per cycle: `stack.child.status` (running, completed,
 * failed), `stack.child.outcome`, `stack.child.current_node` (the stage running or last run),
 * `stack.child.completed_count`, `stack.child.retry_count`, and the child's own context values as
 * `stack.child.context.<key>` — conditions read them as `context.stack.child.…`. The loop ends with
 * SUCCESS when the child succeeds or `manager.stop_condition` holds, FAIL when the child fails or
 * after `manager.max_cycles`; a child still running then is cancelled.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration, parseInteger } from '../attributes.js';
import { stageDirectory } from '../checkpoint.js';
import { evaluateCondition } from '../conditions.js';
import type { Context } from '../context.js';
import { parsePipeline } from '../dot-parser.js';
import type { PipelineEvent } from '../events.js';
import { fail, type Outcome } from '../outcome.js';
import type { PipelineGraph, PipelineNode } from '../pipeline-graph.js';
import type { PipelineRunResult } from '../runner.js';
import type { NodeHandler } from './handler.js';
import type { HandlerRegistry } from './registry.js';

/** What the manager knows of its child between cycles; `cancelled` only once the manager stopped it. */
class ChildTelemetry {
    status: 'running' | 'completed' | 'failed' | 'cancelled' = 'running';
    outcome = '';
    failure = '';
    currentNode = '';
    completed = 0;
    retries = 0;

    observe(event: PipelineEvent): void {
        if (event.kind === 'StageStarted') {
            this.currentNode = event.node_id;
        } else if (event.kind === 'StageCompleted') {
            this.completed++;
        } else if (event.kind === 'StageRetrying') {
            this.retries++;
        }
    }

    finish(result: PipelineRunResult): void {
        this.status = result.status === 'success' ? 'completed' : result.status === 'fail' ? 'failed' : 'cancelled';
        this.outcome = result.status;
        this.failure = result.failure_reason ?? '';
    }
}

/** Reads a `manager.*` attribute with its §4.11 default; a bad value is the node's failure. */
function settings(node: PipelineNode) {
    const attrs = node.attrs;
    return {
        pollMs: parseDuration('manager.poll_interval', attrs['manager.poll_interval'] ?? '45s'),
        maxCycles: parseInteger('manager.max_cycles', attrs['manager.max_cycles'] ?? '1000'),
        stopCondition: (attrs['manager.stop_condition'] ?? '').trim(),
        actions: (attrs['manager.actions'] ?? 'observe,wait').split(',').map(action => action.trim()),
        autostart: (attrs['stack.child_autostart'] ?? 'true') === 'true'
    };
}

/** Parses and checks the child pipeline; a string is why it cannot run. */
function loadChild(file: string): PipelineGraph | string {
    if (!existsSync(file)) {
        return `the child pipeline ${file} does not exist`;
    }
    const { graph, problems } = parsePipeline(readFileSync(file, 'utf8'));
    const errors = problems.filter(problem => problem.severity === 'error');
    if (!graph || errors.length) {
        return `the child pipeline ${file} does not parse: ${errors.map(e => e.message).join('; ')}`;
    }
    return graph;
}

/** The child's context values worth a condition, as `stack.child.context.<key>`. */
function childValues(logsRoot: string): Record<string, unknown> {
    try {
        const checkpoint = JSON.parse(readFileSync(join(logsRoot, 'checkpoint.json'), 'utf8')) as { context?: Record<string, unknown> };
        return Object.fromEntries(Object.entries(checkpoint.context ?? {})
            .filter(([key, value]) => !key.startsWith('internal.') && !key.startsWith('graph.') && (typeof value !== 'object' || value === null))
            .map(([key, value]) => [`stack.child.context.${key}`, value]));
    } catch {
        // No checkpoint yet (the child has not started) or one being replaced: nothing new this cycle.
        return {};
    }
}

function ingest(context: Context, telemetry: ChildTelemetry, childLogs: string): void {
    context.applyUpdates({
        ...childValues(childLogs),
        'stack.child.status': telemetry.status,
        'stack.child.outcome': telemetry.outcome,
        'stack.child.current_node': telemetry.currentNode,
        'stack.child.completed_count': telemetry.completed,
        'stack.child.retry_count': telemetry.retries
    });
}

/**
 * `steer`: the node's prompt goes to the child's running stage as `steer.md` in its stage directory,
 * once per stage — an instruction its tool commands and agents can read.
 */
function steer(node: PipelineNode, telemetry: ChildTelemetry, childLogs: string, steered: Set<string>): void {
    const instruction = node.prompt.trim();
    if (instruction && telemetry.currentNode && !steered.has(telemetry.currentNode)) {
        steered.add(telemetry.currentNode);
        writeFileSync(join(stageDirectory(childLogs, telemetry.currentNode), 'steer.md'), `${instruction}\n`);
    }
}

/**
 * `registry` is the registry the handler is registered in (the child runs on it); `workdir` is where
 * a relative `stack.child_dotfile` is found unless the graph's `stack.child_workdir` says otherwise.
 */
export function createManagerLoopHandler(registry: () => HandlerRegistry, workdir: string): NodeHandler {
    return async (node, context, graph, logsRoot, signal): Promise<Outcome> => {
        const childFile = (graph.attrs['stack.child_dotfile'] ?? '').trim();
        if (!childFile) {
            return fail(`manager loop ${node.id}: the graph sets no stack.child_dotfile to supervise`);
        }
        const { pollMs, maxCycles, stopCondition, actions, autostart } = settings(node);
        if (!autostart) {
            return fail(`manager loop ${node.id}: stack.child_autostart=false, but this engine observes only a child it starts itself`);
        }
        const file = resolve(graph.attrs['stack.child_workdir'] ?? workdir, childFile);
        const child = loadChild(file);
        if (typeof child === 'string') {
            return fail(`manager loop ${node.id}: ${child}`);
        }
        const childLogs = join(stageDirectory(logsRoot, node.id), 'child');
        const telemetry = new ChildTelemetry();
        const stopChild = new AbortController();
        const cancel = () => stopChild.abort(signal.reason);
        signal.addEventListener('abort', cancel, { once: true });
        // Imported here: the runner imports the registry, which creates this handler.
        const { runPipeline } = await import('../runner.js');
        const running = runPipeline(child, {
            logsRoot: childLogs,
            registry: registry(),
            signal: stopChild.signal,
            onEvent: event => telemetry.observe(event)
        }).then(result => telemetry.finish(result), (error: unknown) => {
            telemetry.status = 'failed';
            telemetry.outcome = 'fail';
            telemetry.failure = error instanceof Error ? error.message : String(error);
        });
        const steered = new Set<string>();
        try {
            for (let cycle = 1; cycle <= maxCycles; cycle++) {
                if (actions.includes('observe')) {
                    ingest(context, telemetry, childLogs);
                }
                if (actions.includes('steer')) {
                    steer(node, telemetry, childLogs, steered);
                }
                if (telemetry.status === 'completed') {
                    return { status: 'success', notes: `Child completed: ${child.id}` };
                }
                if (telemetry.status === 'failed') {
                    return fail(`Child failed: ${telemetry.failure || telemetry.outcome}`);
                }
                if (stopCondition && evaluateCondition(stopCondition, { status: 'success' }, context)) {
                    return { status: 'success', notes: `Stop condition satisfied: ${stopCondition}` };
                }
                if (actions.includes('wait')) {
                    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
                } else {
                    // Without `wait` a cycle still yields, so the child can make progress.
                    await new Promise(setImmediate);
                }
                if (signal.aborted) {
                    throw signal.reason;
                }
            }
            return fail(`Max cycles exceeded: the child ${child.id} was still running after ${maxCycles} cycles`);
        } finally {
            signal.removeEventListener('abort', cancel);
            stopChild.abort(new Error(`manager loop ${node.id} stopped supervising`));
            await running;
            if (actions.includes('observe')) {
                ingest(context, telemetry, childLogs);
            }
        }
    };
}

