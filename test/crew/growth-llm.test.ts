import * as fs from 'node:fs';
import { fauxAssistantMessage, fauxText, fauxToolCall, registerFauxProvider, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlannerOutput } from '../../language-server/src/crew/contracts.js';
import { runGrowth } from '../../language-server/src/crew/growth-run.js';
import type { MutationPr } from '../../language-server/src/crew/mutation-pr.js';
import { atomicWrite } from '../../language-server/src/lineage/atomic-write.js';
import { withoutGlobalGitConfig, type Sandbox } from '../lineage/git-sandbox.js';
import { exampleRepository } from './example-repository.js';
import { testLlm } from './llm/llm-test-helpers.js';
import { services } from './example-specs.js';

withoutGlobalGitConfig();

/** A free-text desire the offline Planner cannot read (no outputs, sources or constraints): only a model can plan it. */
const freeText = '    desire weather_aware {\n      goal "Take the weather into account when forecasting yields"\n    }\n';

let faux: FauxProviderRegistration;
beforeEach(() => faux = registerFauxProvider());
afterEach(() => faux.unregister());

function farm(desire: string): { sandbox: Sandbox, spec: string, text: string } {
    const { sandbox, file, text } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', desire);
    return { sandbox, spec: file, text };
}

function grow(spec: string, text: string) {
    const reviewed: MutationPr[] = [];
    const result = runGrowth(services, {
        specPath: spec, text, llm: testLlm(faux.getModel(), 'faux/planner'),
        review: async pr => { reviewed.push(pr); return { decision: 'approve' }; },
        deploy: (file, grown) => atomicWrite(file, grown)
    });
    return { result, reviewed };
}

const planCall = (plan: PlannerOutput) => fauxAssistantMessage(fauxToolCall('submit_planner', plan), { stopReason: 'toolUse' });

describe('the Planner filled by a model (faux provider)', () => {
    it('plans a free-text desire from the spec it is shown, and the crew grows it', async () => {
        const { sandbox, spec, text } = farm(freeText);
        let prompt = '';
        faux.setResponses([context => {
            prompt = String(context.messages[0].content);
            return planCall({
                morphs: [
                    { type: 'add_source', name: 'weather_feed', title: 'Weather feed', tier: 'medium', cadence: 'daily', reason: 'rain derates' },
                    { type: 'add_step', pipeline: 'contract_allocation', name: 'weather_derates', after: 'yield_forecast', reads: ['Forecast'], outputs: ['Forecast'] }
                ],
                tests: ['tuesday_reserved']
            });
        }]);
        const { result, reviewed } = grow(spec, text);
        const grown = await result;
        expect(grown.status).toBe('grown');
        expect(prompt).toContain('desire weather_aware');
        expect(prompt).toContain('"name": "weather_aware"');
        expect(reviewed[0].planner).toBe('faux/planner');
        expect(fs.readFileSync(spec, 'utf8')).toMatch(/step yield_forecast [^\n]*\n\s+step weather_derates reads Forecast output Forecast\n/);
        expect(sandbox.git('tag', '--list', 'fspec/FarmOps/v*').trim()).toBe('fspec/FarmOps/v0.3.0');
    });

    it('has the identity change a model proposes vetoed by the invariant, before review', async () => {
        const { spec, text } = farm('    desire online_shop {\n      goal "Sell directly online"\n    }\n');
        faux.setResponses([planCall({ morphs: [{ type: 'change_purpose', text: 'An online shop for produce' }], tests: [] })]);
        const { result, reviewed } = grow(spec, text);
        const vetoed = await result;
        expect(vetoed.status).toBe('vetoed');
        expect(vetoed.message).toContain("Identity invariant 'prohibit change purpose' forbids this change");
        expect(reviewed).toEqual([]);
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
    });

    it('retries output that breaks the contract, then fails naming the Planner, leaving the spec as it was', async () => {
        const { sandbox, spec, text } = farm(freeText);
        faux.setResponses([
            fauxAssistantMessage(fauxText('{ not json')),
            planCall({ morphs: [{ type: 'grow_wings' }], tests: [] } as unknown as PlannerOutput),
            planCall({ morphs: [{ type: 'add_step', name: 'x' }], tests: 'all' } as unknown as PlannerOutput)
        ]);
        const failed = await grow(spec, text).result;
        expect(failed.status).toBe('failed');
        expect(failed.message).toMatch(/planner/i);
        expect(failed.message).toMatch(/3 attempts|after 3/);
        expect(faux.state.callCount).toBe(3);
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });

    it('reports a model that proposes a pipeline the spec does not have as the Compiler\'s failure', async () => {
        const { spec, text } = farm(freeText);
        faux.setResponses([planCall({ morphs: [{ type: 'add_step', pipeline: 'harvest', name: 'alerts' }], tests: [] })]);
        const failed = await grow(spec, text).result;
        expect(failed).toMatchObject({ status: 'failed', message: "The proposal names pipeline 'harvest', which the spec does not have." });
    });
});
