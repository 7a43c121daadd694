import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { AnswerValue, QuestionType, type Question } from '../../../language-server/src/crew/engine/index.js';
import {
    answerFile,
    answerQuestion,
    FileQuestionInterviewer,
    listQuestions,
    parseAnswer,
    questionFile,
    questionId,
    QuestionStoreError,
    type StoredQuestion
} from '../../../language-server/src/crew/engine/question-store.js';
import { runDot, useTempDirs } from './helpers.js';

const dirs = useTempDirs();

const gateQuestion: Question = {
    text: 'Deploy?',
    type: QuestionType.MULTIPLE_CHOICE,
    options: [{ key: 'Y', label: '[Y] Yes, deploy' }, { key: 'N', label: '[N] No' }],
    stage: 'gate',
    metadata: {}
};

const stored = (overrides: Partial<StoredQuestion>): StoredQuestion => ({
    id: 'q-1', node: 'n', stage: 'n', text: 't', type: QuestionType.MULTIPLE_CHOICE, options: [], asked_at: '', ...overrides
});

function errorOf(f: () => unknown): QuestionStoreError {
    try {
        f();
    } catch (e) {
        expect(e).toBeInstanceOf(QuestionStoreError);
        return e as QuestionStoreError;
    }
    throw new Error('expected a QuestionStoreError');
}

async function until(what: string, probe: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !probe(); i++) {
        await new Promise(resolve => setTimeout(resolve, 10));
    }
    if (!probe()) {
        throw new Error(`never: ${what}`);
    }
}

