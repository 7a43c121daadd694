import * as fs from 'node:fs';
import * as path from 'node:path';
import { fauxAssistantMessage, fauxToolCall, registerFauxProvider, type Context, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, defaultBuildFolder } from '../../language-server/src/compiler/build-app.js';
import { runAcceptance } from '../../language-server/src/compiler/tester/index.js';
import { toolsmith } from '../../language-server/src/compiler/toolsmith/index.js';
import { withAcceptedBodies } from '../../language-server/src/compiler/toolsmith/model-toolsmith.js';
import { bodiesOf, withBodies } from '../../language-server/src/compiler/regions.js';
import { readManifest } from '../../language-server/src/compiler/write-build.js';
import { growStepBodies } from '../../language-server/src/crew/roles/toolsmith.js';
import { loadAs, services } from '../crew/example-specs.js';
import { testLlm } from '../crew/llm/llm-test-helpers.js';
import { exampleCopy, farmSpec, invoicesFile, snapshot, specGraph, unknownInvoices, workingInvoiceBody } from './compiled-app.js';

const today = '2025-06-02';

let faux: FauxProviderRegistration;
beforeEach(() => faux = registerFauxProvider());
afterEach(() => faux.unregister());

const answer = (code: string, summary = 'Bills each reserved allocation') =>
    fauxAssistantMessage(fauxToolCall('submit_toolsmith', { summary, code }), { stopReason: 'toolUse' });

async function growFarm(spec: string) {
    const graph = await specGraph(spec);
    const prompts: string[] = [];
    const seen = (context: Context) => prompts.push(String(context.messages.at(-1)!.content));
    return {
        graph, prompts, seen,
        grow: () => growStepBodies({
            services, specPath: spec, text: fs.readFileSync(spec, 'utf8'), graph, llm: testLlm(faux.getModel(), 'faux/toolsmith'),
            out: defaultBuildFolder(spec, graph.version), today
        })
    };
}

