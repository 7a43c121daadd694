/** The LLM task handler (§4.5): prompt → backend → prompt.md, response.md, SUCCESS (FAIL for an empty response). */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stageDirectory } from '../checkpoint.js';
import type { Context } from '../context.js';
import type { StageSession } from '../fidelity.js';
import type { Outcome } from '../outcome.js';
import type { PipelineNode } from '../pipeline-graph.js';
import type { RunUsage } from '../run-budget.js';
import { expandVariables } from '../transforms.js';
import type { NodeHandler } from './handler.js';

/** A stage's session (§5.4) and where the backend reports what the model used. */
export interface StageCall extends StageSession {
    /** The node's stage directory (absolute), where the backend may record what the stage did. */
    readonly stage_dir: string;
    /** Each model reply's tokens and cost, counted against the run's budget. */
    reportUsage(usage: RunUsage): void;
}

/** Whatever calls the LLM. A returned Outcome is the node's outcome as it is; a string is the response text. */
export interface CodergenBackend {
    run(node: PipelineNode, prompt: string, context: Context, signal: AbortSignal, stage: StageCall): Promise<string | Outcome>;
}

const RESPONSE_IN_CONTEXT = 200;

/**
 * Without a backend the handler simulates (§4.5). A backend error propagates, so the engine retries
 * retryable errors and turns the others into FAIL with the error message. A response that is empty
 * (or only whitespace) is a FAIL with reason "empty response".
 */
export function createCodergenHandler(backend?: CodergenBackend): NodeHandler {
    return async (node, context, graph, logsRoot, signal, engine) => {
        const prompt = expandVariables(node.prompt || node.label, graph);
        const stageDir = stageDirectory(logsRoot, node.id);
        writeFileSync(join(stageDir, 'prompt.md'), prompt);
        const stage: StageCall = { ...engine.stageSession(node, context), stage_dir: resolve(stageDir), reportUsage: usage => engine.recordUsage(usage) };
        const result = backend ? await backend.run(node, prompt, context, signal, stage) : `[Simulated] Response for stage: ${node.id}`;
        if (typeof result !== 'string') {
            return result;
        }
        writeFileSync(join(stageDir, 'response.md'), result);
        engine.artifacts.store(`${node.id}.response`, `response of ${node.id}`, result);
        if (result.trim() === '') {
            // §4.5 says nothing of an empty response; this engine does not count a model that said
            // nothing as a stage that succeeded (no silent success). Not retried, like any FAIL (A.3 #3).
            return { status: 'fail', failure_reason: 'empty response' };
        }
        return {
            status: 'success',
            notes: `Stage completed: ${node.id}`,
            // The whole response is response.md and the artifact `<node>.response`; the context keeps the start.
            context_updates: { last_stage: node.id, last_response: result.slice(0, RESPONSE_IN_CONTEXT) }
        };
    };
}
