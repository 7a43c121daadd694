/** The human gate (§4.6): one MULTIPLE_CHOICE question whose options are the node's outgoing edges. */
import { parseDuration } from '../attributes.js';
import { normalizeLabel } from '../edge-selection.js';
import { AnswerValue, QuestionType, type Answer, type Interviewer, type Option, type Question } from '../interviewer.js';
import { outgoingEdges } from '../pipeline-graph.js';
import type { NodeHandler } from './handler.js';

interface Choice extends Option {
    readonly to: string;
}

const ACCELERATOR = /^(?:\[(\w)\]\s+|(\w)\)\s+|(\w)\s+-\s+)/;

/** `[K] Label`, `K) Label`, `K - Label` → K; otherwise the first character. */
export function acceleratorKey(label: string): string {
    const match = ACCELERATOR.exec(label.trim());
    return match ? (match[1] ?? match[2] ?? match[3]) : label.trim().charAt(0);
}

function findChoice(answer: Answer, choices: readonly Choice[]): Choice | undefined {
    const wanted = (answer.selected_option?.key ?? answer.value).toLowerCase();
    return choices.find(c => c.key.toLowerCase() === wanted)
        ?? choices.find(c => normalizeLabel(c.label) === normalizeLabel(answer.selected_option?.label ?? answer.value) || c.to === answer.value);
}

/**
 * Returns the choice both as `preferred_label` (§11.6) and as `suggested_next_ids` (§4.6), A.3 #2.
 * `human.timeout` (a Duration) becomes the question's `timeout_seconds`; the interviewer enforces it.
 * On a TIMEOUT answer the choice named by `human.default_choice` (target id, key or label) is used,
 * else RETRY; SKIPPED fails; an answer matching no option selects the first option.
 */
export function createWaitHumanHandler(interviewer: Interviewer | undefined): NodeHandler {
    return async (node, _context, graph, _logsRoot, signal, engine) => {
        const choices: Choice[] = outgoingEdges(graph, node.id).map(edge => {
            const label = edge.label || edge.to;
            return { key: acceleratorKey(label), label, to: edge.to };
        });
        if (choices.length === 0) {
            return { status: 'fail', failure_reason: 'No outgoing edges for human gate' };
        }
        if (!interviewer) {
            return { status: 'fail', failure_reason: 'No interviewer is configured for human gates' };
        }
        const defaultChoice = node.attrs['human.default_choice'];
        const fallback = defaultChoice === undefined ? undefined : findChoice({ value: defaultChoice }, choices);
        const timeout = node.attrs['human.timeout'];
        const question: Question = {
            text: node.label || 'Select an option:',
            type: QuestionType.MULTIPLE_CHOICE,
            options: choices.map(({ key, label }) => ({ key, label })),
            default: fallback && { value: fallback.key, selected_option: { key: fallback.key, label: fallback.label } },
            ...(timeout !== undefined && { timeout_seconds: parseDuration('human.timeout', timeout) / 1000 }),
            stage: node.id,
            metadata: {}
        };
        const asked = performance.now();
        engine.emit({ kind: 'InterviewStarted', question, stage: node.id });
        let answer = await interviewer.ask(question, signal);
        const duration_ms = performance.now() - asked;
        if (answer.value === AnswerValue.TIMEOUT) {
            engine.emit({ kind: 'InterviewTimeout', question, stage: node.id, duration_ms });
            if (!question.default) {
                return { status: 'retry', failure_reason: 'human gate timeout, no default' };
            }
            answer = question.default;
        } else {
            engine.emit({ kind: 'InterviewCompleted', question, answer, duration_ms });
        }
        if (answer.value === AnswerValue.SKIPPED) {
            return { status: 'fail', failure_reason: 'human skipped interaction' };
        }
        const selected = findChoice(answer, choices) ?? choices[0];
        return {
            status: 'success',
            preferred_label: selected.label,
            suggested_next_ids: [selected.to],
            context_updates: { 'human.gate.selected': selected.key, 'human.gate.label': selected.label }
        };
    };
}
