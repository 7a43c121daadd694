import { daytonaSettings, type SandboxEnv } from './daytona-settings.js';
import { LocalSandbox, type LocalSandboxOptions } from './local-sandbox.js';
import type { Sandbox, SandboxKind } from './sandbox.js';

/**
 * The sandbox of that kind. 'local' runs on this machine; 'daytona' needs DAYTONA_API_KEY in `env`
 * and throws a SandboxError ("Daytona not configured: …") without it. The Daytona SDK is imported
 * on the first Daytona run only (the bundles load it from sandbox-daytona.cjs), so neither the
 * server nor a local run pays for it.
 */
export function createSandbox(kind: SandboxKind, env: SandboxEnv = process.env, localOptions?: LocalSandboxOptions): Sandbox {
    if (kind === 'local') {
        return new LocalSandbox(localOptions);
    }
    const settings = daytonaSettings(env);
    let daytona: Promise<Sandbox> | undefined;
    return {
        kind,
        async run(request) {
            daytona ??= import('./daytona-sandbox.js').then(module => new module.DaytonaSandbox(settings));
            return (await daytona).run(request);
        }
    };
}
