import { describe, expect, test } from 'vitest';
import { Context, evaluateCondition, parseCondition, type Outcome, type StageStatus } from '../../../language-server/src/crew/engine/index.js';

const outcome = (status: StageStatus, extra: Partial<Outcome> = {}): Outcome => ({ status, ...extra });

describe('condition expressions', () => {
    test('[#80] outcome=success is true only for exactly "success" (case-sensitive)', () => {
        const context = new Context();
        expect(evaluateCondition('outcome=success', outcome('success'), context)).toBe(true);
        expect(evaluateCondition('outcome=success', outcome('partial_success'), context)).toBe(false);
        expect(evaluateCondition('outcome=Success', outcome('success'), context)).toBe(false);
    });

    test('[#81] outcome!=success is true for fail, retry and partial_success', () => {
        const context = new Context();
        for (const status of ['fail', 'retry', 'partial_success'] as const) {
            expect(evaluateCondition('outcome!=success', outcome(status), context)).toBe(true);
        }
        expect(evaluateCondition('outcome!=success', outcome('success'), context)).toBe(false);
    });

    test('[#82] && is true only when every clause is true', () => {
        const context = new Context({ a: '1', b: '2', c: '3' });
        expect(evaluateCondition('context.a=1 && context.b=2', outcome('success'), context)).toBe(true);
        expect(evaluateCondition('context.a=1 && context.b=2 && context.c=3', outcome('success'), context)).toBe(true);
        expect(evaluateCondition('context.a=1 && context.b=9 && context.c=3', outcome('success'), context)).toBe(false);
        expect(evaluateCondition('context.a=9 && context.b=2', outcome('success'), context)).toBe(false);
    });

    test('[#83] outcome resolves to the status of the node that just ran', () => {
        const context = new Context({ outcome: 'fail' });
        for (const status of ['success', 'fail', 'retry', 'partial_success'] as const) {
            expect(evaluateCondition(`outcome=${status}`, outcome(status), context)).toBe(true);
        }
    });

    test('[#84] preferred_label resolves to the outcome\'s preferred label', () => {
        const context = new Context({ preferred_label: 'Other' });
        expect(evaluateCondition('preferred_label=Fix', outcome('success', { preferred_label: 'Fix' }), context)).toBe(true);
        expect(evaluateCondition('preferred_label=Fix', outcome('success'), context)).toBe(false);
        expect(evaluateCondition('preferred_label="Fix it"', outcome('success', { preferred_label: 'Fix it' }), context)).toBe(true);
    });

    test('[#85] context.k looks up "context.k", then "k"; a missing key is ""', () => {
        const context = new Context({ 'context.mode': 'fast', mode: 'slow', tests_passed: true, count: 3 });
        const success = outcome('success');
        expect(evaluateCondition('context.mode=fast', success, context)).toBe(true);
        expect(evaluateCondition('context.tests_passed=true', success, context)).toBe(true);
        expect(evaluateCondition('context.count=3', success, context)).toBe(true);
        expect(evaluateCondition('context.missing=x', success, context)).toBe(false);
        expect(evaluateCondition('context.missing!=x', success, context)).toBe(true);
        expect(evaluateCondition('context.missing=""', success, context)).toBe(true);
    });

    test('[#86] an empty condition is true', () => {
        expect(evaluateCondition('', outcome('fail'), new Context())).toBe(true);
        expect(evaluateCondition('   ', outcome('fail'), new Context())).toBe(true);
    });

    test('bare keys test truthiness, unqualified keys read the context (A.3 #9)', () => {
        const context = new Context({ 'tool.output': 'ok', empty: '', flag: false, last_stage: 'seed' });
        const success = outcome('success');
        expect(evaluateCondition('outcome=success && context.tool.output', success, context)).toBe(true);
        expect(evaluateCondition('context.empty', success, context)).toBe(false);
        expect(evaluateCondition('flag', success, context)).toBe(false);
        expect(evaluateCondition('missing', success, context)).toBe(false);
        expect(evaluateCondition('last_stage=seed', success, context)).toBe(true);
    });

    test('parseCondition gives the clauses with quoted literals unescaped', () => {
        expect(parseCondition('outcome=success && context.note!="a \\"b\\"" && flag')).toEqual([
            { key: 'outcome', operator: '=', literal: 'success' },
            { key: 'context.note', operator: '!=', literal: 'a "b"' },
            { key: 'flag', operator: undefined, literal: '' }
        ]);
    });
});
