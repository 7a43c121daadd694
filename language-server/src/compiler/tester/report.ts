import type { SandboxKind } from '../../sandbox/index.js';

/**
 * The acceptance report: what `node src/main.ts test --json` prints in the built app (the
 * runtime's AcceptanceReport, src/runtime/acceptance.ts), plus where and how it ran. The same
 * JSON for `fspec test --json`, the `fspec/test` request and the crew.
 */

export type TestStatus = 'pass' | 'fail' | 'not-grown';

export type CheckKind = 'guardrail' | 'coverage' | 'ordering' | 'panel';

export interface Violation {
    /** The data set it came from: `sample`, or an edge case (`edge:<guardrail>@<pipeline>.<gate>`). */
    dataset: string;
    entity: string;
    /** The offending row's key (`Forecast-2`), or `panel:<name>` for what a panel lacks. */
    key: string;
    reason: string;
    row?: Record<string, unknown>;
}

export interface CheckResult {
    kind: CheckKind;
    description: string;
    /** `not-run`: the test is not grown, so its checks were not counted. */
    status: 'pass' | 'fail' | 'not-run';
    violations: Violation[];
    /** Violations left out of the list (it keeps the first 20 per data set). */
    omitted: number;
}

export interface TestResult {
    name: string;
    title: string;
    /** What the test covers, as graph ids. */
    covers: string[];
    status: TestStatus;
    /** Why it is not grown, or failed other than by a check: a stage it depends on is not grown or failed. */
    reason?: string;
    checks: CheckResult[];
    /** What it covers that no check comes from, and why. */
    unchecked: string[];
}

export interface DataSetRun {
    name: string;
    description: string;
    runs: Array<{ pipeline: string; ok: boolean; error?: string; notGrown: string[]; blocked: number; wrote: Record<string, number> }>;
}

export interface AcceptanceReport {
    spec: string;
    version: string;
    /** The run date. */
    today: string;
    /** Every test passed. */
    ok: boolean;
    summary: { tests: number; passed: number; failed: number; notGrown: number };
    tests: TestResult[];
    datasets: DataSetRun[];
    /** Guardrail checks no edge case could be generated for, and why. */
    noEdgeCase: string[];
    sandbox: SandboxKind;
    /** The app that ran: its build folder, whether this run wrote it, and bodies edited by hand that it kept. */
    build: { out: string; written: boolean; kept: string[] };
    durationMs: number;
    /** Why nothing could be tested (the spec has errors, or the app did not run); `tests` is empty then. */
    errors?: string[];
}

/** The failed checks, each with its first violation: what the reviewer needs to see first. */
export function failedChecksText(result: TestResult): string | undefined {
    const failed = result.checks.filter(c => c.status === 'fail');
    return failed.length ? failed.map(c => {
        const [first] = c.violations;
        const more = c.violations.length + c.omitted - 1;
        return `${c.description}: ${first ? `${first.entity} ${first.key}: ${first.reason}` : 'failed'}${more > 0 ? ` (and ${more} more)` : ''}`;
    }).join('; ') : undefined;
}

/** The report as text: per test PASS, FAIL or NOT GROWN, each check, each violation with its data set and row. */
export function formatAcceptanceReport(report: AcceptanceReport): string {
    if (report.errors?.length) {
        return [`${report.spec} ${report.version}: nothing tested.`, ...report.errors].join('\n');
    }
    const lines = [
        `${report.spec} ${report.version}: acceptance tests on ${report.today}, in the ${report.sandbox} sandbox, over ${report.datasets.map(d => d.name).join(', ')}`,
        ...report.datasets.filter(d => d.name !== 'sample').map(d => `  ${d.name}: ${d.description}`),
        ...report.noEdgeCase.map(note => `  no edge case for ${note}`)
    ];
    for (const test of report.tests) {
        lines.push(`${test.status === 'pass' ? 'PASS' : test.status === 'fail' ? 'FAIL' : 'NOT GROWN'} ${test.name}: ${test.title}`);
        if (test.reason) {
            lines.push(`    ${test.reason}`);
        }
        for (const check of test.checks) {
            lines.push(`  ${check.status === 'pass' ? 'ok  ' : check.status === 'fail' ? 'FAIL' : '--  '} ${check.kind}: ${check.description}`);
            for (const v of check.violations) {
                lines.push(`        [${v.dataset}] ${v.entity} ${v.key}: ${v.reason}`);
                if (v.row) {
                    lines.push(`          ${JSON.stringify(v.row)}`);
                }
            }
            if (check.omitted) {
                lines.push(`        … and ${check.omitted} more`);
            }
        }
        for (const note of test.unchecked) {
            lines.push(`  not checked: ${note}`);
        }
    }
    const s = report.summary;
    lines.push(`${s.tests} test${s.tests === 1 ? '' : 's'}: ${s.passed} passed, ${s.failed} failed, ${s.notGrown} not grown.`);
    return lines.join('\n');
}
