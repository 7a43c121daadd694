import { describe, expect, test } from 'vitest';
import { Context, normalizeLabel, parseDot, selectEdge, type Outcome } from '../../../language-server/src/crew/engine/index.js';

function selected(edges: string, outcome: Outcome, context = new Context()): string | undefined {
    return selectEdge('n', outcome, context, parseDot(`digraph G { ${edges} }`))?.to;
}

describe('edge selection', () => {
    test('[#31] step 1: a true condition beats an unconditional edge with a higher weight', () => {
        expect(selected('n -> heavy [weight=100]; n -> cond [condition="outcome=success"]', { status: 'success' })).toBe('cond');
    });

    test('[#32] step 1: among true conditions the highest weight wins, then the smallest target id', () => {
        expect(selected('n -> b [condition="outcome=success", weight=1]; n -> c [condition="outcome=success", weight=2]', { status: 'success' })).toBe('c');
        expect(selected('n -> c [condition="outcome=success"]; n -> b [condition="outcome=success"]', { status: 'success' })).toBe('b');
    });

    test('[#33] step 2: the preferred label picks the unconditional edge whose normalised label matches', () => {
        const edges = 'n -> deploy [label="[Y] Yes, deploy"]; n -> stop [label="[N] No", weight=5]';
        expect(selected(edges, { status: 'success', preferred_label: 'yes, deploy' })).toBe('deploy');
        expect(selected(edges, { status: 'success', preferred_label: '  YES, DEPLOY ' })).toBe('deploy');
    });

    test('[#33] labels normalise by lowercasing, trimming and stripping [K] , K) and K - prefixes', () => {
        expect(['[Y] Yes, deploy', 'Y) Yes, deploy', 'Y - Yes, deploy', '  Yes, Deploy '].map(normalizeLabel))
            .toEqual(['yes, deploy', 'yes, deploy', 'yes, deploy', 'yes, deploy']);
    });

    test('step 2 ignores conditional edges whose condition is false', () => {
        const edges = 'n -> fix [label="Fix", condition="context.never=1"]; n -> go [label="Go"]';
        expect(selected(edges, { status: 'success', preferred_label: 'Fix' })).toBe('go');
    });

    test('[#34] step 3: suggested_next_ids pick the first unconditional edge to a listed target, in list order', () => {
        const edges = 'n -> a [weight=9]; n -> b; n -> c';
        expect(selected(edges, { status: 'success', suggested_next_ids: ['x', 'c', 'b'] })).toBe('c');
        expect(selected(edges, { status: 'success', preferred_label: 'nothing', suggested_next_ids: ['b'] })).toBe('b');
    });

    test('[#35] step 4: otherwise the unconditional edge with the highest weight', () => {
        expect(selected('n -> a [weight=1]; n -> b [weight=3]; n -> c [weight=2]', { status: 'success' })).toBe('b');
    });

    test('[#36] step 5: equal weights go to the lexicographically smallest target id', () => {
        expect(selected('n -> zed; n -> alpha; n -> mid', { status: 'success' })).toBe('alpha');
    });

    test('[#37] an edge whose condition is false is never taken, even as a last resort', () => {
        expect(selected('n -> a [condition="outcome=fail"]; n -> b [condition="context.x=1"]', { status: 'success' })).toBeUndefined();
        expect(selected('n -> a [condition="outcome=fail", label="Go"]', { status: 'success', preferred_label: 'Go', suggested_next_ids: ['a'] })).toBeUndefined();
    });

    test('no outgoing edges selects nothing', () => {
        expect(selected('n; m -> o', { status: 'success' })).toBeUndefined();
    });
});
