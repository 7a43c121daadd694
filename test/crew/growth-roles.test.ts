import { describe, expect, it } from 'vitest';
import type { MorphProposal } from '../../language-server/src/crew/contracts.js';
import { compileGrowth } from '../../language-server/src/crew/roles/compiler.js';
import { plannerInput, planOffline } from '../../language-server/src/crew/roles/planner.js';
import { reviewSafety } from '../../language-server/src/crew/roles/safety.js';
import { simulateGrowth } from '../../language-server/src/crew/roles/tester.js';
import { farmFile, loadAs, policyFile, realizedExample, services, shippedPendingDesires, tuesdayDesire, withDesires } from './example-specs.js';
import * as fs from 'node:fs';

const detached = services.model.DetachedSpecs;

async function grow(file: string, text: string, proposals?: MorphProposal[]) {
    const current = await loadAs(file, text);
    const plan = planOffline(current.graph!, plannerInput(current.graph!));
    const compiled = await compileGrowth(detached, current, proposals ?? plan.morphs, 'grown');
    const proposed = await loadAs(file, compiled.text);
    return { current, plan, compiled, proposed, verdict: await reviewSafety(detached, proposed) };
}

describe('offline planner', () => {
    it('finds nothing to grow in an example as its last growth left it, whose desires are all realized', async () => {
        for (const file of [farmFile, policyFile]) {
            const spec = await loadAs(file, realizedExample(file));
            expect(plannerInput(spec.graph!).new_desires).toEqual([]);
        }
    });

    it('finds exactly the pending desire each shipped example carries, and plans its panel and the test that realizes it', async () => {
        expect(shippedPendingDesires).toEqual({ [farmFile]: 'buyer_invoices', [policyFile]: 'draft_review' });
        const farm = await loadAs(farmFile, fs.readFileSync(farmFile, 'utf8'));
        const farmInput = plannerInput(farm.graph!);
        expect(farmInput.new_desires).toEqual([{
            name: 'buyer_invoices', goal: 'Show each buyer the amount and due date of their invoices', constraints: [],
            trusted_sources: ['contracts_feed'], outputs: ['invoice_board']
        }]);
        const farmPlan = planOffline(farm.graph!, farmInput);
        expect(farmPlan.morphs).toEqual([
            { type: 'add_surface', name: 'invoice_board', title: 'Invoice board', shows: ['Invoice'], for: ['Farmer'], reason: 'desire buyer_invoices wants invoice_board' },
            { type: 'add_test', name: 'buyer_invoices_realized', text: 'Show each buyer the amount and due date of their invoices', covers: ['invoice_board'], reason: 'checks that desire buyer_invoices is realized' }
        ]);
        expect(farmPlan.tests).toEqual(['buyer_invoices_realized']);

        const policy = await loadAs(policyFile, fs.readFileSync(policyFile, 'utf8'));
        const policyInput = plannerInput(policy.graph!);
        expect(policyInput.new_desires).toEqual([{
            name: 'draft_review', goal: 'Show attorneys the language of each client draft and who approved it', constraints: [], trusted_sources: [], outputs: ['review_queue']
        }]);
        const policyPlan = planOffline(policy.graph!, policyInput);
        expect(policyPlan.morphs).toEqual([
            { type: 'add_surface', name: 'review_queue', title: 'Review queue', shows: ['ClientDraft'], for: ['Attorney'], reason: 'desire draft_review wants review_queue' },
            { type: 'add_test', name: 'draft_review_realized', text: 'Show attorneys the language of each client draft and who approved it', covers: ['review_queue'], reason: 'checks that desire draft_review is realized' }
        ]);
        expect(policyPlan.tests).toEqual(['draft_review_realized']);
    });

    it('turns the Tuesday desire into a source, a step for the missing output and a test, with the tests the rules require', async () => {
        const spec = await loadAs(farmFile, withDesires(farmFile, tuesdayDesire));
        const input = plannerInput(spec.graph!);
        expect(input.spec_graph_id).toMatch(/^sg-[0-9a-f]{12}$/);
        expect(input.new_desires).toEqual([{
            name: 'tuesday_shortfalls', goal: 'Reserve Tuesday contracts first', constraints: ['PHI compliant'],
            trusted_sources: ['weather_service'], outputs: ['packlists', 'invoices', 'shortfall_alerts']
        }]);
        const plan = planOffline(spec.graph!, input);
        expect(plan.morphs.map(m => `${m.type} ${'name' in m ? m.name : ''}`)).toEqual([
            'add_source weather_service', 'add_step shortfall_alerts', 'add_test tuesday_shortfalls_realized'
        ]);
        // "PHI compliant" names the PHI guardrail, which phi_gate already enforces: no gate is proposed.
        expect(plan.morphs[0]).toMatchObject({ tier: 'medium', cadence: 'daily' });
        expect(plan.morphs[1]).toMatchObject({ pipeline: 'contract_allocation', reads: ['Invoice'] });
        expect(plan.tests).toEqual(['tuesday_reserved', 'tuesday_shortfalls_realized']);
    });

    it('inserts a gate after the first step for a constraint naming an ungated guardrail', async () => {
        const text = withDesires(farmFile, `    desire surplus_honest {\n      constraint reserve_before_surplus\n    }\n`);
        const { plan, compiled, verdict } = await grow(farmFile, text);
        expect(plan.morphs[0]).toMatchObject({ type: 'insert_gate', name: 'reserve_before_surplus_gate', pipeline: 'contract_allocation', after: 'yield_forecast', enforces: ['reserve_before_surplus'] });
        expect(compiled.text).toMatch(/step yield_forecast [^\n]*\n\s+gate reserve_before_surplus_gate "Reserve before surplus gate" enforces reserve_before_surplus\n\s+gate phi_gate/);
        expect(verdict).toEqual({ verdict: 'approved', vetoes: [] });
    });

    it('makes a panel for an output that names a screen', async () => {
        const text = withDesires(farmFile, `    desire board {\n      output shortfall_board\n    }\n`);
        const { plan, verdict } = await grow(farmFile, text);
        expect(plan.morphs[0]).toMatchObject({ type: 'add_surface', name: 'shortfall_board', shows: ['Invoice'], for: ['Farmer'] });
        expect(verdict.verdict).toBe('approved');
    });
});

