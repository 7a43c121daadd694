import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { FspecServices } from '../fspec-module.js';
import { crewModel } from '../crew/crew-model.js';
import { interruptedRun, runGrowth, type ReviewAnswer } from '../crew/growth-run.js';
import type { GrowthStatus } from '../crew/mutation-pr.js';
import { atomicWrite } from '../lineage/atomic-write.js';
import { SpecRepository } from '../lineage/spec-repository.js';
import type { CommandResult } from './commands.js';
import { readSpecText } from './load.js';
import { formatMutationPr } from './mutation-pr-text.js';

export interface GrowOptions {
    /** Approve without asking. */
    yes?: boolean;
    /** Ask on the terminal even when stdin is not one. */
    interactive?: boolean;
    json?: boolean;
    /** Continue an interrupted run. */
    resume?: string;
    /** Create a git repository in the spec's folder when it has none. */
    init?: boolean;
}

/** Where the review is read from and progress written to. */
export interface GrowTerminal {
    input: Readable;
    /** Progress, the mutation PR and the questions; stdout keeps only the result. */
    messages: Writable;
    /** Whether `input` is a terminal (prompts are shown) or a queue of answers (one per line). */
    interactive: boolean;
}

const exitCodes: Record<GrowthStatus, number> = {
    'grown': 0, 'nothing-to-grow': 0, 'rejected': 0, 'awaiting-review': 0, 'vetoed': 1, 'failed': 1, 'cancelled': 130
};

/** `fspec grow`: the crew grows the spec from its new desires; the mutation PR is reviewed here. */
export async function growCommand(services: FspecServices, file: string, options: GrowOptions, terminal: GrowTerminal): Promise<CommandResult> {
    const specPath = path.resolve(file);
    const text = readSpecText(file);
    if (options.init) {
        const opened = await SpecRepository.open(specPath);
        if (opened.kind === 'not-a-repository') {
            await SpecRepository.init(opened.folder);
            terminal.messages.write(`Initialized a git repository in ${opened.folder} for the lineage.\n`);
        }
    }
    const interrupted = options.resume ? undefined : interruptedRun(specPath);
    if (interrupted) {
        terminal.messages.write(`An earlier run stopped after its ${interrupted.step || 'start'} step without finishing; \`fspec grow ${file} --resume ${interrupted.runId}\` continues it.\n`);
    }
    const { llm, describe, timeoutMs } = await crewModel({}, process.env);
    terminal.messages.write(`Growing ${path.basename(specPath)} with the ${describe === 'offline' ? 'offline crew' : `crew on ${describe}`}…\n`);
    const answers = answerReader(terminal.input);
    const controller = new AbortController();
    const interrupt = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', interrupt);
    try {
        const result = await runGrowth(services, {
            specPath, text, llm, llmTimeoutMs: timeoutMs, resume: options.resume, signal: controller.signal,
            deploy: (target, grown) => atomicWrite(target, grown),
            onEvent: event => {
                if (event.kind === 'stage' && event.status !== 'completed') {
                    terminal.messages.write(`  ${event.role ? `${event.role}: ` : ''}${event.label}${event.status === 'started' ? '' : ` (${event.status}${event.detail ? `: ${event.detail}` : ''})`}\n`);
                }
            },
            review: async pr => {
                terminal.messages.write(`\n${formatMutationPr(pr)}\n\n`);
                if (options.yes) {
                    terminal.messages.write('Approved (--yes).\n');
                    return { decision: 'approve' };
                }
                return askReview(answers, terminal.messages, options.interactive || terminal.interactive);
            }
        });
        if (result.status === 'vetoed' && result.pr && !options.json) {
            terminal.messages.write(`\n${formatMutationPr(result.pr)}\n\n`);
        }
        // The growth is recorded but its app did not pass: the result says why; the report is one command away.
        if (result.deployment?.status === 'failed' && !options.json) {
            terminal.messages.write(`\`fspec deploy ${file}\` shows the acceptance report, and deploys ${result.deployment.version ?? 'the approved version'} once its tests pass.\n`);
        }
        return { stdout: options.json ? JSON.stringify(result, null, 2) : result.message, exitCode: exitCodes[result.status] };
    } finally {
        process.off('SIGINT', interrupt);
        answers.close();
    }
}

/** Answers come one per line: `a`/`approve`, or `r`/`reject` followed by the reason. */
async function askReview(answers: AnswerReader, messages: Writable, prompt: boolean): Promise<ReviewAnswer> {
    for (;;) {
        if (prompt) {
            messages.write('Approve this growth? [a]pprove, [r]eject <reason>: ');
        }
        const line = await answers.next();
        if (line === undefined) {
            messages.write('\nNo answer: the growth is rejected.\n');
            return { decision: 'reject', reason: 'no answer given' };
        }
        const answer = /^\s*(a|approve|y|yes)\s*$/i.exec(line) ? 'approve' : /^\s*(r|reject|n|no)\b\s*(.*)$/i.exec(line);
        if (answer === 'approve') {
            return { decision: 'approve' };
        }
        if (answer) {
            let reason = answer[2].trim();
            if (!reason && prompt) {
                messages.write('Why? ');
                reason = (await answers.next())?.trim() ?? '';
            }
            return { decision: 'reject', reason: reason || 'no reason given' };
        }
        messages.write(`Answer "a" to approve or "r <reason>" to reject (got "${line.trim()}").\n`);
    }
}

interface AnswerReader {
    next(): Promise<string | undefined>;
    close(): void;
}

/**
 * Lines of the input, read only when a question needs one: a growth that asks nothing (`--yes`)
 * never touches stdin, so an open pipe there cannot keep the command from exiting once it is done.
 */
function answerReader(input: Readable): AnswerReader {
    let lines: AsyncIterator<string> | undefined;
    let closed = false;
    return {
        next: async () => {
            if (closed) {
                return undefined;
            }
            lines ??= createInterface({ input, terminal: false })[Symbol.asyncIterator]();
            return (await lines.next()).value as string | undefined;
        },
        close: () => {
            closed = true;
            void lines?.return?.();
            // Reading stdin keeps the process alive while the pipe stays open: done with it, let it go.
            input.pause();
            input.destroy();
        }
    };
}
