import type { CrewLlm, CrewLlmSettings, CrewEnv } from './llm.js';

/** The crew's settings (`fspec.crew.*`): the model, and how long one model call may take. */
export interface CrewSettings extends CrewLlmSettings {
    timeoutSeconds?: number;
}

/** A model call that takes longer is given up on: slow local models fit, a stalled endpoint does not hang a run. */
const defaultTimeoutSeconds = 120;

/**
 * The model the crew's Planner uses, or none (offline). pi-ai and its provider SDKs are loaded only
 * when a provider or endpoint is configured, so an offline server or CLI never pays for them.
 * A misconfiguration (unknown provider or model) throws, naming what is known.
 */
export async function crewModel(settings: CrewSettings, env: CrewEnv, secretKey?: string): Promise<{ llm?: CrewLlm, describe: string, timeoutMs: number }> {
    const timeoutMs = 1000 * (settings.timeoutSeconds || Number(env.FSPEC_CREW_TIMEOUT_SECONDS) || defaultTimeoutSeconds);
    const configured = [settings.provider, settings.baseUrl, env.FSPEC_CREW_PROVIDER, env.FSPEC_CREW_BASE_URL].some(v => v?.trim());
    if (!configured) {
        return { describe: 'offline', timeoutMs };
    }
    const { resolveCrewLlm } = await import('./llm.js');
    const resolved = resolveCrewLlm(settings, env, secretKey);
    return resolved.mode === 'llm' ? { llm: resolved, describe: resolved.describe, timeoutMs } : { describe: `offline (${resolved.reason})`, timeoutMs };
}