describe('compiler, safety and simulation', () => {
    it('writes the farmer growth into the spec: new lines, version 0.3.0, the stage in the lineage; Safety approves', async () => {
        const { compiled, proposed, verdict, current, plan } = await grow(farmFile, withDesires(farmFile, tuesdayDesire));
        expect(compiled.stage).toEqual({ name: 'grown', version: '0.3.0', from: 'juvenile', by: ['add_source weather_service', 'add_step shortfall_alerts'] });
        expect(compiled.text).toContain('spec FarmOps version "0.3.0" stage grown {');
        expect(compiled.text).toContain('source weather_service "Weather service" tier medium cadence daily\n');
        expect(compiled.text).toMatch(/step invoices [^\n]*\n\s+step shortfall_alerts "Shortfall alerts" reads Invoice\n/);
        expect(compiled.text).toContain('stage grown "0.3.0" from juvenile by add_source weather_service, add_step shortfall_alerts\n');
        expect(verdict).toEqual({ verdict: 'approved', vetoes: [] });

        const simulation = simulateGrowth(current.graph!, proposed.graph!, plan.tests);
        expect(simulation.morphs.filter(m => m.risk).map(m => `${m.kind} ${m.risk}`)).toEqual(['add_source low', 'add_step medium']);
        expect(simulation.risk).toBe('medium');
        expect(simulation.added).toEqual(expect.arrayContaining(['source:weather_service', 'step:contract_allocation.shortfall_alerts']));
        expect(simulation.tests).toContainEqual({ name: 'tuesday_reserved', text: 'All Tuesday contracts reserved or shortfall alert created', required: true, status: 'not-run' });
        expect(simulation.diagrams.after.mermaid).toMatch(/class [^\n]*contract_allocation_shortfall_alerts[^\n]* added/);
        expect(simulation.diagrams.before.mermaid).not.toContain('classDef');
    });

    it('places a new source in the organ its growth plate names, so the immigration growth is allowed', async () => {
        const text = withDesires(policyFile, `    desire rfe_deadlines {\n      goal "Alert paralegals to RFE deadlines"\n      trusted_source state_bulletin\n      output rfe_alerts\n    }\n`);
        const { compiled, verdict, plan } = await grow(policyFile, text);
        expect(plan.morphs.map(m => m.type)).toEqual(['add_source', 'add_step', 'add_test']);
        expect(compiled.text).toContain('organ ingestors "Policy ingestion" includes federal_register, uscis_alerts, ingest_updates, state_bulletin\n');
        expect(compiled.text).toContain('source state_bulletin "State bulletin" tier high cadence daily');
        expect(verdict).toEqual({ verdict: 'approved', vetoes: [] });
    });

    it('vetoes a guardrail no growth plate accepts, naming the morph and the nearest plate', async () => {
        const text = withDesires(farmFile, `    desire organic {\n      constraint "Only organic sprays"\n    }\n`);
        const { plan, verdict } = await grow(farmFile, text);
        expect(plan.morphs.map(m => m.type)).toEqual(['add_guardrail', 'insert_gate', 'add_test']);
        expect(verdict.verdict).toBe('vetoed');
        expect(verdict.vetoes).toContainEqual(expect.objectContaining({ code: 'morph-not-allowed', message: expect.stringContaining('Morph add_guardrail is not allowed') }));
    });

    it('vetoes identity changes by the invariant that forbids them', async () => {
        const text = realizedExample(farmFile);
        const purpose = await grow(farmFile, text, [{ type: 'change_purpose', text: 'Sell everything online' }]);
        expect(purpose.verdict.vetoes).toContainEqual(expect.objectContaining({ code: 'prohibited-change', message: expect.stringContaining("Identity invariant 'prohibit change purpose'") }));
        const farmer = await grow(farmFile, text, [{ type: 'remove_beneficiary', name: 'Farmer' }]);
        expect(farmer.compiled.text).not.toContain('beneficiary Farmer "Grows');
        expect(farmer.verdict.vetoes).toContainEqual(expect.objectContaining({ code: 'prohibited-change', message: expect.stringContaining("'prohibit remove beneficiary Farmer'") }));
    });

    it('refuses a proposal naming a pipeline the spec does not have, with the name', async () => {
        const current = await loadAs(farmFile, realizedExample(farmFile));
        await expect(compileGrowth(detached, current, [{ type: 'add_step', pipeline: 'harvest', name: 'pick' }], 'grown'))
            .rejects.toThrow("The proposal names pipeline 'harvest', which the spec does not have.");
    });
});
