/**
 * The codergen backend (§4.5) for general pipelines: each LLM stage is one request to a model
 * through pi-ai (`askText`: timeout, cancellation, backoff on rate limits and server errors, usage).
 * pi-ai is loaded by dynamic import, so the bundles keep it in `crew-llm.cjs` and load it only when
 * a stage calls a model. A node's `llm_model` / `llm_provider` (written, or set by the model
 * stylesheet) picks another model than the configured one.
 *
 * Context fidelity (§5.4): a stage under `full` continues the conversation of its thread (every
 * stage with the same thread key, in this backend's lifetime, which is one run); any other mode
 * starts a fresh conversation whose system message tells the run so far as the engine summarised it.
 * A node's `tools` gives the model tools in the working directory, with the tool hooks around each
 * call (stage-tools.ts).
 */
import type { Message } from '@mariozechner/pi-ai';
import type { CodergenBackend, Context, PipelineNode, StageCall } from './engine/index.js';
import type { CrewEnv, CrewLlm, CrewLlmEvent, CrewLlmSettings, CrewLlmUsage } from './llm.js';
import { CrewLlmError, type CrewLlmErrorKind } from './llm-errors.js';
import { stageEnvironment } from './engine/stage-env.js';
import { stageTools } from './stage-tools.js';

export interface PiAiBackendOptions {
    /** How long one request may take; no limit of our own when absent. */
    readonly timeoutMs?: number;
    /** Every model reply's tokens and cost, as it arrives (retries and failed answers included). */
    readonly onUsage?: (usage: CrewLlmUsage, node: PipelineNode, model: string) => void;
    /** Retries and other call events, for progress output. */
    readonly onEvent?: (event: CrewLlmEvent, node: PipelineNode) => void;
    /** The settings the configured model came from (defaults: none, so the environment decides). */
    readonly settings?: CrewLlmSettings;
    /** Where FSPEC_CREW_* are read for a node's own model; defaults to process.env. */
    readonly env?: CrewEnv;
    /** Waits between retries; tests pass one that returns at once. */
    readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Where the tools of a stage (its node's `tools`) work; defaults to the process's directory. */
    readonly workdir?: string;
}

/**
 * A failed model call, as the engine's retry policy reads it (`retryable`, Appendix D): rate limits,
 * timeouts and server errors that were already retried with backoff may be retried again under the
 * node's `max_retries`; a rejected key, a bad request, an unknown model or an unusable answer never are.
 */
export class LlmStageError extends Error {
    override readonly name = 'LlmStageError';

    constructor(readonly kind: CrewLlmErrorKind, message: string, readonly retryable: boolean, options?: ErrorOptions) {
        super(message, options);
    }
}

const SETTINGS_VARIABLES = ['FSPEC_CREW_PROVIDER', 'FSPEC_CREW_MODEL', 'FSPEC_CREW_BASE_URL'];

/** The system message of a stage: which stage of which pipeline, the pipeline's goal, and the run so far as its fidelity carries it. */
export function stageSystemPrompt(node: PipelineNode, context: Context, carried = ''): string {
    const goal = context.getString('graph.goal');
    const name = node.label && node.label !== node.id ? `${node.id} ("${node.label}")` : node.id;
    return [
        `You carry out the stage ${name} of an automated pipeline.`,
        ...(goal ? [`The pipeline's goal: ${goal}`] : []),
        'Answer with the result of this stage only.',
        ...(carried ? ['', 'The run so far:', carried] : [])
    ].join('\n');
}

/** A CodergenBackend that asks `llm` (or the node's own model) through pi-ai. */
export function createPiAiBackend(llm: CrewLlm, options: PiAiBackendOptions = {}): CodergenBackend {
    const models = new Map<string, Promise<CrewLlm>>();
    /** The conversation of each `full`-fidelity thread so far. */
    const threads = new Map<string, Message[]>();
    const env = options.env ?? process.env;
    const workdir = options.workdir ?? process.cwd();

    /** The node's model: the configured one unless `llm_provider` or `llm_model` names another. */
    const modelFor = (node: PipelineNode): Promise<CrewLlm> => {
        const provider = node.llm_provider.trim();
        const model = node.llm_model.trim();
        const sameProvider = provider === '' || provider === llm.model.provider;
        if (sameProvider && (model === '' || model === llm.model.id)) {
            return Promise.resolve(llm);
        }
        const key = `${sameProvider ? '' : provider}\0${model}`;
        let resolved = models.get(key);
        if (!resolved) {
            resolved = (async () => {
                const { resolveCrewLlm } = await import('./llm.js');
                // The same provider or endpoint with another model; or another provider, with its own key and none of the endpoint settings.
                const result = sameProvider
                    ? resolveCrewLlm({ ...options.settings, model: model || llm.model.id }, env)
                    : resolveCrewLlm({ provider, model }, Object.fromEntries(Object.entries(env).filter(([name]) => !SETTINGS_VARIABLES.includes(name))));
                if (result.mode === 'offline') {
                    throw new CrewLlmError('config', `Node ${node.id} asks for ${provider || llm.model.provider}/${model || llm.model.id}, which is not usable: ${result.reason}.`);
                }
                return result;
            })();
            models.set(key, resolved);
        }
        return resolved;
    };

    return {
        async run(node: PipelineNode, prompt: string, context: Context, signal: AbortSignal, stage: StageCall): Promise<string> {
            let retried = false;
            const thread = stage.fidelity === 'full' ? stage.thread_key ?? node.id : undefined;
            try {
                const model = await modelFor(node);
                const { askText } = await import('./llm.js');
                const request = {
                    role: `stage ${node.id}`,
                    system: stageSystemPrompt(node, context, stage.carried),
                    prompt,
                    history: thread === undefined ? [] : threads.get(thread) ?? [],
                    tools: stageTools({
                        node, context, signal, workdir, stageDir: stage.stage_dir,
                        env: stageEnvironment(context.getString('graph.tool_env'), { ATTRACTOR_STAGE_DIR: stage.stage_dir, ATTRACTOR_NODE_ID: node.id })
                    })
                };
                const { text, conversation } = await askText(model, request, {
                    signal,
                    timeoutMs: options.timeoutMs,
                    sleep: options.sleep,
                    onEvent: event => {
                        if (event.type === 'usage') {
                            stage.reportUsage({ total_tokens: event.usage.totalTokens, cost: event.usage.cost });
                            options.onUsage?.(event.usage, node, model.describe);
                        } else if (event.type === 'retry') {
                            retried = true;
                        }
                        options.onEvent?.(event, node);
                    }
                });
                if (thread !== undefined) {
                    threads.set(thread, conversation);
                }
                return text;
            } catch (error) {
                // A cancelled run or an expired node timeout: the engine already knows why.
                if (signal.aborted || !(error instanceof CrewLlmError)) {
                    throw error;
                }
                const retryable = error.kind === 'rate-limited' || error.kind === 'timeout' || (error.kind === 'provider' && retried);
                throw new LlmStageError(error.kind, error.message, retryable, { cause: error });
            }
        }
    };
}
