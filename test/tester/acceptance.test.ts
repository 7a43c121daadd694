import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from 'langium/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../language-server/src/compiler/build-app.js';
import { withBodies } from '../../language-server/src/compiler/regions.js';
import { runAcceptance, type AcceptanceReport, type RunAcceptanceOptions } from '../../language-server/src/compiler/tester/index.js';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import { exampleCopy, farmSpec, policySpec, specGraph, tempDir } from '../compiler/compiled-app.js';

const services = createFspecServices(NodeFileSystem).Fspec;

/** The acceptance report for the spec file's text, the app compiled in memory next to an empty build folder (or the one given). */
function accept(file: string, today: string, options: RunAcceptanceOptions = {}): Promise<AcceptanceReport> {
    return runAcceptance(services, file, fs.readFileSync(file, 'utf8'), { today, out: tempDir('build'), ...options });
}

const statuses = (report: AcceptanceReport) => report.tests.map(t => [t.name, t.status]);

/** A built app whose stage body is replaced by hand (between its markers), as a user would edit it. */
async function editedBuild(file: string, stage: string, body: string): Promise<string> {
    const { out } = buildApp(await specGraph(file), file, { out: tempDir('build') });
    const module = path.join(out, 'src/pipelines', `${stage.replace('.', '/')}.ts`);
    fs.writeFileSync(module, withBodies(fs.readFileSync(module, 'utf8'), new Map([[stage, body]])));
    return out;
}

describe('both examples pass their acceptance tests, on the sample records and on the generated edge cases', () => {
    let farm: AcceptanceReport;
    let policy: AcceptanceReport;

    beforeAll(async () => {
        [farm, policy] = await Promise.all([accept(farmSpec, '2025-06-02'), accept(policySpec, '2025-03-06')]);
    });

    it('the farm: every test passes, over the sample and the PHI edge case', () => {
        expect(farm.errors).toBeUndefined();
        expect(statuses(farm)).toEqual([['phi_blocks_untouched', 'pass'], ['tuesday_reserved', 'pass'], ['invoices_for_reserved', 'pass']]);
        expect(farm).toMatchObject({ spec: 'FarmOps', version: '0.2.0', today: '2025-06-02', ok: true, sandbox: 'local', summary: { tests: 3, passed: 3, failed: 0, notGrown: 0 } });
        expect(farm.datasets.map(d => d.name)).toEqual(['sample', 'edge:no_phi_harvest@contract_allocation.phi_gate']);
        // The edge case bites: with a spray on every block, the gate blocks every forecast.
        const [sample, edge] = farm.datasets.map(d => d.runs[0]);
        expect([sample.blocked, edge.blocked]).toEqual([1, 3]);
        expect(edge).toMatchObject({ pipeline: 'contract_allocation', ok: true, notGrown: [] });
        expect(farm.build.written).toBe(false);
    });

    it('the immigration practice: every test passes, over the sample and both attorney-gate edge cases', () => {
        expect(statuses(policy)).toEqual([['impacted_on_top', 'pass'], ['no_unreviewed_advice', 'pass'], ['data_stays', 'pass'], ['digest_redacted', 'pass']]);
        expect(policy.datasets.map(d => [d.name, d.runs.map(r => r.blocked)])).toEqual([
            ['sample', [0, 0]],
            ['edge:attorney_review@policy_impact.attorney_gate', [2, 0]],
            ['edge:client_data_stays@policy_impact.attorney_gate', [2, 0]]
        ]);
        expect(policy.noEdgeCase).toEqual(['client_data_stays at weekly_digest.redact: Digest has no unprotected text field to carry a protected value']);
        const top = policy.tests[0];
        expect(top.checks.map(c => [c.kind, c.status])).toEqual([['ordering', 'pass'], ['coverage', 'pass'], ['panel', 'pass'], ['panel', 'pass']]);
    });

    it('is deterministic: the same spec and date give the same report', async () => {
        const again = await accept(farmSpec, '2025-06-02');
        const strip = ({ durationMs: _d, build: _b, ...rest }: AcceptanceReport) => rest;
        expect(strip(again)).toEqual(strip(farm));
    });
});

