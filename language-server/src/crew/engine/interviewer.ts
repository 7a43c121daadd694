/** Human-in-the-loop (§6): questions, answers and the built-in interviewers. */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export const QuestionType = {
    YES_NO: 'YES_NO',
    MULTIPLE_CHOICE: 'MULTIPLE_CHOICE',
    FREEFORM: 'FREEFORM',
    CONFIRMATION: 'CONFIRMATION'
} as const;
export type QuestionType = typeof QuestionType[keyof typeof QuestionType];

export const AnswerValue = { YES: 'YES', NO: 'NO', SKIPPED: 'SKIPPED', TIMEOUT: 'TIMEOUT' } as const;
export type AnswerValue = typeof AnswerValue[keyof typeof AnswerValue];

export interface Option {
    /** Accelerator key, e.g. "Y". */
    readonly key: string;
    readonly label: string;
}

export interface Question {
    readonly text: string;
    readonly type: QuestionType;
    /** For MULTIPLE_CHOICE. */
    readonly options: readonly Option[];
    /** Used when the interviewer answers TIMEOUT (§6.5). */
    readonly default?: Answer;
    readonly timeout_seconds?: number;
    /** The node that asks. */
    readonly stage: string;
    readonly metadata: Readonly<Record<string, unknown>>;
}

export interface Answer {
    /** An AnswerValue, an option key, or free text. */
    readonly value: string;
    readonly selected_option?: Option;
    readonly text?: string;
}

export interface Interviewer {
    /** Resolves when the human (or its stand-in) answers; `signal` aborts a cancelled run's question. */
    ask(question: Question, signal?: AbortSignal): Promise<Answer>;
    askMultiple(questions: readonly Question[], signal?: AbortSignal): Promise<Answer[]>;
    inform(message: string, stage: string): void;
}

/** Shared defaults: questions asked one after the other; informational messages dropped. */
abstract class BaseInterviewer implements Interviewer {
    abstract ask(question: Question, signal?: AbortSignal): Promise<Answer>;

    async askMultiple(questions: readonly Question[], signal?: AbortSignal): Promise<Answer[]> {
        const answers: Answer[] = [];
        for (const question of questions) {
            answers.push(await this.ask(question, signal));
        }
        return answers;
    }

    inform(_message: string, _stage: string): void {}
}

/** Answers YES, the first option, or "auto-approved" (for CI and tests). */
export class AutoApproveInterviewer extends BaseInterviewer {
    async ask(question: Question): Promise<Answer> {
        if (question.type === QuestionType.YES_NO || question.type === QuestionType.CONFIRMATION) {
            return { value: AnswerValue.YES };
        }
        const first = question.options[0];
        if (question.type === QuestionType.MULTIPLE_CHOICE && first) {
            return { value: first.key, selected_option: first };
        }
        return { value: 'auto-approved', text: 'auto-approved' };
    }
}

/** Pre-filled answers in FIFO order, then SKIPPED. */
export class QueueInterviewer extends BaseInterviewer {
    private readonly answers: Answer[];

    constructor(answers: readonly Answer[]) {
        super();
        this.answers = [...answers];
    }

    async ask(): Promise<Answer> {
        return this.answers.shift() ?? { value: AnswerValue.SKIPPED };
    }
}

/** Delegates to a function, e.g. a UI or chat bridge. */
export class CallbackInterviewer extends BaseInterviewer {
    constructor(private readonly callback: (question: Question, signal?: AbortSignal) => Answer | Promise<Answer>) {
        super();
    }

    async ask(question: Question, signal?: AbortSignal): Promise<Answer> {
        return this.callback(question, signal);
    }
}

/** Wraps another interviewer and records every question with its answer. */
export class RecordingInterviewer extends BaseInterviewer {
    readonly recordings: { question: Question; answer: Answer }[] = [];

    constructor(private readonly inner: Interviewer) {
        super();
    }

    async ask(question: Question, signal?: AbortSignal): Promise<Answer> {
        const answer = await this.inner.ask(question, signal);
        this.recordings.push({ question, answer });
        return answer;
    }

    override inform(message: string, stage: string): void {
        this.inner.inform(message, stage);
    }
}

const TIMED_OUT = Symbol('timed out');