describe('file-backed question store', () => {
    test('[#74] ask() writes q-1.json and blocks until an answer file appears; the answer is what answerQuestion wrote', async () => {
        const logs = dirs();
        const asked: string[] = [];
        const interviewer = new FileQuestionInterviewer(logs, { pollMs: 10, onAsked: (q, path) => asked.push(`${q.id} ${path}`), now: () => new Date('2026-03-17T10:00:00Z') });
        let settled = false;
        const answer = interviewer.ask(gateQuestion).finally(() => settled = true);
        await until('the question file', () => existsSync(questionFile(logs, 'q-1')));
        expect(JSON.parse(readFileSync(questionFile(logs, 'q-1'), 'utf8'))).toEqual({
            id: 'q-1', node: 'gate', stage: 'gate', text: 'Deploy?', type: 'MULTIPLE_CHOICE',
            options: [{ key: 'Y', label: '[Y] Yes, deploy' }, { key: 'N', label: '[N] No' }],
            asked_at: '2026-03-17T10:00:00.000Z'
        });
        expect(asked).toEqual([`q-1 ${join(logs, 'questions', 'q-1.json')}`]);
        await new Promise(resolve => setTimeout(resolve, 50));
        expect(settled).toBe(false);
        expect(answerQuestion(logs, 'q-1', 'n', () => new Date('2026-03-17T10:01:00Z'))).toEqual({
            value: 'N', selected_option: { key: 'N', label: '[N] No' }, answered_by: 'human', answered_at: '2026-03-17T10:01:00.000Z'
        });
        expect(await answer).toEqual({ value: 'N', selected_option: { key: 'N', label: '[N] No' } });
        // No temporary files are left behind.
        expect(readdirSync(join(logs, 'questions')).sort()).toEqual(['q-1.answer.json', 'q-1.json']);
    });

    test('questions are numbered in the order asked; a question left open by a dead run is asked again under its id', async () => {
        const logs = dirs();
        const first = new FileQuestionInterviewer(logs, { pollMs: 10 });
        const controller = new AbortController();
        const pending = first.ask(gateQuestion, controller.signal);
        await until('q-1', () => existsSync(questionFile(logs, 'q-1')));
        controller.abort(new Error('the run died'));
        await expect(pending).rejects.toThrow('the run died');
        expect(existsSync(answerFile(logs, 'q-1'))).toBe(false);

        // The resumed run reaches the same gate: same question, q-1 again; an answer written meanwhile counts.
        answerQuestion(logs, 'q-1', 'Y');
        const resumed = new FileQuestionInterviewer(logs, { pollMs: 10 });
        expect(await resumed.ask(gateQuestion)).toEqual({ value: 'Y', selected_option: { key: 'Y', label: '[Y] Yes, deploy' } });
        expect(listQuestions(logs)).toEqual([expect.objectContaining({ id: 'q-1', taken_at: expect.any(String) })]);
        // Answered now, so the next visit of the gate is a new question.
        const next = resumed.ask({ ...gateQuestion, text: 'Deploy again?' });
        await until('q-2', () => existsSync(questionFile(logs, 'q-2')));
        answerQuestion(logs, 'q-2', 'yes, deploy');
        expect((await next).value).toBe('Y');
        expect(listQuestions(logs).map(q => q.id)).toEqual(['q-1', 'q-2']);
    });

    test('[§6.5] no answer within timeout_seconds: TIMEOUT, recorded so that a late answer is refused', async () => {
        const logs = dirs();
        const interviewer = new FileQuestionInterviewer(logs, { pollMs: 10, timeoutSeconds: 0.05 });
        expect(await interviewer.ask(gateQuestion)).toEqual({ value: AnswerValue.TIMEOUT });
        expect(JSON.parse(readFileSync(answerFile(logs, 'q-1'), 'utf8'))).toMatchObject({ value: 'TIMEOUT', answered_by: 'timeout' });
        expect(JSON.parse(readFileSync(questionFile(logs, 'q-1'), 'utf8')).timeout_seconds).toBe(0.05);
        expect(errorOf(() => answerQuestion(logs, 'q-1', 'Y')).message).toMatch(/^q-1 timed out at .*; the run went on without an answer$/);
        // A question's own timeout wins over the interviewer's.
        expect(await interviewer.ask({ ...gateQuestion, text: 'Again?', timeout_seconds: 0.01 })).toEqual({ value: AnswerValue.TIMEOUT });
        expect(listQuestions(logs)[1].timeout_seconds).toBe(0.01);
    });

    test('answerQuestion refuses unknown questions, second answers and answers that do not fit', () => {
        const logs = dirs();
        expect(errorOf(() => answerQuestion(logs, 'q-1', 'Y')).message).toBe(`${logs} has no question q-1 (no questions were asked there)`);
        expect(errorOf(() => answerQuestion(logs, 'first', 'Y')).message).toBe('"first" is not a question id; ids look like q-1');
        // ask() writes the question before it first waits; the run's signal is already aborted here.
        new FileQuestionInterviewer(logs).ask(gateQuestion, AbortSignal.abort()).catch(() => undefined);
        expect(errorOf(() => answerQuestion(logs, 'q-1', 'maybe')).message).toBe('"maybe" is not an option of q-1; answer one of: Y ([Y] Yes, deploy), N ([N] No)');
        expect(errorOf(() => answerQuestion(logs, 'q-1', '  ')).message).toBe('an empty answer does not answer q-1');
        expect(answerQuestion(logs, '1', 'Yes, deploy').value).toBe('Y');
        expect(errorOf(() => answerQuestion(logs, 'q-1', 'N')).message).toMatch(/^q-1 is already answered: Y \(\[Y\] Yes, deploy\) at /);
        expect(questionId('q-12.json')).toBe('q-12');
    });

    test('answers by question type: keys and labels, yes/no, free text; a key two options share needs the label', () => {
        const choices = stored({ options: [{ key: 'R', label: 'Retry' }, { key: 'R', label: 'Reject' }, { key: 'A', label: '[A] Approve' }] });
        expect(parseAnswer(choices, 'a')).toEqual({ value: 'A', selected_option: { key: 'A', label: '[A] Approve' } });
        expect(parseAnswer(choices, 'approve')).toEqual({ value: 'A', selected_option: { key: 'A', label: '[A] Approve' } });
        expect(parseAnswer(choices, 'Reject')).toEqual({ value: 'Reject' });
        expect(() => parseAnswer(choices, 'r')).toThrow('"r" is the key of 2 options of q-1 (Retry, Reject); answer with the option\'s label');
        for (const type of [QuestionType.YES_NO, QuestionType.CONFIRMATION]) {
            expect(parseAnswer(stored({ type }), 'Yes')).toEqual({ value: AnswerValue.YES });
            expect(parseAnswer(stored({ type }), 'n')).toEqual({ value: AnswerValue.NO });
            expect(() => parseAnswer(stored({ type }), 'perhaps')).toThrow('q-1 is a yes/no question; answer yes or no (got "perhaps")');
        }
        expect(parseAnswer(stored({ type: QuestionType.FREEFORM }), ' ship on Friday ')).toEqual({ value: 'ship on Friday', text: 'ship on Friday' });
    });

    describe('answering wait.human gates of a run', () => {
        const dot = `digraph g {
            start [shape=Mdiamond]
            gate [shape=hexagon, label="Ship?"${'$DEFAULT'}]
            ship
            hold
            done [shape=Msquare]
            start -> gate
            gate -> ship [label="[S] Ship"]
            gate -> hold [label="[H] Hold"]
            ship -> done
            hold -> done
        }`;

        test('[#59] the answer routes the run', async () => {
            const logs = dirs();
            const run = runDot(dot.replace('$DEFAULT', ''), logs, { defaults: { interviewer: new FileQuestionInterviewer(logs, { pollMs: 10 }) } });
            await until('q-1', () => existsSync(questionFile(logs, 'q-1')));
            answerQuestion(logs, 'q-1', 'H');
            const result = await run;
            expect(result.status).toBe('success');
            expect(result.completed_nodes).toEqual(['start', 'gate', 'hold', 'done']);
        });

        test('[#60 S16] a timeout takes human.default_choice; without one the gate retries and then fails', async () => {
            const withDefault = dirs();
            const defaulted = await runDot(dot.replace('$DEFAULT', ', human.default_choice="hold"'), withDefault,
                { defaults: { interviewer: new FileQuestionInterviewer(withDefault, { pollMs: 10, timeoutSeconds: 0.02 }) } });
            expect(defaulted.completed_nodes).toEqual(['start', 'gate', 'hold', 'done']);
            expect(defaulted.events.some(e => e.kind === 'InterviewTimeout')).toBe(true);

            const without = dirs();
            const failed = await runDot(dot.replace('$DEFAULT', ''), without,
                { defaults: { interviewer: new FileQuestionInterviewer(without, { pollMs: 10, timeoutSeconds: 0.02 }) } });
            expect(failed.status).toBe('fail');
            expect(failed.failure_reason).toBe('max retries exceeded: human gate timeout, no default');
        });
    });
});