describe('a broken gate fails the test that covers it, naming the offending row', () => {
    it('the PHI gate edited to block nothing: "No harvest from PHI locked blocks" fails with Forecast-2 of the lettuce block', async () => {
        const out = await editedBuild(farmSpec, 'contract_allocation.phi_gate', '    return [];\n');
        const report = await accept(farmSpec, '2025-06-02', { out });
        expect(report.build.kept).toEqual(['contract_allocation.phi_gate']);
        expect(statuses(report)).toEqual([['phi_blocks_untouched', 'fail'], ['tuesday_reserved', 'pass'], ['invoices_for_reserved', 'pass']]);
        const [check] = report.tests[0].checks;
        expect(check.status).toBe('fail');
        expect(check.violations[0]).toEqual({
            dataset: 'sample', entity: 'Forecast', key: 'Forecast-2',
            reason: 'Block#2 (lettuce, Little Gem) is inside the phi_days interval of SprayEvent#1 (from 2025-05-28 until 2025-06-11); Forecast-2 is for 2025-06-02.',
            row: { id: 'Forecast-2', block: 'Block#2', sku: 'lettuce-little-gem', expected_qty: 270, week: '2025-06-02' }
        });
        // The edge case catches every forecast that slipped through, and says it came from there.
        expect(check.violations.filter(v => v.dataset !== 'sample').map(v => [v.dataset, v.key])).toEqual([
            ['edge:no_phi_harvest@contract_allocation.phi_gate', 'Forecast-1'],
            ['edge:no_phi_harvest@contract_allocation.phi_gate', 'Forecast-2'],
            ['edge:no_phi_harvest@contract_allocation.phi_gate', 'Forecast-3']
        ]);
    });

    it('the attorney gate edited to block nothing: only the edge cases have rows to catch, and they do', async () => {
        const out = await editedBuild(policySpec, 'policy_impact.attorney_gate', '    return [];\n');
        const report = await accept(policySpec, '2025-03-06', { out });
        expect(statuses(report)).toEqual([['impacted_on_top', 'pass'], ['no_unreviewed_advice', 'fail'], ['data_stays', 'fail'], ['digest_redacted', 'fail']]);
        const [approval, keepIn] = report.tests[1].checks;
        expect(approval.violations.map(v => [v.dataset, v.key, v.reason])).toEqual([
            ['edge:attorney_review@policy_impact.attorney_gate', 'ClientDraft-edge-1', 'ClientDraft-edge-1 claims approval by "auto", but only "Jun Kim" may approve it.'],
            ['edge:attorney_review@policy_impact.attorney_gate', 'ClientDraft-edge-2', 'ClientDraft-edge-2 claims approval by "auto", but only "Rosa Patel" may approve it.']
        ]);
        expect(keepIn.violations.map(v => [v.dataset, v.key])).toEqual([
            ['edge:client_data_stays@policy_impact.attorney_gate', 'ClientDraft-edge-1'],
            ['edge:client_data_stays@policy_impact.attorney_gate', 'ClientDraft-edge-2']
        ]);
        expect(keepIn.violations[0].reason).toMatch(/^ClientDraft-edge-1\.body carries the \w+ of \w+#\d, a protected value\.$/);
        // The report shows the row without the value it leaks.
        const body = String(keepIn.violations[0].row?.body);
        expect(body.endsWith(' •••')).toBe(true);
        for (const client of JSON.parse(fs.readFileSync(path.join(path.dirname(policySpec), 'records/Client.json'), 'utf8')) as Array<Record<string, string>>) {
            expect(body).not.toContain(client.full_name);
        }
    });
});

describe('a step the Toolsmith does not know', () => {
    it('fails honestly only the tests that cover it; the others pass', async () => {
        const file = exampleCopy(farmSpec, t => t.replace('step invoices "Invoices" reads Allocation output Invoice', 'step invoices "Invoices" strategy lump_sum reads Allocation output Invoice'));
        const report = await accept(file, '2025-06-02');
        expect(statuses(report)).toEqual([['phi_blocks_untouched', 'pass'], ['tuesday_reserved', 'pass'], ['invoices_for_reserved', 'not-grown']]);
        expect(report.tests[2].reason).toBe('contract_allocation.invoices is not grown (NotYetGrown: Step contract_allocation.invoices is not yet grown: the Toolsmith does not know strategy lump_sum. Write its body between the fspec:begin/end body markers, or grow it.).');
        expect(report.summary).toEqual({ tests: 3, passed: 2, failed: 0, notGrown: 1 });
        expect(report.ok).toBe(false);
    });

    it('also leaves not grown the tests whose records come through it', async () => {
        const file = exampleCopy(farmSpec, t => t.replace('strategy priority', 'strategy lottery'));
        const report = await accept(file, '2025-06-02');
        expect(statuses(report)).toEqual([['phi_blocks_untouched', 'pass'], ['tuesday_reserved', 'not-grown'], ['invoices_for_reserved', 'not-grown']]);
        expect(report.tests.slice(1).every(t => t.reason?.startsWith('contract_allocation.allocate is not grown'))).toBe(true);
    });
});

describe('a test no check can be derived from', () => {
    it('is not grown, saying why, and the others are unaffected', async () => {
        const file = exampleCopy(farmSpec, t => t.replace('test invoices_for_reserved "Invoices generated for reserved buyers" covers invoices',
            'test invoices_for_reserved "Invoices generated for reserved buyers" covers invoices\n    test blocks_known "Every block is known" covers Block'));
        const report = await accept(file, '2025-06-02');
        expect(statuses(report)).toEqual([['phi_blocks_untouched', 'pass'], ['tuesday_reserved', 'pass'], ['invoices_for_reserved', 'pass'], ['blocks_known', 'not-grown']]);
        expect(report.tests[3]).toMatchObject({ checks: [], reason: 'No check could be derived from what it covers (entity Block: the Tester derives no check from an entity).' });
    });
});

describe('what runAcceptance answers besides results', () => {
    it('a spec with errors: no tests, the errors', async () => {
        const file = exampleCopy(farmSpec, t => t.replace('reads Contract, Forecast output Allocation', 'reads Contrakt, Forecast output Allocation'));
        const report = await accept(file, '2025-06-02');
        expect(report.tests).toEqual([]);
        expect(report.ok).toBe(false);
        expect(report.errors?.[0]).toMatch(/farm-ops\.fspec:\d+:\d+ error linking-error Unknown entity 'Contrakt'/);
        expect(report.errors?.at(-1)).toBe('The spec has errors; fix them before testing its app.');
    });

    it('only the tests asked for; an unknown one, a malformed date or Daytona without a key are refused before anything runs', async () => {
        const report = await accept(farmSpec, '2025-06-02', { tests: ['tuesday_reserved'] });
        expect(statuses(report)).toEqual([['tuesday_reserved', 'pass']]);
        await expect(accept(farmSpec, '2025-06-02', { tests: ['nope'] })).rejects.toThrow('No acceptance test nope in FarmOps; it has phi_blocks_untouched, tuesday_reserved, invoices_for_reserved.');
        await expect(accept(farmSpec, '2 June')).rejects.toThrow('The run date must be YYYY-MM-DD, not "2 June".');
        await expect(accept(farmSpec, '2025-06-02', { sandbox: 'daytona', env: {} })).rejects.toThrow('Daytona not configured: set DAYTONA_API_KEY');
    });
});
