import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { withBodies } from '../../language-server/src/compiler/regions.js';
import { farm, fspec, root } from './run-fspec.js';

const policy = path.join(root, 'examples/immigration-policy-impact');

/** A temporary copy of an example: its spec (possibly edited), its records and its approved version. */
function project(example: string, edit: (text: string) => string = text => text): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-test-'));
    for (const name of fs.readdirSync(example)) {
        const from = path.join(example, name);
        const to = path.join(dir, name);
        if (name.endsWith('.fspec')) {
            fs.writeFileSync(to, edit(fs.readFileSync(from, 'utf8')));
        } else if (name === 'records' || name === '.factory') {
            fs.cpSync(from, to, { recursive: true, filter: source => !source.includes(`${path.sep}build`) });
        }
    }
    return dir;
}

beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'out/cli.cjs')), 'run `npm run build` first').toBe(true);
});

describe('fspec test', () => {
    test('the farm passes on its sample records and edge case: per-test lines, exit 0, the app built beside the spec', async () => {
        const dir = project(farm);
        const run = await fspec(['test', 'farm-ops.fspec', '--today', '2025-06-02'], { cwd: dir });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        const lines = run.stdout.trim().split('\n');
        expect(lines[0]).toBe('App built into .factory/build/0.2.0.');
        expect(lines[1]).toBe('FarmOps 0.2.0: acceptance tests on 2025-06-02, in the local sandbox, over sample, edge:no_phi_harvest@contract_allocation.phi_gate');
        expect(lines.filter(l => /^(PASS|FAIL|NOT GROWN) /.test(l))).toEqual([
            'PASS phi_blocks_untouched: No harvest from PHI locked blocks',
            'PASS tuesday_reserved: All Tuesday contracts reserved or shortfall alert created',
            'PASS invoices_for_reserved: Invoices generated for reserved buyers'
        ]);
        expect(lines).toContain('  not checked: guardrail reserve_before_surplus: no gate enforces it, so there is no rule of it to check over the records');
        expect(lines.at(-1)).toBe('3 tests: 3 passed, 0 failed, 0 not grown.');
        expect(fs.existsSync(path.join(dir, '.factory/build/0.2.0/src/acceptance/phi_blocks_untouched.ts'))).toBe(true);
    });

    test('--json: the report as fspec/test answers it', async () => {
        const dir = project(policy);
        const run = await fspec(['test', 'policy-impact.fspec', '--today', '2025-03-06', '--json'], { cwd: dir });
        expect(run.code).toBe(0);
        const report = JSON.parse(run.stdout);
        expect(Object.keys(report).sort()).toEqual(['build', 'datasets', 'durationMs', 'noEdgeCase', 'ok', 'sandbox', 'spec', 'summary', 'tests', 'today', 'version']);
        expect(report).toMatchObject({ spec: 'PolicyImpact', version: '1.1.0', today: '2025-03-06', ok: true, sandbox: 'local', summary: { tests: 4, passed: 4, failed: 0, notGrown: 0 } });
        expect(report.build).toEqual({ out: path.join(fs.realpathSync(dir), '.factory/build/1.1.0'), written: true, kept: [] });
        expect(Object.keys(report.tests[0]).sort()).toEqual(['checks', 'covers', 'name', 'status', 'title', 'unchecked']);
        expect(report.tests[0].checks[0]).toEqual({
            kind: 'ordering', status: 'pass', violations: [], omitted: 0,
            description: 'Impact is in the order of policy_impact.rank_impacts (severity_then_due): severity high, medium, low, then those whose Case has status rfe (rfe_boost), then the effective date of their PolicyUpdate, earliest first'
        });
        expect(report.datasets.map((d: { name: string }) => d.name)).toEqual(['sample', 'edge:attorney_review@policy_impact.attorney_gate', 'edge:client_data_stays@policy_impact.attorney_gate']);
    });

    test('a gate body edited to block nothing: exit 1, "No harvest from PHI locked blocks" fails with the offending Forecast row and its block', async () => {
        const dir = project(farm);
        expect((await fspec(['build', 'farm-ops.fspec'], { cwd: dir })).code).toBe(0);
        const gate = path.join(dir, '.factory/build/0.2.0/src/pipelines/contract_allocation/phi_gate.ts');
        fs.writeFileSync(gate, withBodies(fs.readFileSync(gate, 'utf8'), new Map([['contract_allocation.phi_gate', '    return [];\n']])));
        const run = await fspec(['test', 'farm-ops.fspec', '--today', '2025-06-02'], { cwd: dir });
        expect(run.code).toBe(1);
        const lines = run.stdout.trim().split('\n');
        expect(lines[0]).toBe('App built into .factory/build/0.2.0; bodies edited by hand: contract_allocation.phi_gate.');
        expect(lines).toContain('FAIL phi_blocks_untouched: No harvest from PHI locked blocks');
        expect(lines).toContain('        [sample] Forecast Forecast-2: Block#2 (lettuce, Little Gem) is inside the phi_days interval of SprayEvent#1 (from 2025-05-28 until 2025-06-11); Forecast-2 is for 2025-06-02.');
        expect(lines).toContain('          {"id":"Forecast-2","block":"Block#2","sku":"lettuce-little-gem","expected_qty":270,"week":"2025-06-02"}');
        expect(lines.at(-1)).toBe('3 tests: 2 passed, 1 failed, 0 not grown.');
        const json = JSON.parse((await fspec(['test', 'farm-ops.fspec', '--today', '2025-06-02', '--json', 'phi_blocks_untouched'], { cwd: dir })).stdout);
        expect(json.tests.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([['phi_blocks_untouched', 'fail']]);
    });

    test('a step the Toolsmith does not know: its test is not grown, exit 1', async () => {
        const dir = project(farm, t => t.replace('step invoices "Invoices" reads', 'step invoices "Invoices" strategy lump_sum reads'));
        const run = await fspec(['test', 'farm-ops.fspec', '--today', '2025-06-02'], { cwd: dir });
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('NOT GROWN invoices_for_reserved: Invoices generated for reserved buyers\n    contract_allocation.invoices is not grown (NotYetGrown: ');
        expect(run.stdout.trim().split('\n').at(-1)).toBe('3 tests: 2 passed, 0 failed, 1 not grown.');
    });

    test('a spec with errors: exit 1, the errors, nothing run', async () => {
        const dir = project(farm, t => t.replace('reads Contract, Forecast output Allocation', 'reads Contrakt, Forecast output Allocation'));
        const run = await fspec(['test', 'farm-ops.fspec'], { cwd: dir });
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/^FarmOps 0\.2\.0: nothing tested\.\nfarm-ops\.fspec:\d+:\d+ error linking-error Unknown entity 'Contrakt'/);
    });

    test('bad input exits 2: a missing file, an unknown sandbox or test, a malformed date', async () => {
        const dir = project(farm);
        const cases: Array<[string[], string]> = [
            [['test', 'missing.fspec'], 'fspec: missing.fspec: no such file\n'],
            [['test', 'farm-ops.fspec', '--sandbox', 'docker'], 'fspec: --sandbox docker: choose local or daytona\n'],
            [['test', 'farm-ops.fspec', '--today', '2025-6-2'], 'fspec: --today 2025-6-2: give a date as YYYY-MM-DD\n'],
            [['test', 'farm-ops.fspec', 'nope'], 'fspec: No acceptance test nope in FarmOps; it has phi_blocks_untouched, tuesday_reserved, invoices_for_reserved.\n']
        ];
        for (const [args, stderr] of cases) {
            const run = await fspec(args, { cwd: dir });
            expect([run.code, run.stderr], args.join(' ')).toEqual([2, stderr]);
        }
    });

    test('--sandbox daytona without DAYTONA_API_KEY says Daytona is not configured', async () => {
        const dir = project(farm);
        // The bin inherits this environment: without the key, whatever the machine has.
        const previous = process.env.DAYTONA_API_KEY;
        delete process.env.DAYTONA_API_KEY;
        try {
            const run = await fspec(['test', 'farm-ops.fspec', '--sandbox', 'daytona'], { cwd: dir });
            expect(run.code).toBe(2);
            expect(run.stderr).toBe('fspec: Daytona not configured: set DAYTONA_API_KEY (optionally DAYTONA_API_URL, DAYTONA_TARGET).\n');
        } finally {
            if (previous !== undefined) {
                process.env.DAYTONA_API_KEY = previous;
            }
        }
    });
});
