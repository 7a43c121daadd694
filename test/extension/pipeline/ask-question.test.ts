import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { askInVsCode } from '../../../extension/src/pipeline/ask-question.js';
import type { AskQuestionParams } from '../../../language-server/src/protocol.js';
import { EventEmitter, fake, window } from '../../webviews/fake-vscode.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

type Question = AskQuestionParams['question'];
type Item = { label: string; description?: string; answer: unknown };
type Token = { isCancellationRequested: boolean; onCancellationRequested: (listener: () => void) => { dispose(): void } };

const question = (more: Partial<Question>): Question => ({ text: 'Ship it?', type: 'YES_NO', options: [], stage: 'gate', metadata: {}, ...more });
const review = question({
    type: 'MULTIPLE_CHOICE', text: 'Review the mutation PR',
    options: [{ key: 'A', label: '[A] Approve' }, { key: 'R', label: '[R] Reject' }, { key: 'L', label: 'Later' }],
    default: { value: 'R', selected_option: { key: 'R', label: '[R] Reject' } }
});

/** What the quick pick was shown, and the token that closes it. */
let picks: Array<{ items: Item[]; options: { title?: string; placeHolder?: string }; token: Token }>;
let inputs: Array<{ options: { title?: string; prompt?: string; value?: string }; token: Token }>;
/** What the user does with the picker: pick an item by label, dismiss it (undefined), or wait until it is closed. */
let user: (items: Item[], token: Token) => Promise<Item | undefined>;
let typed: (token: Token) => Promise<string | undefined>;

/** The picker stays open until its token closes it, as VS Code's does. */
const waitForClose = (token: Token) => new Promise<undefined>(resolve => {
    if (token.isCancellationRequested) {
        resolve(undefined);
    }
    token.onCancellationRequested(() => resolve(undefined));
});

beforeEach(() => {
    fake.reset();
    picks = [];
    inputs = [];
    vi.spyOn(window, 'showQuickPick').mockImplementation((async (items: Item[], options: { title?: string }, token: Token) => {
        picks.push({ items, options, token });
        return user(items, token);
    }) as never);
    vi.spyOn(window, 'showInputBox').mockImplementation((async (options: { title?: string }, token: Token) => {
        inputs.push({ options, token });
        return typed(token);
    }) as never);
});

afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
});

describe('a pipeline question in VS Code', () => {
    test('yes/no: a quick pick, the answer YES or NO', async () => {
        user = async items => items.find(i => i.label === 'No');
        expect(await askInVsCode(question({}))).toEqual({ value: 'NO' });
        expect(picks[0].items.map(i => i.label)).toEqual(['Yes', 'No']);
        expect(picks[0].options).toMatchObject({ title: 'Pipeline question · gate', placeHolder: 'Ship it?' });
    });

    test('confirmation: Confirm or Decline, the default first and marked', async () => {
        user = async items => items[0];
        expect(await askInVsCode(question({ type: 'CONFIRMATION', text: 'Deploy to production?', default: { value: 'NO' } }))).toEqual({ value: 'NO' });
        expect(picks[0].items.map(i => [i.label, i.description])).toEqual([['Decline', 'default'], ['Confirm', undefined]]);
    });

    test('multiple choice: the options with their keys, the default first; the answer is the option', async () => {
        user = async items => items.find(i => i.label === '[A] Approve');
        expect(await askInVsCode(review)).toEqual({ value: 'A', selected_option: { key: 'A', label: '[A] Approve' } });
        expect(picks[0].items.map(i => [i.label, i.description])).toEqual([['[R] Reject', 'default'], ['[A] Approve', undefined], ['Later', '[L]']]);
    });

    test('freeform: an input box, prefilled with the default text', async () => {
        typed = async () => 'Tighten the summary';
        const answer = await askInVsCode(question({ type: 'FREEFORM', text: 'What should change?', default: { value: 'nothing', text: 'nothing' } }));
        expect(answer).toEqual({ value: 'Tighten the summary', text: 'Tighten the summary' });
        expect(inputs[0].options).toMatchObject({ title: 'Pipeline question · gate', prompt: 'What should change?', value: 'nothing' });
    });

    test('a question that times out closes and answers its default', async () => {
        vi.useFakeTimers();
        user = async (_items, token) => waitForClose(token);
        const asked = askInVsCode({ ...review, timeout_seconds: 30 });
        await vi.advanceTimersByTimeAsync(29_000);
        expect(picks[0].token.isCancellationRequested).toBe(false);
        expect(picks[0].options.placeHolder).toBe('Review the mutation PR (the default in 30 s)');
        await vi.advanceTimersByTimeAsync(1_000);
        expect(await asked).toEqual({ value: 'R', selected_option: { key: 'R', label: '[R] Reject' } });
        expect(picks[0].token.isCancellationRequested).toBe(true);
    });

    test('without a default a timeout answers TIMEOUT, so the gate decides', async () => {
        vi.useFakeTimers();
        typed = token => waitForClose(token);
        const asked = askInVsCode(question({ type: 'FREEFORM', timeout_seconds: 5 }));
        await vi.advanceTimersByTimeAsync(5_000);
        expect(await asked).toEqual({ value: 'TIMEOUT' });
    });

    test('dismissed, or its run cancelled, the question answers SKIPPED', async () => {
        user = async () => undefined;
        expect(await askInVsCode(review)).toEqual({ value: 'SKIPPED' });

        const run = new EventEmitter<void>();
        const token = { isCancellationRequested: false, onCancellationRequested: run.event };
        user = async (_items, picker) => waitForClose(picker);
        const asked = askInVsCode(question({}), token as never);
        await Promise.resolve();
        token.isCancellationRequested = true;
        run.fire();
        expect(await asked).toEqual({ value: 'SKIPPED' });
        expect(picks.at(-1)!.token.isCancellationRequested).toBe(true);
    });
});
