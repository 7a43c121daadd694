import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { askText, CrewLlmError, mergeCrewLlmSettings, resolveCrewLlm } from '../../../language-server/src/crew/llm.js';
import { expectNoKey, FAKE_KEY, rejectionOf, resolvedLlm } from './llm-test-helpers.js';
import { httpError, startScriptedOpenAiServer, streamedText } from './scripted-openai-server.js';

// pi-ai reads provider keys from the process environment; blank the ones these tests touch.
beforeEach(() => {
    for (const variable of ['ANTHROPIC_API_KEY', 'ANTHROPIC_OAUTH_TOKEN', 'OPENAI_API_KEY']) {
        vi.stubEnv(variable, '');
    }
});
afterEach(() => vi.unstubAllEnvs());

function configError(run: () => unknown): CrewLlmError {
    try {
        run();
    } catch (error) {
        expect(error).toBeInstanceOf(CrewLlmError);
        expect(error).toMatchObject({ kind: 'config' });
        return error as CrewLlmError;
    }
    throw new Error('expected a configuration error');
}

describe('resolveCrewLlm', () => {
    it('stays offline when nothing is configured, saying what to set', () => {
        expect(resolveCrewLlm({}, {})).toEqual({
            mode: 'offline', reason: 'no fspec.crew.provider or fspec.crew.baseUrl set (nor FSPEC_CREW_PROVIDER or FSPEC_CREW_BASE_URL)'
        });
        expect(resolveCrewLlm({ provider: '', model: '', baseUrl: '' }, {}, FAKE_KEY)).toMatchObject({ mode: 'offline' });
    });

    it('lets each setting win over its environment variable, and fills blanks from the environment', () => {
        const env = { FSPEC_CREW_PROVIDER: 'openai', FSPEC_CREW_MODEL: 'gpt-4.1', FSPEC_CREW_BASE_URL: 'http://127.0.0.1:9/v1' };
        expect(mergeCrewLlmSettings({ provider: 'anthropic', model: '', baseUrl: ' ' }, env))
            .toEqual({ provider: 'anthropic', model: 'gpt-4.1', baseUrl: 'http://127.0.0.1:9/v1' });
        const llm = resolvedLlm({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { FSPEC_CREW_PROVIDER: 'openai', FSPEC_CREW_MODEL: 'gpt-4.1' }, FAKE_KEY);
        expect(llm.describe).toBe('anthropic/claude-sonnet-4-5');
        expect(llm.model.api).toBe('anthropic-messages');
        expect(llm.apiKey).toBe(FAKE_KEY);
    });

    it('takes a named provider\'s key from its environment variable through pi-ai when none is stored', () => {
        vi.stubEnv('ANTHROPIC_API_KEY', FAKE_KEY);
        const llm = resolvedLlm({ provider: 'anthropic', model: 'claude-haiku-4-5' }, {});
        expect(llm).toMatchObject({ apiKey: FAKE_KEY, keySource: 'ANTHROPIC_API_KEY' });
    });

    it('stays offline for a named provider without a key, naming the provider', () => {
        expect(resolveCrewLlm({ provider: 'anthropic', model: 'claude-haiku-4-5' }, { FSPEC_CREW_API_KEY: FAKE_KEY })).toEqual({
            mode: 'offline', reason: 'no API key for anthropic: none is stored for the crew and none of pi-ai\'s environment variables for anthropic is set'
        });
    });

    it('makes an OpenAI-compatible model for a baseUrl and sends FSPEC_CREW_API_KEY to it', async () => {
        const server = await startScriptedOpenAiServer(streamedText(['ready']));
        try {
            const llm = resolvedLlm({}, { FSPEC_CREW_BASE_URL: server.baseUrl, FSPEC_CREW_MODEL: 'qwen3:8b', FSPEC_CREW_API_KEY: FAKE_KEY });
            expect(llm.model).toMatchObject({ api: 'openai-completions', id: 'qwen3:8b', baseUrl: server.baseUrl });
            expect(llm.describe).toBe(`openai-compatible/qwen3:8b at ${server.baseUrl}`);
            const { text } = await askText(llm, { role: 'planner', system: 's', prompt: 'p' });
            expect(text).toBe('ready');
            expect(server.requests[0].headers.authorization).toBe(`Bearer ${FAKE_KEY}`);
            expect(server.requests[0].body.model).toBe('qwen3:8b');
        } finally {
            await server.close();
        }
    });

    it('never sends a provider\'s own key to a custom baseUrl configured without one', async () => {
        vi.stubEnv('OPENAI_API_KEY', FAKE_KEY);
        const server = await startScriptedOpenAiServer(httpError(401, { error: { message: 'key required' } }));
        try {
            const llm = resolvedLlm({ provider: 'openai', model: 'gpt-x', baseUrl: server.baseUrl }, {});
            expect(llm.describe).toBe(`openai/gpt-x at ${server.baseUrl}`);
            const error = await rejectionOf(askText(llm, { role: 'planner', system: 's', prompt: 'p' }));
            expect(server.requests[0].headers.authorization).toBe('Bearer none');
            expect(error.message).toBe(`The planner's model (openai/gpt-x at ${server.baseUrl}) rejected its API key (401 key required); check FSPEC_CREW_API_KEY (unset, so no key was sent).`);
        } finally {
            await server.close();
        }
    });

    it('rejects an unknown provider, suggesting the nearest and listing the known ones', () => {
        const error = configError(() => resolveCrewLlm({ provider: 'antropic', model: 'claude-sonnet-4-5' }, {}, FAKE_KEY));
        expect(error.message).toMatch(/^Unknown fspec.crew.provider "antropic" \(did you mean "anthropic"\?\); known providers: .*\bopenai\b.*\.$/);
        expectNoKey(error);
    });

    it('rejects an unknown model, listing close ids of that provider', () => {
        const error = configError(() => resolveCrewLlm({ provider: 'anthropic', model: 'claude-sonet-4-5' }, {}, FAKE_KEY));
        expect(error.message).toMatch(/^anthropic has no model "claude-sonet-4-5"; close ids: claude-sonnet-4-5, /);
        expectNoKey(error);
    });

    it('asks for a model id when only the provider or the baseUrl is set', () => {
        expect(configError(() => resolveCrewLlm({ provider: 'anthropic' }, {}, FAKE_KEY)).message)
            .toMatch(/^fspec.crew.model is empty; set it to one of anthropic's models: .*claude-sonnet-4-5/);
        expect(configError(() => resolveCrewLlm({ baseUrl: 'http://127.0.0.1:11434/v1' }, {}, FAKE_KEY)).message)
            .toBe('fspec.crew.model is empty; set it to the id of the model to ask at http://127.0.0.1:11434/v1.');
        expect(configError(() => resolveCrewLlm({ baseUrl: 'localhost:11434', model: 'm' }, {}, FAKE_KEY)).message)
            .toBe('fspec.crew.baseUrl "localhost:11434" is not an http(s) URL; use one like http://127.0.0.1:11434/v1.');
    });

    it('keeps the key out of the resolved model\'s descriptions, logs and JSON', () => {
        const named = resolvedLlm({ provider: 'openai', model: 'gpt-4.1' }, {}, FAKE_KEY);
        const endpoint = resolvedLlm({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }, { FSPEC_CREW_API_KEY: FAKE_KEY });
        for (const llm of [named, endpoint]) {
            expect(llm.apiKey).toBe(FAKE_KEY);
            expectNoKey(llm, llm.describe, llm.keySource);
        }
    });
});
