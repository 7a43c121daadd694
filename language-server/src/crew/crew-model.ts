import type { CrewLlm, CrewLlmSettings, CrewEnv } from './llm.js';

/**
 * The model the crew's Planner uses, or none (offline). pi-ai and its provider SDKs are loaded only
 * when a provider or endpoint is configured, so an offline server or CLI never pays for them.
 * A misconfiguration (unknown provider or model) throws, naming what is known.
 */
export async function crewModel(settings: CrewLlmSettings, env: CrewEnv, secretKey?: string): Promise<{ llm?: CrewLlm, describe: string }> {
    const configured = [settings.provider, settings.baseUrl, env.FSPEC_CREW_PROVIDER, env.FSPEC_CREW_BASE_URL].some(v => v?.trim());
    if (!configured) {
        return { describe: 'offline' };
    }
    const { resolveCrewLlm } = await import('./llm.js');
    const resolved = resolveCrewLlm(settings, env, secretKey);
    return resolved.mode === 'llm' ? { llm: resolved, describe: resolved.describe } : { describe: `offline (${resolved.reason})` };
}
