import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import {
    AnswerValue,
    AutoApproveInterviewer,
    CallbackInterviewer,
    ConsoleInterviewer,
    QueueInterviewer,
    QuestionType,
    RecordingInterviewer,
    type Answer,
    type Question
} from '../../../language-server/src/crew/engine/index.js';
import { runDot, useTempDirs } from './helpers.js';

function question(type: Question['type'], extra: Partial<Question> = {}): Question {
    return {
        text: `a ${type} question`,
        type,
        options: type === QuestionType.MULTIPLE_CHOICE ? [{ key: 'A', label: 'Approve' }, { key: 'F', label: 'Fix' }] : [],
        stage: 'gate',
        metadata: {},
        ...extra
    };
}

/** A human gate choosing between two ways on, `now` and `later`, with the gate's extra attributes. */
const nowOrLater = (gateAttributes: string) => `digraph G {
    start [shape=Mdiamond]
    gate [shape=hexagon, label="Ship?"${gateAttributes}]
    now [prompt="now"]
    later [prompt="later"]
    exit [shape=Msquare]
    start -> gate
    gate -> now [label="[N] Now"]
    gate -> later [label="[L] Later"]
    now -> exit
    later -> exit
}`;

describe('human in the loop', () => {
    const tempDir = useTempDirs();

    test('[#74] ask(question) returns an Answer, and the wait.human node blocks until it does', async () => {
        let answer!: (a: Answer) => void;
        const interviewer = new CallbackInterviewer(() => new Promise<Answer>(resolve => { answer = resolve; }));
        const dot = `digraph G {
            start [shape=Mdiamond]
            gate [shape=hexagon, label="Ship?"]
            exit [shape=Msquare]
            start -> gate
            gate -> exit [label="[Y] Yes"]
        }`;
        const finished: string[] = [];
        const running = runDot(dot, tempDir(), { defaults: { interviewer } }).then(result => { finished.push(result.status); return result; });
        await new Promise(resolve => setTimeout(resolve, 20));
        expect(finished).toEqual([]);
        answer({ value: 'Y' });
        expect((await running).completed_nodes).toEqual(['start', 'gate', 'exit']);
    });

    test('[#75] the question types are exactly YES_NO, MULTIPLE_CHOICE, FREEFORM and CONFIRMATION, and each can be asked and answered', async () => {
        expect(Object.values(QuestionType)).toEqual(['YES_NO', 'MULTIPLE_CHOICE', 'FREEFORM', 'CONFIRMATION']);
        const interviewer = new AutoApproveInterviewer();
        for (const type of Object.values(QuestionType)) {
            expect((await interviewer.ask(question(type))).value).toBeTruthy();
        }
    });

    test('[#76] AutoApproveInterviewer: first option for MULTIPLE_CHOICE, YES for YES_NO and CONFIRMATION, "auto-approved" for FREEFORM', async () => {
        const interviewer = new AutoApproveInterviewer();
        expect(await interviewer.ask(question(QuestionType.MULTIPLE_CHOICE))).toEqual({ value: 'A', selected_option: { key: 'A', label: 'Approve' } });
        expect(await interviewer.ask(question(QuestionType.YES_NO))).toEqual({ value: AnswerValue.YES });
        expect(await interviewer.ask(question(QuestionType.CONFIRMATION))).toEqual({ value: AnswerValue.YES });
        expect(await interviewer.ask(question(QuestionType.FREEFORM))).toEqual({ value: 'auto-approved', text: 'auto-approved' });
    });

    test('[#77] ConsoleInterviewer prints [?] text and [K] label lines, reads the selection, handles Y/N and free text', async () => {
        const input = new PassThrough();
        const output = new PassThrough();
        let printed = '';
        output.on('data', chunk => { printed += String(chunk); });
        const interviewer = new ConsoleInterviewer(input, output);
        input.write('f\ny\nship it now\n');
        expect(await interviewer.ask(question(QuestionType.MULTIPLE_CHOICE))).toEqual({ value: 'F', selected_option: { key: 'F', label: 'Fix' } });
        expect(await interviewer.ask(question(QuestionType.YES_NO))).toEqual({ value: AnswerValue.YES });
        expect(await interviewer.ask(question(QuestionType.FREEFORM))).toEqual({ value: 'ship it now', text: 'ship it now' });
        expect(printed).toContain('[?] a MULTIPLE_CHOICE question\n  [A] Approve\n  [F] Fix\nSelect: ');
        expect(printed).toContain('[?] a YES_NO question\n[Y/N]: ');
        const confirming = interviewer.ask(question(QuestionType.CONFIRMATION));
        input.write('n\n');
        expect(await confirming).toEqual({ value: AnswerValue.NO });
        input.end();
        expect(await interviewer.ask(question(QuestionType.FREEFORM))).toEqual({ value: AnswerValue.SKIPPED });
        interviewer.close();
    });

    test('ConsoleInterviewer enforces timeout_seconds: TIMEOUT when it elapses, a late line is refused, not kept for the next question', async () => {
        const input = new PassThrough();
        const output = new PassThrough();
        let printed = '';
        output.on('data', chunk => { printed += String(chunk); });
        const interviewer = new ConsoleInterviewer(input, output);
        expect(await interviewer.ask(question(QuestionType.MULTIPLE_CHOICE, { timeout_seconds: 0.02 }))).toEqual({ value: AnswerValue.TIMEOUT });
        expect(printed).toContain('[!] No answer within 0.02s: timed out');
        input.write('a\n');
        await new Promise(resolve => setImmediate(resolve));
        expect(printed).toContain('[!] Late answer "a" refused: the question timed out');
        const next = interviewer.ask(question(QuestionType.YES_NO, { timeout_seconds: 5 }));
        input.write('y\n');
        expect(await next).toEqual({ value: AnswerValue.YES });
        input.write('free\n');
        await new Promise(resolve => setImmediate(resolve));
        expect(await interviewer.ask(question(QuestionType.FREEFORM, { timeout_seconds: 0.02 }))).toEqual({ value: 'free', text: 'free' });
        expect(await interviewer.ask(question(QuestionType.FREEFORM, { timeout_seconds: 0.02 }))).toEqual({ value: AnswerValue.TIMEOUT });
        interviewer.close();
    });

    test('human.timeout sets the gate question\'s timeout_seconds; the Console interviewer times out and the gate takes human.default_choice', async () => {
        const asked: Question[] = [];
        const recorder = (q: Question) => { asked.push(q); return { value: 'N' }; };
        await runDot(nowOrLater(', human.timeout=2m'), tempDir(), { defaults: { interviewer: new CallbackInterviewer(recorder) } });
        await runDot(nowOrLater(''), tempDir(), { defaults: { interviewer: new CallbackInterviewer(recorder) } });
        expect(asked.map(q => q.timeout_seconds)).toEqual([120, undefined]);

        const consoles: ConsoleInterviewer[] = [];
        const console = () => { consoles.push(new ConsoleInterviewer(new PassThrough(), new PassThrough())); return consoles.at(-1)!; };
        const defaulted = await runDot(nowOrLater(', human.timeout=20ms, human.default_choice=later'), tempDir(), { defaults: { interviewer: console() } });
        expect([defaulted.status, defaulted.completed_nodes]).toEqual(['success', ['start', 'gate', 'later', 'exit']]);
        const noDefault = await runDot(nowOrLater(', human.timeout=20ms'), tempDir(), { defaults: { interviewer: console() } });
        expect([noDefault.status, noDefault.failure_reason]).toEqual(['fail', 'max retries exceeded: human gate timeout, no default']);
        consoles.forEach(c => c.close());
    });

    test('[#78] CallbackInterviewer passes the question to the function and returns its answer', async () => {
        const received: Question[] = [];
        const q = question(QuestionType.FREEFORM);
        const interviewer = new CallbackInterviewer(asked => { received.push(asked); return { value: 'typed', text: 'typed' }; });
        expect(await interviewer.ask(q)).toEqual({ value: 'typed', text: 'typed' });
        expect(received).toEqual([q]);
    });

    test('[#79] QueueInterviewer answers in FIFO order, then SKIPPED', async () => {
        const interviewer = new QueueInterviewer([{ value: 'first' }, { value: 'second' }]);
        const q = question(QuestionType.FREEFORM);
        expect(await interviewer.askMultiple([q, q, q])).toEqual([{ value: 'first' }, { value: 'second' }, { value: AnswerValue.SKIPPED }]);
    });

    test('[S16] a TIMEOUT answer takes the question default: wait.human puts human.default_choice there', async () => {
        const asked: Question[] = [];
        const timingOut = new CallbackInterviewer(q => { asked.push(q); return { value: AnswerValue.TIMEOUT }; });
        const result = await runDot(nowOrLater(', human.default_choice=later'), tempDir(), { defaults: { interviewer: timingOut } });
        expect(asked[0].default).toEqual({ value: 'L', selected_option: { key: 'L', label: '[L] Later' } });
        expect(result.completed_nodes).toEqual(['start', 'gate', 'later', 'exit']);
        expect(result.events.filter(e => e.kind.startsWith('Interview')).map(e => e.kind)).toEqual(['InterviewStarted', 'InterviewTimeout']);
    });

    test('[S17] RecordingInterviewer records every (question, answer) pair and passes the answers through unchanged', async () => {
        const inner = new QueueInterviewer([{ value: 'A' }, { value: 'free', text: 'free' }]);
        const recording = new RecordingInterviewer(inner);
        const first = question(QuestionType.MULTIPLE_CHOICE);
        const second = question(QuestionType.FREEFORM);
        expect(await recording.ask(first)).toEqual({ value: 'A' });
        expect(await recording.ask(second)).toEqual({ value: 'free', text: 'free' });
        expect(recording.recordings).toEqual([{ question: first, answer: { value: 'A' } }, { question: second, answer: { value: 'free', text: 'free' } }]);
    });
});
