import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Context, createNode, isRetryableError, type PipelineNode, type StageCall } from '../../language-server/src/crew/engine/index.js';
import type { CrewLlm, CrewLlmUsage } from '../../language-server/src/crew/llm.js';
import { createPiAiBackend, LlmStageError } from '../../language-server/src/crew/pi-ai-backend.js';
import { FAKE_KEY, recordingSleep, resolvedLlm } from './llm/llm-test-helpers.js';
import { httpError, startScriptedOpenAiServer, streamedText, type ScriptedOpenAiServer } from './llm/scripted-openai-server.js';
import { runDot, useTempDirs } from './engine/helpers.js';

let server: ScriptedOpenAiServer;
let llm: CrewLlm;
let env: Record<string, string>;

beforeEach(async () => {
    server = await startScriptedOpenAiServer();
    env = { FSPEC_CREW_BASE_URL: server.baseUrl, FSPEC_CREW_MODEL: 'stage-model', FSPEC_CREW_API_KEY: FAKE_KEY };
    llm = resolvedLlm({}, env);
});
afterEach(async () => {
    await server.close();
    vi.unstubAllEnvs();
});

const node = (id: string, attrs: Record<string, string> = {}): PipelineNode => createNode(id, { prompt: `Do ${id}`, ...attrs });
const context = () => new Context({ 'graph.goal': 'Grow tomatoes' });
const signal = () => new AbortController().signal;
/** A stage under the default fidelity whose usage reports go nowhere. */
const stage = (): StageCall => ({ fidelity: 'compact', carried: '', stage_dir: tmpdir(), reportUsage: () => undefined });

async function failure(promise: Promise<unknown>): Promise<LlmStageError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LlmStageError);
    return error as LlmStageError;
}

describe('the pi-ai codergen backend', () => {
    it('asks the model with the stage prompt and the pipeline goal, returns its text and reports usage', async () => {
        server.enqueue(streamedText(['Dig ', 'beds'], { prompt_tokens: 12, completion_tokens: 3 }));
        const usage: { usage: CrewLlmUsage; node: string; model: string }[] = [];
        const backend = createPiAiBackend(llm, { env, onUsage: (u, n, model) => usage.push({ usage: u, node: n.id, model }) });
        const text = await backend.run(node('plan', { label: 'Plan the beds' }), 'Plan the beds for tomatoes', context(), signal(), stage());
        expect(text).toBe('Dig beds');
        const [sent] = server.requests;
        expect(sent.body.model).toBe('stage-model');
        expect(sent.body.messages).toEqual([
            { role: 'system', content: 'You carry out the stage plan ("Plan the beds") of an automated pipeline.\nThe pipeline\'s goal: Grow tomatoes\nAnswer with the result of this stage only.' },
            { role: 'user', content: 'Plan the beds for tomatoes' }
        ]);
        expect(usage).toEqual([{ usage: expect.objectContaining({ input: 12, output: 3, totalTokens: 15 }), node: 'plan', model: `openai-compatible/stage-model at ${server.baseUrl}` }]);
    });

    it('[§8.4] a node\'s llm_model (as the stylesheet sets it) asks that model at the same endpoint', async () => {
        server.enqueue(streamedText(['fast']), streamedText(['default']));
        const backend = createPiAiBackend(llm, { env });
        expect(await backend.run(node('quick', { llm_model: 'small-model' }), 'p', context(), signal(), stage())).toBe('fast');
        expect(await backend.run(node('slow', { llm_model: 'stage-model', llm_provider: 'openai-compatible' }), 'p', context(), signal(), stage())).toBe('default');
        expect(server.requests.map(r => r.body.model)).toEqual(['small-model', 'stage-model']);
    });

    it('a node naming a provider with no key fails as a configuration error, never retried and never sent', async () => {
        vi.stubEnv('ANTHROPIC_OAUTH_TOKEN', '');
        vi.stubEnv('ANTHROPIC_API_KEY', '');
        const backend = createPiAiBackend(llm, { env });
        const error = await failure(backend.run(node('plan', { llm_provider: 'anthropic', llm_model: 'claude-sonnet-4-5' }), 'p', context(), signal(), stage()));
        expect(error.kind).toBe('config');
        expect(error.retryable).toBe(false);
        expect(error.message).toContain('Node plan asks for anthropic/claude-sonnet-4-5, which is not usable: no API key for anthropic');
        expect(server.requests).toHaveLength(0);
    });

    it('[S8] terminal errors (401, 403, 400, 404) are one request each and not retryable for the engine', async () => {
        for (const status of [401, 403, 400, 404]) {
            server.enqueue(httpError(status, { error: { message: `status ${status} for ${FAKE_KEY}` } }));
            const before = server.requests.length;
            const error = await failure(createPiAiBackend(llm, { env }).run(node('plan'), 'p', context(), signal(), stage()));
            expect(server.requests.length - before).toBe(1);
            expect(error.retryable).toBe(false);
            expect(isRetryableError(error)).toBe(false);
            expect(error.kind).toBe(status === 401 || status === 403 ? 'auth' : 'provider');
            expect(error.message).not.toContain(FAKE_KEY);
        }
    });

    it('[S8] rate limits and server errors still failing after the backoff are retryable for the engine', async () => {
        const { sleep, delays } = recordingSleep();
        server.enqueue(...Array.from({ length: 4 }, () => httpError(429, { error: { message: 'slow down' } })));
        const limited = await failure(createPiAiBackend(llm, { env, sleep }).run(node('plan'), 'p', context(), signal(), stage()));
        expect(limited.kind).toBe('rate-limited');
        expect(isRetryableError(limited)).toBe(true);
        server.enqueue(...Array.from({ length: 4 }, () => httpError(503, { error: { message: 'overloaded' } })));
        const down = await failure(createPiAiBackend(llm, { env, sleep }).run(node('plan'), 'p', context(), signal(), stage()));
        expect(down.kind).toBe('provider');
        expect(isRetryableError(down)).toBe(true);
        expect(delays).toEqual([1000, 2000, 4000, 1000, 2000, 4000]);
        expect(server.requests).toHaveLength(8);
    });

    describe('in a run', () => {
        const dirs = useTempDirs();
        const dot = 'digraph g { graph [default_max_retries=2]\n start [shape=Mdiamond]\n plan [prompt="Plan for $goal"]\n done [shape=Msquare]\n start -> plan -> done }';

        it('[#57] a 401 fails the stage with the reason after one request, although the node may retry', async () => {
            server.enqueue(httpError(401, { error: { message: 'bad key' } }));
            const result = await runDot(dot, dirs(), { defaults: { backend: createPiAiBackend(llm, { env }) } });
            expect(result.status).toBe('fail');
            expect(server.requests).toHaveLength(1);
            expect(result.node_outcomes.plan).toMatchObject({ status: 'fail', failure_reason: expect.stringContaining('rejected its API key (401 bad key); check FSPEC_CREW_API_KEY') });
            expect(result.events.filter(e => e.kind === 'StageRetrying')).toEqual([]);
        });

        it('[S8] a rate limit that outlasts the backoff is retried by the engine under max_retries', async () => {
            const { sleep } = recordingSleep();
            server.enqueue(...Array.from({ length: 4 }, () => httpError(429, { error: { message: 'slow down' } })), streamedText(['a plan']));
            const result = await runDot(dot, dirs(), { defaults: { backend: createPiAiBackend(llm, { env, sleep }) } });
            expect(result.status).toBe('success');
            expect(result.events.filter(e => e.kind === 'StageRetrying')).toHaveLength(1);
            expect(server.requests).toHaveLength(5);
        });
    });
});
