import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
    createDefaultRegistry,
    parseDot,
    runPipeline,
    type Context,
    type DefaultHandlerOptions,
    type NodeHandler,
    type Outcome,
    type PipelineEvent,
    type PipelineNode,
    type PipelineRunResult,
    type RunOptions
} from '../../../language-server/src/crew/engine/index.js';

/** A fresh logs root per call, removed after each test. */
export function useTempDirs(): () => string {
    const created: string[] = [];
    afterEach(() => {
        for (const dir of created.splice(0)) {
            rmSync(dir, { recursive: true, force: true });
        }
    });
    return () => {
        const dir = mkdtempSync(join(tmpdir(), 'crew-engine-'));
        created.push(dir);
        return dir;
    };
}

export interface HandlerCall {
    readonly node: PipelineNode;
    readonly context: Context;
    readonly logsRoot: string;
    readonly signal: AbortSignal;
}

/** A handler that records its calls and returns the scripted outcomes in turn (the last one repeats). */
export function scriptedHandler(...outcomes: (Outcome | Error)[]): NodeHandler & { calls: HandlerCall[] } {
    const calls: HandlerCall[] = [];
    const handler = async (node: PipelineNode, context: Context, _graph: unknown, logsRoot: string, signal: AbortSignal) => {
        calls.push({ node, context, logsRoot, signal });
        const next = outcomes[Math.min(calls.length - 1, outcomes.length - 1)] ?? { status: 'success' };
        if (next instanceof Error) {
            throw next;
        }
        return next;
    };
    return Object.assign(handler, { calls });
}

/** Per-node scripted outcomes through the `type="scripted"` handler; unscripted nodes succeed. */
export function scriptByNode(script: Record<string, (Outcome | Error)[]>): NodeHandler & { calls: string[] } {
    const calls: string[] = [];
    const counts = new Map<string, number>();
    const handler: NodeHandler = async node => {
        calls.push(node.id);
        const count = counts.get(node.id) ?? 0;
        counts.set(node.id, count + 1);
        const list = script[node.id] ?? [{ status: 'success' }];
        const next = list[Math.min(count, list.length - 1)];
        if (next instanceof Error) {
            throw next;
        }
        return next;
    };
    return Object.assign(handler, { calls });
}

/** An error as an HTTP client reports it. */
export function httpError(status: number): Error {
    return Object.assign(new Error(`HTTP ${status}`), { status });
}

export interface RunDotOptions extends Partial<RunOptions> {
    readonly handlers?: Record<string, NodeHandler>;
    readonly defaults?: DefaultHandlerOptions;
}

/** Parses `dot`, registers `handlers` on a default registry and runs it with no-wait retries. */
export async function runDot(dot: string, logsRoot: string, options: RunDotOptions = {}): Promise<PipelineRunResult & { events: PipelineEvent[] }> {
    const registry = options.registry ?? createDefaultRegistry(options.defaults);
    for (const [type, handler] of Object.entries(options.handlers ?? {})) {
        registry.register(type, handler);
    }
    const events: PipelineEvent[] = [];
    const result = await runPipeline(parseDot(dot), {
        sleep: async () => {},
        ...options,
        logsRoot,
        registry,
        onEvent: event => {
            events.push(event);
            options.onEvent?.(event);
        }
    });
    return { ...result, events };
}

export function readJson(...path: string[]): Record<string, unknown> {
    return JSON.parse(readFileSync(join(...path), 'utf8')) as Record<string, unknown>;
}

export function stageFiles(logsRoot: string, nodeId: string, names: readonly string[]): boolean {
    return names.every(name => existsSync(join(logsRoot, nodeId, name)));
}
