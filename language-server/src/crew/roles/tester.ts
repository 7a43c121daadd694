import { failedChecksText, type AcceptanceReport } from '../../compiler/tester/index.js';
import { graphIndex, outgoing } from '../../model/graph-index.js';
import type { Morph } from '../../model/morphs.js';
import { diffSpecGraphs } from '../../model/semantic-diff.js';
import { idName, type SpecGraph } from '../../model/spec-graph.js';
import { renderDiagram, type Diagram } from '../../render/index.js';

export type Risk = 'low' | 'medium' | 'high';

/** A morph of the growth with what its rule says about it. */
export interface ReviewedMorph {
    kind: Morph['kind'];
    change: Morph['change'];
    target: string;
    detail: string;
    /** From the morph rule; absent for morphs no rule governs (a new acceptance test, the lineage entry). */
    risk?: Risk;
    review?: 'human' | 'auto';
    tests: string[];
}

export interface TestStatus {
    name: string;
    text?: string;
    /** Whether a morph rule of the growth requires it: a required test that does not pass makes the growth not approvable. */
    required: boolean;
    /**
     * From running the proposed spec's app on the stored records: `pass`, `fail`, `not-grown` (a
     * step it covers has no body yet); `missing`: not in the proposed spec; `not-run`: the app did not run.
     */
    status: 'pass' | 'fail' | 'not-grown' | 'missing' | 'not-run';
    /** Why it did not pass: the failed checks with their first offending row, or why it was not run. */
    detail?: string;
}

/** What the mutation PR shows besides the text diff. */
export interface Simulation {
    morphs: ReviewedMorph[];
    risk: Risk;
    tests: TestStatus[];
    /** Graph ids the growth adds (highlighted in `after`) and removes (highlighted in `before`). */
    added: string[];
    removed: string[];
    diagrams: { before: Diagram, after: Diagram };
}

const riskOrder: Risk[] = ['low', 'medium', 'high'];

/**
 * The Tester's simulation: the growth applied to a copy, classified into morphs with each rule's
 * risk and required tests, and the flowchart before and after with the changes highlighted.
 */
export function simulateGrowth(before: SpecGraph, after: SpecGraph, plannedTests: string[]): Simulation {
    const morphs = diffSpecGraphs(before, after).map(m => reviewed(after, m));
    const added = morphs.filter(m => m.change === 'add').map(m => m.target);
    const removed = morphs.filter(m => m.change === 'remove').map(m => m.target);
    const required = new Set(morphs.flatMap(m => m.tests));
    const testNames = [...new Set([...plannedTests, ...required])];
    const { nodes } = graphIndex(after);
    return {
        morphs,
        risk: riskOrder[Math.max(0, ...morphs.map(m => m.risk ? riskOrder.indexOf(m.risk) : 0))],
        tests: testNames.map(name => {
            const test = nodes.get(`test:${name}`);
            return test ? { name, text: String(test.attrs.text ?? ''), required: required.has(name), status: 'not-run' } : { name, required: required.has(name), status: 'missing' };
        }),
        added,
        removed,
        diagrams: {
            before: renderDiagram(before, 'flowchart', { highlight: { ids: removed, as: 'removed' } }),
            after: renderDiagram(after, 'flowchart', { highlight: { ids: added, as: 'added' } })
        }
    };
}

function reviewed(graph: SpecGraph, morph: Morph): ReviewedMorph {
    const rule = graphIndex(graph).nodes.get(`rule:${morph.kind}`);
    return {
        kind: morph.kind, change: morph.change, target: morph.target, detail: morph.detail,
        ...(rule ? { risk: rule.attrs.risk as Risk, ...(rule.attrs.review ? { review: rule.attrs.review as 'human' | 'auto' } : {}) } : {}),
        tests: rule ? outgoing(graph, rule.id, 'requires').map(e => idName(e.to)) : []
    };
}

/**
 * The tests with the results of the proposed spec's acceptance run (the Tester's executable checks
 * over the stored records); a report with errors (the app did not run) leaves them `not-run`, saying why.
 */
export function withResults(tests: TestStatus[], report: AcceptanceReport): TestStatus[] {
    return tests.map(test => {
        if (test.status === 'missing') {
            return test;
        }
        if (report.errors?.length) {
            return { ...test, status: 'not-run', detail: report.errors.join(' ') };
        }
        const result = report.tests.find(t => t.name === test.name);
        if (!result) {
            return { ...test, status: 'not-run', detail: `The app has no acceptance test ${test.name}.` };
        }
        const detail = result.reason ?? failedChecksText(result);
        return { ...test, status: result.status, ...(result.status !== 'pass' && detail ? { detail } : {}) };
    });
}

/**
 * The required tests the proposed app fails or cannot grow: a growth with any is not approvable.
 * A test that could not run (no Node for the sandbox here, say) shows why in the PR but does not block.
 */
export function failingRequiredTests(tests: TestStatus[]): TestStatus[] {
    return tests.filter(t => t.required && (t.status === 'fail' || t.status === 'not-grown'));
}
