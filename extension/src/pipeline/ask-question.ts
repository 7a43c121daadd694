/**
 * A pipeline's human gate, asked in VS Code: a quick pick for yes/no, confirmation and multiple
 * choice (the default first, marked), an input box for free text. A question with a timeout closes
 * when it expires and answers its default (else the engine's TIMEOUT, so the gate decides); one the
 * user dismisses, or whose run is cancelled, answers SKIPPED.
 */
import * as vscode from 'vscode';
import type { AskQuestionParams, PipelineAnswer } from '../../../language-server/src/protocol.js';

type Question = AskQuestionParams['question'];

interface Choice extends vscode.QuickPickItem {
    answer: PipelineAnswer;
}

const SKIPPED: PipelineAnswer = { value: 'SKIPPED' };

/** The choices of a quick pick question, the default first. */
function choices(question: Question): Choice[] {
    const defaultKey = question.default?.selected_option?.key ?? question.default?.value;
    let items: Choice[];
    if (question.type === 'MULTIPLE_CHOICE') {
        items = question.options.map(option => ({
            label: option.label,
            // `[A] Approve` shows its key already.
            ...(!option.label.includes(`[${option.key}]`) && { description: `[${option.key}]` }),
            answer: { value: option.key, selected_option: { key: option.key, label: option.label } }
        }));
    } else {
        const [yes, no] = question.type === 'CONFIRMATION' ? ['Confirm', 'Decline'] : ['Yes', 'No'];
        items = [{ label: yes, answer: { value: 'YES' } }, { label: no, answer: { value: 'NO' } }];
    }
    const index = defaultKey === undefined ? -1 : items.findIndex(item => item.answer.value.toLowerCase() === defaultKey.toLowerCase());
    if (index > 0) {
        items.unshift(...items.splice(index, 1));
    }
    if (index >= 0) {
        items[0] = { ...items[0], description: [items[0].description, 'default'].filter(Boolean).join(' · ') };
    }
    return items;
}

/** A cancellation token of our own: the picker closes when the run is cancelled or the question times out. */
function closer(): { token: vscode.CancellationToken; close(): void } {
    const emitter = new vscode.EventEmitter<void>();
    const token = { isCancellationRequested: false, onCancellationRequested: emitter.event } as vscode.CancellationToken;
    return {
        token,
        close: () => {
            if (!token.isCancellationRequested) {
                (token as { isCancellationRequested: boolean }).isCancellationRequested = true;
                emitter.fire();
            }
        }
    };
}

/** Asks one question of a run; resolves with the engine's answer (never rejects for a dismissed or expired question). */
export async function askInVsCode(question: Question, token?: vscode.CancellationToken): Promise<PipelineAnswer> {
    const picker = closer();
    let timedOut = false;
    const seconds = question.timeout_seconds;
    const timer = seconds !== undefined && seconds > 0 ? setTimeout(() => {
        timedOut = true;
        picker.close();
    }, seconds * 1000) : undefined;
    const cancelled = token?.onCancellationRequested(() => picker.close());
    const title = `Pipeline question · ${question.stage}`;
    const expires = timer ? ` (${question.default ? 'the default' : 'no answer'} in ${seconds} s)` : '';
    try {
        if (token?.isCancellationRequested) {
            return SKIPPED;
        }
        if (question.type === 'FREEFORM') {
            const given = question.default?.text ?? question.default?.value;
            const text = await vscode.window.showInputBox({
                title, prompt: `${question.text}${expires}`, ignoreFocusOut: true,
                ...(given !== undefined && !['TIMEOUT', 'SKIPPED'].includes(given) && { value: given })
            }, picker.token);
            return text !== undefined && !picker.token.isCancellationRequested ? { value: text, text } : timedOut ? question.default ?? { value: 'TIMEOUT' } : SKIPPED;
        }
        const chosen = await vscode.window.showQuickPick(choices(question), { title, placeHolder: `${question.text}${expires}`, ignoreFocusOut: true }, picker.token);
        return chosen && !picker.token.isCancellationRequested ? chosen.answer : timedOut ? question.default ?? { value: 'TIMEOUT' } : SKIPPED;
    } finally {
        clearTimeout(timer);
        cancelled?.dispose();
    }
}
