/**
 * Human gates answered from another process (§6): a run's questions are files in
 * `{logs_root}/questions/`, and an answer is a file written beside its question. The run writes
 * `q-<N>.json` and waits (polling) for `q-<N>.answer.json`, which `answerQuestion` — behind
 * `fspec pipeline answer` — writes after checking it against the question. An answer file is
 * created at most once (write a temporary file, then hard-link it into place), so a second answer,
 * or an answer racing the question's timeout, is refused rather than lost.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { writeFileAtomic } from './checkpoint.js';
import { normalizeLabel } from './edge-selection.js';
import { AnswerValue, QuestionType, type Answer, type Interviewer, type Option, type Question } from './interviewer.js';

export const QUESTIONS_DIR = 'questions';

/** `q-<N>.json`: what the run asks. */
export interface StoredQuestion {
    /** `q-1`, `q-2`, … in the order asked. */
    readonly id: string;
    /** The node that asks (a wait.human node). */
    readonly node: string;
    /** The §6.2 `stage` of the question: the asking node's id, as handlers set it. */
    readonly stage: string;
    readonly text: string;
    readonly type: QuestionType;
    readonly options: readonly Option[];
    /** What the gate takes when the question times out. */
    readonly default?: Answer;
    /** How long the run waits for an answer; absent when it waits until cancelled. */
    readonly timeout_seconds?: number;
    /** ISO 8601. */
    readonly asked_at: string;
    /** When the run took the answer (ISO 8601); absent while the run has not, e.g. it died waiting. */
    readonly taken_at?: string;
}

/** `q-<N>.answer.json`: the answer, by a human (through answerQuestion) or by the run when the question timed out. */
export interface StoredAnswer extends Answer {
    readonly answered_by: 'human' | 'timeout';
    /** ISO 8601. */
    readonly answered_at: string;
}

/** A question that does not exist, is already answered, or an answer that does not fit its question. */
export class QuestionStoreError extends Error {
    /** `missing`: no such question (or id); `closed`: answered or timed out already; `invalid`: the answer does not fit, or a file is unreadable. */
    constructor(message: string, readonly kind: 'missing' | 'closed' | 'invalid' = 'invalid') {
        super(message);
        this.name = 'QuestionStoreError';
    }
}

export function questionsDirectory(logsRoot: string): string {
    return join(logsRoot, QUESTIONS_DIR);
}

export function questionFile(logsRoot: string, id: string): string {
    return join(questionsDirectory(logsRoot), `${id}.json`);
}

export function answerFile(logsRoot: string, id: string): string {
    return join(questionsDirectory(logsRoot), `${id}.answer.json`);
}

const QUESTION_FILE = /^q-(\d+)\.json$/;

/** `q-3`, `3` and `q-3.json` all name question `q-3`. */
export function questionId(name: string): string {
    const match = /^(?:q-)?(\d+)(?:\.json)?$/i.exec(name.trim());
    if (!match) {
        throw new QuestionStoreError(`"${name}" is not a question id; ids look like q-1`, 'missing');
    }
    return `q-${Number(match[1])}`;
}

/** The run's questions, in the order asked. */
export function listQuestions(logsRoot: string): StoredQuestion[] {
    const directory = questionsDirectory(logsRoot);
    if (!existsSync(directory)) {
        return [];
    }
    return readdirSync(directory)
        .map(name => QUESTION_FILE.exec(name))
        .filter((match): match is RegExpExecArray => match !== null)
        .sort((a, b) => Number(a[1]) - Number(b[1]))
        .map(match => readJson<StoredQuestion>(join(directory, match[0])));
}

/** The question's answer, or undefined while it is open. */
export function readAnswer(logsRoot: string, id: string): StoredAnswer | undefined {
    const path = answerFile(logsRoot, id);
    return existsSync(path) ? readJson<StoredAnswer>(path) : undefined;
}

function readJson<T>(path: string): T {
    try {
        return JSON.parse(readFileSync(path, 'utf8')) as T;
    } catch (e) {
        throw new QuestionStoreError(`${path} is not readable JSON: ${(e as Error).message}`);
    }
}

let temporaryCount = 0;

