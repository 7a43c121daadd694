import { SandboxError } from './sandbox.js';

/** Where and as whom the Daytona sandbox connects: DAYTONA_API_KEY, DAYTONA_API_URL, DAYTONA_TARGET. */
export interface DaytonaSettings {
    apiKey: string;
    /** Without a trailing slash, which would make the SDK call `…//sandbox`. */
    apiUrl?: string;
    target?: string;
}

export type SandboxEnv = Record<string, string | undefined>;

/**
 * Daytona's settings from the environment, checked before the SDK is loaded so that a missing key
 * is one plain sentence rather than the SDK's authentication error.
 */
export function daytonaSettings(env: SandboxEnv): DaytonaSettings {
    const apiKey = env.DAYTONA_API_KEY?.trim();
    if (!apiKey) {
        throw new SandboxError('Daytona not configured: set DAYTONA_API_KEY (optionally DAYTONA_API_URL, DAYTONA_TARGET).');
    }
    return {
        apiKey,
        apiUrl: env.DAYTONA_API_URL?.trim().replace(/\/+$/, '') || undefined,
        target: env.DAYTONA_TARGET?.trim() || undefined
    };
}