describe('the Toolsmith with a model writes the bodies it has no skill for', () => {
    it('refuses a body that does not compile, then one that fails the tests covering the step, and accepts one that passes', async () => {
        const spec = exampleCopy(farmSpec, unknownInvoices);
        const working = await workingInvoiceBody();
        const farm = await growFarm(spec);
        faux.setResponses([
            context => (farm.seen(context), answer('return { Invoice: input.reads.Allocation.map(a => ({ allocation: a.id, total: a.nope })) };')),
            context => (farm.seen(context), answer('return { Invoice: [] };', 'Bills nobody')),
            context => (farm.seen(context), answer(working))
        ]);

        const [outcome] = await farm.grow();

        expect(outcome).toMatchObject({ stage: 'contract_allocation.invoices', status: 'grown', attempts: 3, body: { skill: 'model:faux/toolsmith', summary: 'Bills each reserved allocation', code: working } });
        // The first prompt shows the step's module and what judges it; each refusal goes back with its reasons.
        expect(farm.prompts[0]).toContain('strategy monthly_billing');
        expect(farm.prompts[0]).toContain('invoices_for_reserved: Invoices generated for reserved buyers');
        expect(farm.prompts[1]).toMatch(/src\/pipelines\/contract_allocation\/invoices\.ts:\d+:\d+ Property 'nope' does not exist/);
        expect(farm.prompts[2]).toContain('Acceptance test invoices_for_reserved ("Invoices generated for reserved buyers") fails');
        expect(farm.prompts[2]).toContain('return { Invoice: [] };');
    });

    it('leaves a step not grown when every answer is refused, so its test fails honestly', async () => {
        const spec = exampleCopy(farmSpec, unknownInvoices);
        const farm = await growFarm(spec);
        faux.setResponses([answer('return { Invoice: [] };'), answer('return { Invoice: [] };'), answer('throw new Error("no idea");')]);

        const outcomes = await farm.grow();
        const report = await runAcceptance(services, spec, fs.readFileSync(spec, 'utf8'), { today, grow: withAcceptedBodies(outcomes, toolsmith) });

        expect(outcomes).toEqual([expect.objectContaining({ status: 'not-grown', attempts: 3, problems: expect.arrayContaining(['On the sample records the step threw Error: no idea']) })]);
        expect(outcomes[0].body).toBeUndefined();
        expect(report.tests.find(t => t.name === 'invoices_for_reserved')).toMatchObject({ status: 'not-grown' });
    });

    it('leaves the steps not grown, saying why, when the model cannot answer at all', async () => {
        const spec = exampleCopy(farmSpec, unknownInvoices);
        const farm = await growFarm(spec);
        faux.setResponses([]);

        const outcomes = await farm.grow();

        expect(outcomes).toEqual([{
            stage: 'contract_allocation.invoices', status: 'not-grown', attempts: 1,
            problems: [expect.stringMatching(/^The model could not answer: .*No more faux responses queued/)]
        }]);
    });

    it('asks nothing when the Toolsmith knows every step', async () => {
        const spec = exampleCopy(farmSpec);
        const farm = await growFarm(spec);
        expect(await farm.grow()).toEqual([]);
        expect(faux.state.callCount).toBe(0);
    });

    it('keeps an accepted body in the build, labelled as the model\'s, through rebuilds and into the next version\'s build', async () => {
        const spec = exampleCopy(farmSpec, unknownInvoices);
        const working = await workingInvoiceBody();
        const farm = await growFarm(spec);
        faux.setResponses([answer(working)]);
        const outcomes = await farm.grow();
        const first = buildApp(farm.graph, spec, { grow: withAcceptedBodies(outcomes, toolsmith) });

        const module = fs.readFileSync(path.join(first.out, invoicesFile), 'utf8');
        expect(module).toContain('Body: written by the model faux/toolsmith');
        expect(readManifest(first.out)!.bodies.find(b => b.stage === 'contract_allocation.invoices')).toMatchObject({ grown: 'model:faux/toolsmith', summary: 'Bills each reserved allocation' });

        // Rebuilt without the model: byte for byte the same build.
        const before = snapshot(first.out);
        const again = buildApp(farm.graph, spec);
        expect(again.written).toEqual([]);
        expect(snapshot(first.out)).toEqual(before);

        // The next version's first build starts from this one's bodies.
        const nextText = fs.readFileSync(spec, 'utf8').replace('version "0.2.0"', 'version "0.3.0"');
        const next = (await loadAs(spec, nextText)).graph!;
        const grown = buildApp(next, spec);
        expect(grown.out).toBe(defaultBuildFolder(spec, '0.3.0'));
        expect(grown.bodies.find(b => b.stage === 'contract_allocation.invoices')).toMatchObject({ grown: 'model:faux/toolsmith' });
        const report = await runAcceptance(services, spec, nextText, { today });
        expect(report.tests.find(t => t.name === 'invoices_for_reserved')).toMatchObject({ status: 'pass' });

        // The body is source beside the spec, saying who wrote it.
        const bodyFile = fs.readFileSync(path.join(path.dirname(spec), '.factory/bodies/contract_allocation/invoices.ts'), 'utf8');
        expect(bodyFile.split('\n')[0]).toBe('// fspec body of step contract_allocation.invoices, written by the model faux/toolsmith: Bills each reserved allocation');
        const region = bodiesOf(module).get('contract_allocation.invoices')!;
        expect(bodyFile.slice(bodyFile.indexOf('\n') + 1)).toBe(region);

        // A folder given outside .factory/build/ takes it from there too, never from the builds beside it.
        const elsewhere = path.join(path.dirname(first.out), '..', 'elsewhere');
        fs.cpSync(first.out, path.join(elsewhere, 'a'), { recursive: true });
        const neighbour = path.join(elsewhere, 'a', invoicesFile);
        fs.writeFileSync(neighbour, withBodies(fs.readFileSync(neighbour, 'utf8'), new Map([['contract_allocation.invoices', '    return { Invoice: [] };\n']])));
        const fresh = buildApp(next, spec, { out: path.join(elsewhere, 'b') });
        expect(fresh.bodies.find(b => b.stage === 'contract_allocation.invoices')).toMatchObject({ grown: 'model:faux/toolsmith' });
        expect(bodiesOf(fs.readFileSync(path.join(fresh.out, invoicesFile), 'utf8')).get('contract_allocation.invoices')).toBe(region);
    });
});