/** Creates `path` with `text` unless it exists (then false); readers never see a partial file. */
function createOnce(path: string, text: string): boolean {
    const temporary = `${path}.${process.pid}.${temporaryCount++}.tmp`;
    writeFileSync(temporary, text);
    try {
        linkSync(temporary, path);
        return true;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
            return false;
        }
        throw e;
    } finally {
        rmSync(temporary, { force: true });
    }
}

export interface FileQuestionOptions {
    /** How often the answer file is looked for; 250 ms by default. */
    readonly pollMs?: number;
    /** The wait for a question that sets no `timeout_seconds` of its own; no limit when absent. */
    readonly timeoutSeconds?: number;
    /** Called once the question file is written (or found open from an earlier process). */
    readonly onAsked?: (question: StoredQuestion, path: string) => void;
    readonly onInform?: (message: string, stage: string) => void;
    readonly now?: () => Date;
}

/**
 * An interviewer whose questions are files under `{logs_root}/questions/`: ask() writes `q-<N>.json`
 * and resolves with the answer file once one appears. On timeout it records a TIMEOUT answer (so a
 * late answer is refused) and returns TIMEOUT; the gate then takes its `default`, or retries (§6.5).
 * Taking an answer stamps the question `taken_at`. A question whose answer a dead run never took is
 * asked again as it is (same id) when the resumed run reaches the same gate, so an answer written
 * meanwhile is not lost.
 */
export class FileQuestionInterviewer implements Interviewer {
    constructor(private readonly logsRoot: string, private readonly options: FileQuestionOptions = {}) {}

    async ask(question: Question, signal?: AbortSignal): Promise<Answer> {
        const stored = this.store(question);
        const path = questionFile(this.logsRoot, stored.id);
        this.options.onAsked?.(stored, path);
        const deadline = stored.timeout_seconds === undefined ? undefined : Date.now() + stored.timeout_seconds * 1000;
        for (;;) {
            const answer = readAnswer(this.logsRoot, stored.id);
            if (answer) {
                this.taken(stored);
                return toAnswer(answer);
            }
            if (deadline !== undefined && Date.now() >= deadline) {
                const timedOut: StoredAnswer = { value: AnswerValue.TIMEOUT, answered_by: 'timeout', answered_at: this.now() };
                if (createOnce(answerFile(this.logsRoot, stored.id), JSON.stringify(timedOut, null, 2))) {
                    this.taken(stored);
                    return { value: AnswerValue.TIMEOUT };
                }
                continue;
            }
            signal?.throwIfAborted();
            const wait = Math.min(this.options.pollMs ?? 250, deadline === undefined ? Infinity : Math.max(0, deadline - Date.now()));
            await sleepFor(wait, undefined, signal ? { signal } : undefined).catch(() => signal?.throwIfAborted());
        }
    }

    async askMultiple(questions: readonly Question[], signal?: AbortSignal): Promise<Answer[]> {
        const answers: Answer[] = [];
        for (const question of questions) {
            answers.push(await this.ask(question, signal));
        }
        return answers;
    }

    inform(message: string, stage: string): void {
        this.options.onInform?.(message, stage);
    }

    /**
     * Writes the question file, or finds the same question from an earlier process whose answer the
     * run never took (it died waiting, perhaps after the answer was written).
     */
    private store(question: Question): StoredQuestion {
        mkdirSync(questionsDirectory(this.logsRoot), { recursive: true });
        const existing = listQuestions(this.logsRoot);
        const open = existing.findLast(q => q.stage === question.stage && q.text === question.text && q.taken_at === undefined);
        if (open) {
            return open;
        }
        const next = existing.reduce((max, q) => Math.max(max, Number(q.id.slice(2)) || 0), 0) + 1;
        const timeout = question.timeout_seconds ?? this.options.timeoutSeconds;
        const stored: StoredQuestion = {
            id: `q-${next}`,
            node: question.stage,
            stage: question.stage,
            text: question.text,
            type: question.type,
            options: question.options.map(({ key, label }) => ({ key, label })),
            ...(question.default && { default: question.default }),
            ...(timeout !== undefined && { timeout_seconds: timeout }),
            asked_at: this.now()
        };
        writeFileAtomic(questionFile(this.logsRoot, stored.id), JSON.stringify(stored, null, 2));
        return stored;
    }

    /** Marks the question's answer as taken, so the gate's next visit asks anew. */
    private taken(question: StoredQuestion): void {
        writeFileAtomic(questionFile(this.logsRoot, question.id), JSON.stringify({ ...question, taken_at: this.now() }, null, 2));
    }

