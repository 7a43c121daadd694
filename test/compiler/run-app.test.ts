import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, dataOf, exampleCopy, farmSpec, policySpec, runApp, tempDir, typecheck, type Row } from './compiled-app.js';

/** Runs every pipeline of the built app on demand: records from the spec's records/, outputs into a fresh data folder. */
async function runPipelines(spec: string, today: string, records = path.join(path.dirname(spec), 'records')) {
    const { out } = await build(spec);
    const data = tempDir('data');
    const run = await runApp(out, ['run', '--records', records, '--data', data, '--today', today, '--json']);
    return { out, data, run, reports: run.stdout ? JSON.parse(run.stdout) as Array<{ pipeline: string; ok: boolean; blocked: Array<Record<string, unknown>>; stages: Array<{ stage: string; notes: string[]; error?: string }> }> : [] };
}

describe('the farmer app, run on its sample records (week of Monday 2025-06-02)', () => {
    let farm: Awaited<ReturnType<typeof runPipelines>>;
    const contracts = JSON.parse(fs.readFileSync(path.join(path.dirname(farmSpec), 'records/Contract.json'), 'utf8')) as Array<Record<string, unknown>>;
    const allocations = () => dataOf(farm.data, 'Allocation');
    const contractOf = (row: Row) => contracts[Number(String(row.contract).split('#')[1]) - 1];

    beforeAll(async () => {
        farm = await runPipelines(farmSpec, '2025-06-02');
    });

    it('runs contract_allocation end to end', () => {
        expect(farm.run.stderr).toBe('');
        expect(farm.run.code).toBe(0);
        expect(farm.reports.map(r => [r.pipeline, r.ok])).toEqual([['contract_allocation', true]]);
    });

    it('reserves every Tuesday contract or records its shortfall', () => {
        const tuesday = contracts.map((c, i): Record<string, unknown> => ({ ...c, key: `Contract#${i + 1}` })).filter(c => c.delivery_day === 'tuesday');
        expect(tuesday.length).toBe(2);
        for (const contract of tuesday) {
            const rows = allocations().filter(a => a.contract === contract.key);
            const reserved = rows.filter(a => a.status === 'reserved').reduce((sum, a) => sum + Number(a.qty), 0);
            const short = rows.filter(a => a.status === 'shortfall').reduce((sum, a) => sum + Number(a.qty), 0);
            expect(reserved + short, contract.buyer as string).toBe(contract.qty_per_week);
        }
        expect(allocations().filter(a => a.status === 'shortfall').map(a => [contractOf(a).buyer, a.qty])).toEqual([['Green Grocer Co-op', 120]]);
        expect(allocations().filter(a => a.status === 'reserved').map(a => [contractOf(a).buyer, contractOf(a).sku, a.qty])).toEqual([
            ['Harbor Bistro', 'tomato-sungold-pint', 40], ['Millbrook Market', 'kale-lacinato-bunch', 60], ['Harbor Bistro', 'kale-lacinato-bunch', 15]
        ]);
    });

    it('forecasts nothing for the block inside its pre-harvest interval, and the gate names the row it blocked and why', () => {
        const forecasts = dataOf(farm.data, 'Forecast');
        expect(forecasts.map(f => f.block)).toEqual(['Block#1', 'Block#3']);
        expect(allocations().filter(a => a.status === 'reserved').some(a => String(contractOf(a).sku).startsWith('lettuce'))).toBe(false);
        const [blocked] = farm.reports[0].blocked;
        expect(farm.reports[0].blocked).toHaveLength(1);
        expect(blocked).toMatchObject({ gate: 'contract_allocation.phi_gate', guardrail: 'no_phi_harvest', entity: 'Forecast', key: 'Forecast-2', row: { block: 'Block#2', sku: 'lettuce-little-gem' } });
        expect(blocked.reason).toBe('Block#2 (lettuce, Little Gem) is inside the phi_days interval of SprayEvent#1 (from 2025-05-28 until 2025-06-11); Forecast-2 is for 2025-06-02.');
        const report = JSON.parse(fs.readFileSync(path.join(farm.data, 'runs/contract_allocation.json'), 'utf8'));
        expect(report.blocked[0].key).toBe('Forecast-2');
    });

    it('invoices the reserved buyers only, due 30 days after the run', () => {
        expect(dataOf(farm.data, 'Invoice').map(i => [i.buyer, i.amount, i.lines, i.due])).toEqual([
            ['Harbor Bistro', 217.5, ['Allocation-1', 'Allocation-4'], '2025-07-02'],
            ['Millbrook Market', 135, ['Allocation-3'], '2025-07-02']
        ]);
    });

    it('packs reserved allocations per buyer and day, and routes them in week order', () => {
        expect(dataOf(farm.data, 'Packlist').map(p => [p.buyer, p.delivery_day, p.lines])).toEqual([
            ['Harbor Bistro', 'tuesday', ['Allocation-1']], ['Harbor Bistro', 'friday', ['Allocation-4']], ['Millbrook Market', 'friday', ['Allocation-3']]
        ]);
        expect(dataOf(farm.data, 'Delivery').map(d => [d.packlist, d.route_stop, d.eta])).toEqual([
            ['Packlist-1', 1, '2025-06-03T08:00:00Z'], ['Packlist-2', 1, '2025-06-06T08:00:00Z'], ['Packlist-3', 2, '2025-06-06T08:30:00Z']
        ]);
    });

    it('sends surplus to the market when it pays more, and to a contract when its floor beats the market', async () => {
        expect(farm.reports[0].stages.find(s => s.stage === 'surplus')?.notes).toEqual([
            'Surplus 30 of kale-lacinato left for the market at 2.8 (PriceQuote#3 (kale-lacinato-bunch, County Produce Auction)).',
            'Surplus 20 of tomato-sungold left for the market at 5.1 (PriceQuote#1 (tomato-sungold-pint, Riverside Wholesale)).'
        ]);
        const records = tempDir('records');
        fs.cpSync(path.join(path.dirname(farmSpec), 'records'), records, { recursive: true });
        const quotes = JSON.parse(fs.readFileSync(path.join(records, 'PriceQuote.json'), 'utf8'));
        quotes[2].price = 2;
        fs.writeFileSync(path.join(records, 'PriceQuote.json'), JSON.stringify(quotes));
        const cheap = await runPipelines(farmSpec, '2025-06-02', records);
        const extra = dataOf(cheap.data, 'Allocation').slice(4);
        expect(extra.map(a => [a.contract, a.qty, a.status])).toEqual([['Contract#4', 15, 'reserved'], ['Contract#3', 15, 'reserved']]);
    });
});

