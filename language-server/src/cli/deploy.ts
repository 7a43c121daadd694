import type { FspecServices } from '../fspec-module.js';
import { formatAcceptanceReport } from '../compiler/tester/index.js';
import { deployApprovedVersion } from '../crew/roles/deployer.js';
import { SandboxError } from '../sandbox/index.js';
import type { CommandResult } from './commands.js';
import { InputError, readSpecText } from './load.js';
import { runDateOption, sandboxOption } from './test.js';

export interface DeployOptions {
    sandbox?: string;
    today?: string;
    json?: boolean;
}

/**
 * `fspec deploy`: the Deployer builds the approved version's app, runs its acceptance tests in the
 * sandbox and only then marks the version deployed. Exit 0 deployed, 1 failed or refused (the
 * deployed version then stays what it was), 2 bad input.
 */
export async function deployCommand(services: FspecServices, file: string, options: DeployOptions): Promise<CommandResult> {
    const sandbox = sandboxOption(options.sandbox);
    const today = runDateOption(options.today);
    const text = readSpecText(file);
    let result;
    try {
        result = await deployApprovedVersion(services, file, text, { sandbox, today });
    } catch (error) {
        if (error instanceof SandboxError) {
            throw new InputError(error.message);
        }
        throw error;
    }
    const exitCode = result.status === 'deployed' ? 0 : 1;
    if (options.json) {
        return { stdout: JSON.stringify(result, null, 2), exitCode };
    }
    return { stdout: [...result.report ? [formatAcceptanceReport(result.report)] : [], result.message].join('\n'), exitCode };
}