/**
 * Asks on a terminal (or any pair of streams): `[?] text`, one `[K] label` line per option, then reads
 * a line. Lines typed ahead are kept for the next question; an ended input answers SKIPPED.
 * A question's `timeout_seconds` is enforced as the file question store does: when it elapses the
 * answer is TIMEOUT (the gate then takes its default), and a line typed after that, before the next
 * question, is a late answer and is refused (dropped with a note), not kept for the next question.
 * `close()` releases the input.
 */
export class ConsoleInterviewer extends BaseInterviewer {
    private readonly typedAhead: string[] = [];
    private waiting: ((line: string | undefined) => void) | undefined;
    private reader: Interface | undefined;
    private ended = false;
    /** The last question timed out and no question has been asked since: a line now is a late answer. */
    private timedOut = false;

    constructor(private readonly input: Readable, private readonly output: Writable) {
        super();
    }

    async ask(question: Question, signal?: AbortSignal): Promise<Answer> {
        this.timedOut = false;
        this.output.write(`[?] ${question.text}\n`);
        const timeout = question.timeout_seconds;
        switch (question.type) {
            case QuestionType.MULTIPLE_CHOICE: {
                for (const option of question.options) {
                    this.output.write(`  [${option.key}] ${option.label}\n`);
                }
                const line = await this.readLine('Select: ', signal, timeout);
                if (line === TIMED_OUT) {
                    return { value: AnswerValue.TIMEOUT };
                }
                if (line === undefined) {
                    return { value: AnswerValue.SKIPPED };
                }
                const response = line.trim().toLowerCase();
                const option = question.options.find(o => o.key.toLowerCase() === response || o.label.toLowerCase() === response);
                return option ? { value: option.key, selected_option: option } : { value: line.trim(), text: line.trim() };
            }
            case QuestionType.YES_NO:
            case QuestionType.CONFIRMATION: {
                const line = await this.readLine('[Y/N]: ', signal, timeout);
                if (line === TIMED_OUT) {
                    return { value: AnswerValue.TIMEOUT };
                }
                if (line === undefined) {
                    return { value: AnswerValue.SKIPPED };
                }
                const response = line.trim().toLowerCase();
                return { value: response === 'y' || response === 'yes' ? AnswerValue.YES : AnswerValue.NO };
            }
            case QuestionType.FREEFORM: {
                const line = await this.readLine('> ', signal, timeout);
                if (line === TIMED_OUT) {
                    return { value: AnswerValue.TIMEOUT };
                }
                return line === undefined ? { value: AnswerValue.SKIPPED } : { value: line, text: line };
            }
        }
    }

    override inform(message: string, stage: string): void {
        this.output.write(`[i] ${stage}: ${message}\n`);
    }

    close(): void {
        this.reader?.close();
    }

    /** The next input line, undefined once the input has ended, or TIMED_OUT after `timeoutSeconds`. */
    private readLine(prompt: string, signal?: AbortSignal, timeoutSeconds?: number): Promise<string | undefined | typeof TIMED_OUT> {
        this.output.write(prompt);
        this.reader ??= createInterface({ input: this.input, terminal: false })
            .on('line', line => this.deliver(line))
            .on('close', () => {
                this.ended = true;
                this.deliver(undefined);
            });
        if (this.typedAhead.length > 0 || this.ended) {
            return Promise.resolve(this.typedAhead.shift());
        }
        return new Promise((resolve, reject) => {
            let timer: NodeJS.Timeout | undefined;
            const onAbort = () => {
                settle();
                reject(signal!.reason);
            };
            const settle = () => {
                this.waiting = undefined;
                clearTimeout(timer);
                signal?.removeEventListener('abort', onAbort);
            };
            this.waiting = line => {
                settle();
                resolve(line);
            };
            if (timeoutSeconds !== undefined) {
                timer = setTimeout(() => {
                    settle();
                    this.timedOut = true;
                    this.output.write(`\n[!] No answer within ${timeoutSeconds}s: timed out\n`);
                    resolve(TIMED_OUT);
                }, Math.max(0, timeoutSeconds * 1000));
            }
            signal?.addEventListener('abort', onAbort, { once: true });
        });
    }

    private deliver(line: string | undefined): void {
        const waiting = this.waiting;
        this.waiting = undefined;
        if (waiting) {
            waiting(line);
        } else if (line !== undefined && this.timedOut) {
            this.output.write(`[!] Late answer "${line}" refused: the question timed out\n`);
        } else if (line !== undefined) {
            this.typedAhead.push(line);
        }
    }
}
