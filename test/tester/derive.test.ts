import { describe, expect, it } from 'vitest';
import { appModel } from '../../language-server/src/compiler/app-model.js';
import { compileApp } from '../../language-server/src/compiler/compile.js';
import { edgeCases, testPlans, type TestPlan } from '../../language-server/src/compiler/tester/index.js';
import { namesIn, wordsOf } from '../../language-server/src/compiler/tester/words.js';
import { exampleCopy, farmSpec, policySpec, specGraph } from '../compiler/compiled-app.js';

async function plans(file: string): Promise<TestPlan[]> {
    return testPlans(appModel(await specGraph(file)));
}

const summary = (plan: TestPlan) => plan.checks.map(c => c.kind === 'guardrail'
    ? `guardrail ${c.guardrail.name}@${c.gate.qualified} (${c.check.skill})`
    : c.kind === 'coverage' ? `coverage ${c.entity} ${JSON.stringify(c.where)} → ${c.output}.${c.via} ${JSON.stringify(c.values)} ${JSON.stringify(c.filled)}`
        : c.kind === 'ordering' ? `ordering ${c.entity} ${c.keys.map(k => k.kind).join(', ')}` : `panel ${c.panel} ${c.entity} ${c.fields.join(', ')}`);

describe('the Tester derives checks from what a test covers and what its text names', () => {
    it('the farm: a guardrail held past its gate, Tuesday contracts covered with a reserved or shortfall allocation, reserved allocations invoiced to a buyer', async () => {
        const [phi, tuesday, invoices] = await plans(farmSpec);
        expect(summary(phi)).toEqual(['guardrail no_phi_harvest@contract_allocation.phi_gate (window)']);
        expect(phi.checks[0].description).toBe('no_phi_harvest ("No harvest from PHI locked blocks") holds past contract_allocation.phi_gate: no Forecast row references a Block inside the phi_days interval of a SprayEvent');
        expect(phi.stages).toEqual(['contract_allocation.yield_forecast', 'contract_allocation.phi_gate']);

        expect(summary(tuesday)).toEqual(['coverage Contract {"delivery_day":["tuesday"]} → Allocation.contract {"status":["reserved","shortfall"]} []']);
        expect(tuesday.checks[0].description).toBe('every Contract with delivery_day tuesday has an Allocation referencing it (Allocation.contract) with status reserved or shortfall (step contract_allocation.allocate)');
        // No gate enforces reserve_before_surplus: the test says so rather than pretend.
        expect(tuesday.unchecked).toEqual(['guardrail reserve_before_surplus: no gate enforces it, so there is no rule of it to check over the records']);
        expect(tuesday.stages).toEqual(['contract_allocation.yield_forecast', 'contract_allocation.phi_gate', 'contract_allocation.allocate']);

        expect(summary(invoices)).toEqual(['coverage Allocation {"status":["reserved"]} → Invoice.lines {} ["buyer"]']);
        expect(invoices.stages).toContain('contract_allocation.allocate');
        expect(invoices.stages.at(-1)).toBe('contract_allocation.invoices');
    });

    it('the immigration practice: ranking order, a plan with next action and due date per impact, the queue panel, and both guardrails past each gate', async () => {
        const [top, advice, stays, digest] = await plans(policySpec);
        expect(summary(top)).toEqual([
            'ordering Impact rank, first, earliest',
            'coverage Impact {} → ActionPlan.impact {} ["next_action","due"]',
            'panel impact_queue Impact case',
            'panel impact_queue ActionPlan next_action, due'
        ]);
        const ordering = top.checks[0];
        expect(ordering.kind === 'ordering' && ordering.keys).toEqual([
            { kind: 'rank', field: 'severity', values: ['low', 'medium', 'high'] },
            { kind: 'first', via: 'case', entity: 'Case', field: 'status', value: 'rfe' },
            { kind: 'earliest', field: 'effective', via: 'update', entity: 'PolicyUpdate' }
        ]);
        expect(summary(advice)).toEqual(['guardrail attorney_review@policy_impact.attorney_gate (approval)', 'guardrail client_data_stays@policy_impact.attorney_gate (keep-in)']);
        expect(summary(stays)).toEqual(['guardrail client_data_stays@policy_impact.attorney_gate (keep-in)', 'guardrail client_data_stays@weekly_digest.redact (keep-in)']);
        expect(summary(digest)).toEqual(['guardrail client_data_stays@weekly_digest.redact (keep-in)', 'guardrail client_data_stays@policy_impact.attorney_gate (keep-in)']);
        expect([top, advice, stays, digest].every(p => p.notGrown === undefined)).toBe(true);
    });

    it('reads names out of the text: snake_case as words, a plural last word', () => {
        const words = wordsOf('Impacted cases appear at top with next action and due date');
        expect(['next_action', 'due', 'case'].map(n => namesIn(words, n))).toEqual([true, true, true]);
        expect(['impact', 'owner', 'action_plan'].map(n => namesIn(words, n))).toEqual([false, false, false]);
        expect(namesIn(wordsOf('Invoices generated for reserved buyers'), 'buyer')).toBe(true);
    });

    it('a test no check can be derived from is not grown, and says why', async () => {
        const file = exampleCopy(farmSpec, t => t
            .replace('test invoices_for_reserved "Invoices generated for reserved buyers" covers invoices',
                'test invoices_for_reserved "Invoices generated for reserved buyers" covers invoices\n    test blocks_known "Every block is known" covers Block\n    test surplus_sold "Surplus is sold" covers reserve_before_surplus'));
        const all = await plans(file);
        expect(all.find(p => p.name === 'blocks_known')).toMatchObject({
            checks: [], notGrown: 'No check could be derived from what it covers (entity Block: the Tester derives no check from an entity).'
        });
        expect(all.find(p => p.name === 'surplus_sold')?.notGrown).toBe('No check could be derived from what it covers (guardrail reserve_before_surplus: no gate enforces it, so there is no rule of it to check over the records).');
    });

    it('uses the Toolsmith\'s own gate check, whatever grower wrote the gate\'s body', async () => {
        const graph = await specGraph(farmSpec);
        const blank = compileApp(graph, { grow: () => 'unknown' });
        const test = blank.files.find(f => f.path === 'src/acceptance/phi_blocks_untouched.ts')!.text;
        expect(test).toContain('function checkNoPhiHarvestAtContractAllocationPhiGate(input: NoPhiHarvestAtContractAllocationPhiGateReads, ctx: rt.StepContext)');
        expect(test).toContain("const locked = subject && intervals.get(subject.id)?.find(e => e.date <= on && on < kit.addDays(e.date, e.phi_days));");
        const gate = compileApp(graph).files.find(f => f.path === 'src/pipelines/contract_allocation/phi_gate.ts')!.text;
        expect(gate).toContain("const locked = subject && intervals.get(subject.id)?.find(e => e.date <= on && on < kit.addDays(e.date, e.phi_days));");
    });
});

