import * as fs from 'node:fs';
import * as path from 'node:path';
import { fauxAssistantMessage, fauxToolCall, registerFauxProvider, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readManifest } from '../../language-server/src/compiler/write-build.js';
import type { PlannerOutput } from '../../language-server/src/crew/contracts.js';
import { runGrowth } from '../../language-server/src/crew/growth-run.js';
import type { MutationPr } from '../../language-server/src/crew/mutation-pr.js';
import { atomicWrite } from '../../language-server/src/lineage/atomic-write.js';
import { invoicesFile, unknownInvoices, workingInvoiceBody } from '../compiler/compiled-app.js';
import { withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { exampleRepository } from './example-repository.js';
import { testLlm } from './llm/llm-test-helpers.js';
import { services } from './example-specs.js';

withoutGlobalGitConfig();

const desire = '    desire weather_aware {\n      goal "Take the weather into account when forecasting yields"\n    }\n';

let faux: FauxProviderRegistration;
beforeEach(() => {
    faux = registerFauxProvider();
    process.env.FSPEC_TODAY = '2025-06-02';
});
afterEach(() => {
    faux.unregister();
    delete process.env.FSPEC_TODAY;
});

/** The farm in a repository, its invoice step under a strategy the Toolsmith has no skill for, and a free-text desire. */
function farmWithUnknownInvoices() {
    const { sandbox, file } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', desire);
    const text = unknownInvoices(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, text);
    return { sandbox, file, text };
}

const plan: PlannerOutput = {
    morphs: [{ type: 'add_source', name: 'weather_feed', title: 'Weather feed', tier: 'medium', cadence: 'daily', reason: 'rain derates' }],
    tests: ['invoices_for_reserved']
};

describe('a growth with a model: the Toolsmith writes the bodies the proposed app lacks', () => {
    it('shows the written body in the mutation PR, tests the app with it, and builds the approved version with it', async () => {
        const { sandbox, file, text } = farmWithUnknownInvoices();
        const working = await workingInvoiceBody();
        faux.setResponses([
            fauxAssistantMessage(fauxToolCall('submit_planner', plan), { stopReason: 'toolUse' }),
            fauxAssistantMessage(fauxToolCall('submit_toolsmith', { summary: 'Bills each reserved allocation', code: working }), { stopReason: 'toolUse' })
        ]);
        const reviewed: MutationPr[] = [];

        const result = await runGrowth(services, {
            specPath: file, text, llm: testLlm(faux.getModel(), 'faux/crew'),
            review: async pr => { reviewed.push(pr); return { decision: 'approve' }; },
            deploy: (target, grown) => atomicWrite(target, grown)
        });

        expect(result.status).toBe('grown');
        const [pr] = reviewed;
        expect(pr.bodies).toEqual([expect.objectContaining({ stage: 'contract_allocation.invoices', status: 'grown', attempts: 1, body: expect.objectContaining({ skill: 'model:faux/crew', code: working }) })]);
        expect(pr.simulation.tests.find(t => t.name === 'invoices_for_reserved')).toMatchObject({ status: 'pass' });
        const out = sandbox.path('.factory/build/0.3.0');
        expect(readManifest(out)!.bodies.find(b => b.stage === 'contract_allocation.invoices')).toMatchObject({ grown: 'model:faux/crew' });
        expect(fs.readFileSync(path.join(out, invoicesFile), 'utf8')).toContain(working.split('\n')[0]);

        // The body is source: in .factory/bodies/, saying who wrote it, committed with the growth; nothing is left over.
        const bodyFile = fs.readFileSync(sandbox.path('.factory/bodies/contract_allocation/invoices.ts'), 'utf8');
        expect(bodyFile.split('\n')[0]).toBe('// fspec body of step contract_allocation.invoices, written by the model faux/crew: Bills each reserved allocation');
        expect(bodyFile).toContain(working.split('\n')[0]);
        expect(sandbox.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toEqual([
            '.factory/approved/FarmOps.fspec', '.factory/bodies/contract_allocation/invoices.ts', 'farm-ops.fspec'
        ]);
        expect(sandbox.status()).toEqual([]);
    });
});
