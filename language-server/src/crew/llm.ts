import { findEnvKeys, getEnvApiKey, getModels, getProviders, type Api, type KnownProvider, type Model } from '@mariozechner/pi-ai';
import { editDistance } from './engine/attributes.js';
import { CrewLlmError } from './llm-errors.js';

/**
 * Which model the crew talks to, from the user's settings, the environment and a stored key. With
 * nothing configured the crew stays offline (its deterministic roles, no network); a typo in the
 * provider or model is an error rather than a silent fallback, so the user learns about it.
 */

export { askStructured, askText } from './llm-ask.js';
export type { AskOptions, CrewLlmEvent, CrewLlmUsage, StructuredAskOptions, StructuredRequest, TextRequest } from './llm-ask.js';
export { CrewLlmError, type CrewLlmErrorKind } from './llm-errors.js';
export { getModels, getProviders } from '@mariozechner/pi-ai';

/** The VS Code settings `fspec.crew.provider`, `fspec.crew.model`, `fspec.crew.baseUrl`. */
export interface CrewLlmSettings { provider?: string; model?: string; baseUrl?: string }

export type CrewEnv = Record<string, string | undefined>;

export interface CrewOffline { mode: 'offline'; reason: string }

export interface CrewLlm {
    mode: 'llm';
    model: Model<Api>;
    /** Not enumerable, so logging or serializing this object does not print it. */
    apiKey: string;
    /** Where the key came from, e.g. 'ANTHROPIC_API_KEY', so an auth error says what to check. */
    keySource: string;
    /** The model as messages name it: 'anthropic/claude-sonnet-4-5', 'openai/gpt-x at http://127.0.0.1:1234/v1'. */
    describe: string;
}

/** Sent to an endpoint configured without a key; the OpenAI SDK refuses to send none, and local servers ignore it. */
const NO_KEY = 'none';
const STORED_KEY = 'the key stored for the crew';
const CLOSE_IDS_SHOWN = 5;

/** Each setting wins over its environment variable; empty strings (VS Code's defaults) count as unset. */
export function mergeCrewLlmSettings(settings: CrewLlmSettings, env: CrewEnv): CrewLlmSettings {
    const pick = (setting: string | undefined, variable: string) => nonEmpty(setting) ?? nonEmpty(env[variable]);
    return {
        provider: pick(settings.provider, 'FSPEC_CREW_PROVIDER'),
        model: pick(settings.model, 'FSPEC_CREW_MODEL'),
        baseUrl: pick(settings.baseUrl, 'FSPEC_CREW_BASE_URL')
    };
}

/**
 * The crew's model, or why it runs offline. The key is `secretKey` (VS Code's SecretStorage) when
 * given; otherwise, for a named provider, pi-ai's lookup of that provider's variable in the process
 * environment (e.g. ANTHROPIC_API_KEY), and for a baseUrl, FSPEC_CREW_API_KEY. A provider's key is
 * never sent to a custom baseUrl. Throws a CrewLlmError of kind 'config' for an unknown provider or model.
 */
export function resolveCrewLlm(settings: CrewLlmSettings, env: CrewEnv, secretKey?: string): CrewOffline | CrewLlm {
    const { provider, model, baseUrl } = mergeCrewLlmSettings(settings, env);
    const storedKey = nonEmpty(secretKey);
    if (baseUrl) {
        const endpointKey = storedKey ?? nonEmpty(env.FSPEC_CREW_API_KEY);
        const keySource = storedKey ? STORED_KEY : endpointKey ? 'FSPEC_CREW_API_KEY' : 'FSPEC_CREW_API_KEY (unset, so no key was sent)';
        return crewLlm(endpointModel(baseUrl, model, provider), endpointKey ?? NO_KEY, keySource, ` at ${baseUrl}`);
    }
    if (!provider) {
        return { mode: 'offline', reason: 'no fspec.crew.provider or fspec.crew.baseUrl set (nor FSPEC_CREW_PROVIDER or FSPEC_CREW_BASE_URL)' };
    }
    const known = providerModel(provider, model);
    if (storedKey) {
        return crewLlm(known, storedKey, STORED_KEY, '');
    }
    const envKey = getEnvApiKey(provider);
    if (!envKey) {
        return { mode: 'offline', reason: `no API key for ${provider}: none is stored for the crew and none of pi-ai's environment variables for ${provider} is set` };
    }
    return crewLlm(known, envKey, findEnvKeys(provider)?.[0] ?? `${provider}'s credentials`, '');
}

function crewLlm(model: Model<Api>, apiKey: string, keySource: string, where: string): CrewLlm {
    const llm = { mode: 'llm', model, keySource, describe: `${model.provider}/${model.id}${where}` } as CrewLlm;
    Object.defineProperty(llm, 'apiKey', { value: apiKey, enumerable: false });
    return llm;
}

function providerModel(provider: string, modelId: string | undefined): Model<Api> {
    const providers: string[] = getProviders();
    if (!providers.includes(provider)) {
        const [nearest] = closest(providers, provider);
        throw new CrewLlmError('config', `Unknown fspec.crew.provider "${provider}" (did you mean "${nearest}"?); known providers: ${providers.join(', ')}.`);
    }
    const models: Model<Api>[] = getModels(provider as KnownProvider);
    const ids = models.map(model => model.id);
    if (!modelId) {
        throw new CrewLlmError('config', `fspec.crew.model is empty; set it to one of ${provider}'s models: ${ids.join(', ')}.`);
    }
    const model = models.find(candidate => candidate.id === modelId);
    if (!model) {
        throw new CrewLlmError('config', `${provider} has no model "${modelId}"; close ids: ${closest(ids, modelId).join(', ')}.`);
    }
    return model;
}

/** A plain OpenAI-compatible model (Ollama, LM Studio, vLLM, a proxy): pi-ai needs nothing more than this. */
function endpointModel(baseUrl: string, modelId: string | undefined, provider: string | undefined): Model<'openai-completions'> {
    if (!isHttpUrl(baseUrl)) {
        throw new CrewLlmError('config', `fspec.crew.baseUrl "${baseUrl}" is not an http(s) URL; use one like http://127.0.0.1:11434/v1.`);
    }
    if (!modelId) {
        throw new CrewLlmError('config', `fspec.crew.model is empty; set it to the id of the model to ask at ${baseUrl}.`);
    }
    return {
        id: modelId, name: modelId, api: 'openai-completions', provider: provider ?? 'openai-compatible', baseUrl,
        reasoning: false, input: ['text'], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        contextWindow: 128_000, maxTokens: 16_384
    };
}

/** 'localhost:11434' parses as a URL with the scheme 'localhost:', hence the protocol check. (No URL.parse: VS Code 1.91 runs the server on Node 20.) */
function isHttpUrl(text: string): boolean {
    try {
        return /^https?:$/.test(new URL(text).protocol);
    } catch {
        return false;
    }
}

function nonEmpty(value: string | undefined): string | undefined {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
}

/** The candidates nearest to a mistyped name by edit distance. */
function closest(candidates: string[], wanted: string): string[] {
    const scored = candidates.map(candidate => ({ candidate, distance: editDistance(candidate.toLowerCase(), wanted.toLowerCase()) }));
    return scored.sort((a, b) => a.distance - b.distance).slice(0, CLOSE_IDS_SHOWN).map(({ candidate }) => candidate);
}