describe('the immigration app, run on its sample records (Thursday 2025-03-06)', () => {
    let policy: Awaited<ReturnType<typeof runPipelines>>;

    beforeAll(async () => {
        policy = await runPipelines(policySpec, '2025-03-06');
    });

    it('runs both pipelines end to end', () => {
        expect(policy.run.code).toBe(0);
        expect(policy.reports.map(r => [r.pipeline, r.ok, r.blocked.length])).toEqual([['policy_impact', true, 0], ['weekly_digest', true, 0]]);
    });

    it('puts impacted cases on top, ranked, each with a next action and a due date', () => {
        const impacts = dataOf(policy.data, 'Impact');
        // The F-1 update took effect yesterday (high) for the case with an open RFE; the H-1B one is 26 days out (medium).
        expect(impacts.map(i => [i.case, i.update, i.severity])).toEqual([['Case#2', 'PolicyUpdate#2', 'high'], ['Case#1', 'PolicyUpdate#1', 'medium']]);
        const plans = dataOf(policy.data, 'ActionPlan');
        expect(plans.map(p => [p.impact, p.due, p.owner])).toEqual([['Impact-1', '2025-03-13', 'Jun Kim'], ['Impact-2', '2025-03-20', 'Rosa Patel']]);
        expect(plans[0].next_action).toBe('Act now on "Updated F-1 practical training guidance" for Case#2 (f1, rfe)');
        // Closed cases (approved) and cases no update touches get nothing.
        expect(impacts.some(i => i.case === 'Case#3' || i.case === 'Case#4')).toBe(false);
    });

    it('drafts a letter per impact in the client\'s language, awaiting an attorney\'s approval', () => {
        const drafts = dataOf(policy.data, 'ClientDraft');
        expect(drafts.map(d => [d.impact, d.language, d.approved_by])).toEqual([['Impact-1', 'es', null], ['Impact-2', 'en', null]]);
        expect(drafts[0].body).toMatch(/^Dear Lucía,\n\nA published change may affect your case: Updated F-1 practical training guidance \(effective 2025-03-05\)\./);
        expect(String(drafts[0].body)).not.toContain('IOE0912345678');
    });

    it('collects the week\'s updates into a digest', () => {
        expect(dataOf(policy.data, 'Digest').map(d => [d.week, d.updates])).toEqual([['2025-03-03', ['PolicyUpdate#2']]]);
    });

    it('blocks a draft whose approval names someone other than the case\'s attorney, and one carrying protected client data', async () => {
        const spec = exampleCopy(policySpec, text => text);
        const { out } = await build(spec);
        const step = path.join(out, 'src/pipelines/policy_impact/draft_letters.ts');
        // A step that oversteps: approves its own drafts, and quotes a receipt number in one.
        fs.writeFileSync(step, fs.readFileSync(step, 'utf8')
            .replace("approved_by: null", "approved_by: row.id === 'Impact-1' ? 'auto' : null")
            .replace("'We are reviewing", "(row.id === 'Impact-2' ? 'Receipt EAC2590012345. ' : '') + 'We are reviewing"));
        const data = tempDir('data');
        const run = await runApp(out, ['run', 'policy_impact', '--data', data, '--today', '2025-03-06', '--json']);
        const [report] = JSON.parse(run.stdout);
        expect(report.blocked.map((b: Record<string, unknown>) => [b.key, b.guardrail, b.reason])).toEqual([
            ['ClientDraft-1', 'attorney_review', 'ClientDraft-1 claims approval by "auto", but only "Jun Kim" may approve it.'],
            ['ClientDraft-2', 'client_data_stays', 'ClientDraft-2.body carries the receipt_number of Case#1, a protected value.']
        ]);
        expect(dataOf(data, 'ClientDraft')).toEqual([]);
    });
});

