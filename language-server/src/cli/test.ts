import type { FspecServices } from '../fspec-module.js';
import { AcceptanceInputError, formatAcceptanceReport, runAcceptance } from '../compiler/tester/index.js';
import { SandboxError, type SandboxKind } from '../sandbox/index.js';
import type { CommandResult } from './commands.js';
import { displayPath } from './format.js';
import { InputError, readSpecText } from './load.js';

export interface TestOptions {
    sandbox?: string;
    today?: string;
    json?: boolean;
    /** The build folder (default: .factory/build/<version>/ beside the spec). */
    out?: string;
}

const sandboxes: SandboxKind[] = ['local', 'daytona'];

/** `--sandbox`, checked: local (the default) or daytona. */
export function sandboxOption(value: string | undefined): SandboxKind {
    const sandbox = (value ?? 'local') as SandboxKind;
    if (!sandboxes.includes(sandbox)) {
        throw new InputError(`--sandbox ${value}: choose local or daytona`);
    }
    return sandbox;
}

/** `--today`, checked: a YYYY-MM-DD date, or absent. */
export function runDateOption(value: string | undefined): string | undefined {
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        throw new InputError(`--today ${value}: give a date as YYYY-MM-DD`);
    }
    return value;
}

/**
 * `fspec test`: builds the app (as `fspec build` does, edited bodies kept), runs its pipelines on
 * the sample records and the generated edge cases in a sandbox, then every acceptance check.
 * Exit 0 when every test passes, 1 when one fails or is not grown (or the spec has errors), 2 for bad input.
 */
export async function testCommand(services: FspecServices, file: string, tests: string[], options: TestOptions): Promise<CommandResult> {
    const sandbox = sandboxOption(options.sandbox);
    runDateOption(options.today);
    const text = readSpecText(file);
    let report;
    try {
        report = await runAcceptance(services, file, text, { sandbox, today: options.today, tests, write: true, out: options.out });
    } catch (error) {
        if (error instanceof SandboxError || error instanceof AcceptanceInputError) {
            throw new InputError(error.message);
        }
        throw error;
    }
    if (options.json) {
        return { stdout: JSON.stringify(report, null, 2), exitCode: report.ok ? 0 : 1 };
    }
    const built = report.errors?.length ? [] : [`App built into ${displayPath(report.build.out)}${report.build.kept.length ? `; bodies edited by hand: ${report.build.kept.join(', ')}` : ''}.`];
    return { stdout: [...built, formatAcceptanceReport(report)].join('\n'), exitCode: report.ok ? 0 : 1 };
}