    private now(): string {
        return (this.options.now?.() ?? new Date()).toISOString();
    }
}

function toAnswer(stored: StoredAnswer): Answer {
    return {
        value: stored.value,
        ...(stored.selected_option && { selected_option: stored.selected_option }),
        ...(stored.text !== undefined && { text: stored.text })
    };
}

const YES = new Set(['y', 'yes']);
const NO = new Set(['n', 'no']);

/** The answer `input` gives to `question`, or a QuestionStoreError saying what would fit. */
export function parseAnswer(question: StoredQuestion, input: string): Answer {
    const given = input.trim();
    if (given === '') {
        throw new QuestionStoreError(`an empty answer does not answer ${question.id}`);
    }
    switch (question.type) {
        case QuestionType.MULTIPLE_CHOICE: {
            const choices = question.options.map(o => `${o.key} (${o.label})`).join(', ');
            const byKey = question.options.filter(o => o.key.toLowerCase() === given.toLowerCase());
            const byLabel = question.options.filter(o => o.label.trim().toLowerCase() === given.toLowerCase() || normalizeLabel(o.label) === normalizeLabel(given));
            const option = byLabel.length === 1 ? byLabel[0] : byKey.length === 1 ? byKey[0] : undefined;
            if (!option) {
                throw new QuestionStoreError(byKey.length > 1
                    ? `"${given}" is the key of ${byKey.length} options of ${question.id} (${byKey.map(o => o.label).join(', ')}); answer with the option's label`
                    : `"${given}" is not an option of ${question.id}; answer one of: ${choices}`);
            }
            // An option whose key another option shares is answered by its label, which the gate matches exactly.
            const shared = question.options.filter(o => o.key.toLowerCase() === option.key.toLowerCase()).length > 1;
            return shared ? { value: option.label } : { value: option.key, selected_option: option };
        }
        case QuestionType.YES_NO:
        case QuestionType.CONFIRMATION: {
            const word = given.toLowerCase();
            if (YES.has(word)) {
                return { value: AnswerValue.YES };
            }
            if (NO.has(word)) {
                return { value: AnswerValue.NO };
            }
            throw new QuestionStoreError(`${question.id} is a yes/no question; answer yes or no (got "${given}")`);
        }
        case QuestionType.FREEFORM:
            return { value: given, text: given };
        default:
            throw new QuestionStoreError(`${question.id} has an unknown question type "${String(question.type)}"`);
    }
}

/**
 * Answers question `id` of the run in `logsRoot` with `input` (an option key or label, yes/no, or
 * free text, as the question's type wants). Throws QuestionStoreError when there is no such question,
 * it is already answered (or timed out), or the answer does not fit.
 */
export function answerQuestion(logsRoot: string, id: string, input: string, now: () => Date = () => new Date()): StoredAnswer {
    const qid = questionId(id);
    const path = questionFile(logsRoot, qid);
    if (!existsSync(path)) {
        const asked = listQuestions(logsRoot).map(q => q.id);
        throw new QuestionStoreError(`${logsRoot} has no question ${qid}${asked.length ? ` (questions: ${asked.join(', ')})` : ' (no questions were asked there)'}`, 'missing');
    }
    const question = readJson<StoredQuestion>(path);
    const earlier = readAnswer(logsRoot, qid);
    if (earlier) {
        throw new QuestionStoreError(alreadyAnswered(qid, earlier), 'closed');
    }
    const answer: StoredAnswer = { ...parseAnswer(question, input), answered_by: 'human', answered_at: now().toISOString() };
    if (!createOnce(answerFile(logsRoot, qid), JSON.stringify(answer, null, 2))) {
        throw new QuestionStoreError(alreadyAnswered(qid, readAnswer(logsRoot, qid)), 'closed');
    }
    return answer;
}

function alreadyAnswered(id: string, answer: StoredAnswer | undefined): string {
    if (answer?.answered_by === 'timeout') {
        return `${id} timed out at ${answer.answered_at}; the run went on without an answer`;
    }
    const given = answer?.selected_option ? `${answer.selected_option.key} (${answer.selected_option.label})` : answer?.value;
    return `${id} is already answered${given ? `: ${given}` : ''}${answer?.answered_at ? ` at ${answer.answered_at}` : ''}`;
}