describe('the Tester generates an edge case per guardrail check', () => {
    it('the farm: a spray on every block, into the records (no step makes SprayEvent)', async () => {
        const app = appModel(await specGraph(farmSpec));
        const { cases, none } = edgeCases(app, testPlans(app));
        expect(none).toEqual([]);
        expect(cases.map(c => [c.name, c.records.map(r => r.entity), c.inject.map(r => r.entity)])).toEqual([['edge:no_phi_harvest@contract_allocation.phi_gate', ['SprayEvent'], []]]);
        expect(cases[0].records[0].code).toBe('(load, ctx) => load("Block").map(x => ({ block: x.id, date: kit.addDays(ctx.today, -31), phi_days: 62, product: "edge case", applicator: "edge case" }))');
    });

    it('the immigration practice: drafts approved by the app and drafts carrying client data, put into the flow before the gate; none for the digest, which has no text to carry data', async () => {
        const app = appModel(await specGraph(policySpec));
        const { cases, none } = edgeCases(app, testPlans(app));
        expect(cases.map(c => [c.name, c.records.length, c.inject.map(r => `${r.entity} before ${r.before}`)])).toEqual([
            ['edge:attorney_review@policy_impact.attorney_gate', 0, ['ClientDraft before policy_impact.attorney_gate']],
            ['edge:client_data_stays@policy_impact.attorney_gate', 0, ['ClientDraft before policy_impact.attorney_gate']]
        ]);
        expect(cases[1].description).toBe('every ClientDraft row again with a pii/phi value from the store added to its ClientDraft.body: attorney_gate must block each copy');
        expect(none).toEqual(['client_data_stays at weekly_digest.redact: Digest has no unprotected text field to carry a protected value']);
    });
});