describe('a step the Toolsmith does not know', () => {
    it('compiles to a body that throws NotYetGrown naming it; the run goes on without it, and says so', async () => {
        const spec = exampleCopy(farmSpec, text => text.replace('strategy priority', 'strategy lottery'));
        const { out, bodies } = await build(spec);
        expect(bodies.find(b => b.stage === 'contract_allocation.allocate')).toMatchObject({ grown: 'not-yet-grown' });
        const module = fs.readFileSync(path.join(out, 'src/pipelines/contract_allocation/allocate.ts'), 'utf8');
        expect(module).toContain('throw new NotYetGrown("contract_allocation.allocate", "the Toolsmith does not know strategy lottery");');
        expect((await typecheck(out)).code).toBe(0);
        const data = tempDir('data');
        const run = await runApp(out, ['run', '--data', data, '--today', '2025-06-02']);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('contract_allocation (2025-06-02): incomplete: allocate not grown');
        expect(run.stdout).toContain('step allocate: NOT GROWN, made nothing (NotYetGrown: Step contract_allocation.allocate is not yet grown: the Toolsmith does not know strategy lottery.');
        // The stages around it ran: the forecast and the gate did their part; nothing was allocated, so nothing was packed or invoiced.
        expect(dataOf(data, 'Forecast').map(f => f.block)).toEqual(['Block#1', 'Block#3']);
        expect(dataOf(data, 'Allocation')).toEqual([]);
        expect(dataOf(data, 'Invoice')).toEqual([]);
        const report = JSON.parse(fs.readFileSync(path.join(data, 'runs/contract_allocation.json'), 'utf8'));
        expect(report).toMatchObject({ ok: true, notGrown: ['allocate'] });
        expect(report.stages.find((s: { stage: string }) => s.stage === 'allocate').notGrown).toMatch(/^NotYetGrown: Step contract_allocation\.allocate is not yet grown/);
    });

    it('a gate not grown still stops the run, so no row passes it unchecked, and nothing is written', async () => {
        const spec = exampleCopy(farmSpec, text => text.replace('reads SprayEvent, Forecast enforces no_phi_harvest', 'reads SprayEvent, Forecast enforces reserve_before_surplus'));
        const { out } = await build(spec);
        const data = tempDir('data');
        const run = await runApp(out, ['run', '--data', data, '--today', '2025-06-02']);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('contract_allocation (2025-06-02): failed');
        expect(run.stdout).toContain('gate phi_gate: blocked 0: NotYetGrown: Step contract_allocation.phi_gate is not yet grown: no known check for reserve_before_surplus.');
        // A failed run writes no records, only its report.
        expect(fs.readdirSync(data)).toEqual(['runs']);
    });
});
