import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { FspecServices } from '../fspec-module.js';
import { applyRollback, planRollback, RollbackRefusal, type RollbackPlan } from '../crew/rollback.js';
import { specRelative } from '../crew/stored-records.js';
import { describeOp } from '../model/record-migration-ops.js';
import type { CommandResult } from './commands.js';
import { readSpecText } from './load.js';

export interface RollbackOptions {
    to: string;
    /** Roll back without asking. */
    yes?: boolean;
    json?: boolean;
}

/** Where the confirmation is read from and the plan written to. */
export interface RollbackTerminal {
    input: Readable;
    /** The plan and the question; stdout keeps only the result. */
    messages: Writable;
    /** Whether `input` is a terminal (the question is shown) or a queue of answers. */
    interactive: boolean;
}

/**
 * `fspec rollback`: shows what rolling the spec back to an approved version restores, asks (unless
 * --yes), then restores and commits. Exit 1 when refused or not confirmed; nothing changed then.
 */
export async function rollbackCommand(services: FspecServices, file: string, options: RollbackOptions, terminal: RollbackTerminal): Promise<CommandResult> {
    readSpecText(file);
    const result = (status: string, message: string, exitCode: number, details: object = {}): CommandResult => ({
        stdout: options.json ? JSON.stringify({ status, message, ...details }, null, 2) : message, exitCode
    });
    try {
        const plan = await planRollback(services, path.resolve(file), options.to);
        terminal.messages.write(`${formatRollbackPlan(plan)}\n`);
        if (!options.yes && !(await confirmed(terminal, `Roll ${plan.spec} back from ${plan.from} to ${plan.to}? [y/N] `))) {
            return result('declined', `Nothing was rolled back; ${plan.spec} stays at ${plan.from}.`, 1);
        }
        const { message, ...rolledBack } = await applyRollback(plan);
        return result('rolled-back', message, 0, rolledBack);
    } catch (error) {
        if (error instanceof RollbackRefusal) {
            return result('refused', error.message, 1);
        }
        throw error;
    }
}

/** What the rollback restores, undoes and deletes, for the terminal. */
export function formatRollbackPlan(plan: RollbackPlan): string {
    const relative = (file: string) => specRelative(plan.specPath, file);
    return [
        `Rollback of ${plan.spec} from ${plan.from} to ${plan.to}${plan.stage ? ` (stage ${plan.stage})` : ''}:`,
        ...plan.undone.flatMap(u => [`  Undo the migration to ${u.version}:`, ...u.inverse.map(op => `    ${describeOp(op)}`)]),
        ...plan.files.map(f => `  ${f.text === undefined ? 'delete' : 'write '} ${relative(f.file)}`)
    ].join('\n');
}

/** One answer line: `y` or `yes` confirms; anything else, or no answer, does not. */
async function confirmed(terminal: RollbackTerminal, question: string): Promise<boolean> {
    if (terminal.interactive) {
        terminal.messages.write(question);
    }
    const lines = createInterface({ input: terminal.input, terminal: false });
    try {
        for await (const line of lines) {
            return /^\s*(y|yes)\s*$/i.test(line);
        }
        return false;
    } finally {
        lines.close();
    }
}
