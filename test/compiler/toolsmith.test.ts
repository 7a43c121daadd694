import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appModel } from '../../language-server/src/compiler/app-model.js';
import { compileApp } from '../../language-server/src/compiler/compile.js';
import { bodiesOf } from '../../language-server/src/compiler/regions.js';
import { toolsmith, type BodyGrower } from '../../language-server/src/compiler/toolsmith/index.js';
import { exampleCopy, farmSpec, policySpec, specGraph } from './compiled-app.js';

async function skills(file: string): Promise<Array<[string, string]>> {
    const app = appModel(await specGraph(file));
    return app.pipelines.flatMap(p => p.stages.map(stage => {
        const body = toolsmith({ app, stage });
        return [stage.qualified, body === 'unknown' ? 'unknown' : body.skill] as [string, string];
    }));
}

describe('the Toolsmith', () => {
    it('grows every step and gate of both examples, by strategy or by what they read and output', async () => {
        expect(await skills(farmSpec)).toEqual([
            ['contract_allocation.yield_forecast', 'forecast'],
            ['contract_allocation.phi_gate', 'gate:window'],
            ['contract_allocation.allocate', 'priority'],
            ['contract_allocation.surplus', 'price'],
            ['contract_allocation.packlists', 'group_by_buyer'],
            ['contract_allocation.route_plan', 'route'],
            ['contract_allocation.invoices', 'invoice']
        ]);
        expect(await skills(policySpec)).toEqual([
            ['policy_impact.ingest_updates', 'ingest'],
            ['policy_impact.match_cases', 'visa_type_match'],
            ['policy_impact.rank_impacts', 'severity_then_due'],
            ['policy_impact.plan_actions', 'plan'],
            ['policy_impact.draft_letters', 'draft'],
            ['policy_impact.attorney_gate', 'gate:approval+keep-in'],
            ['weekly_digest.collect', 'collect'],
            ['weekly_digest.redact', 'gate:keep-in']
        ]);
    });

    it('ranks by a heuristic on the step that names a value of a referenced record (rfe_boost: "an open RFE")', async () => {
        const compiled = compileApp(await specGraph(policySpec));
        const rank = compiled.files.find(f => f.path === 'src/pipelines/policy_impact/rank_impacts.ts')!;
        expect(bodiesOf(rank.text).get('policy_impact.rank_impacts')).toContain('ctx.resolve("Case", r.case)?.status === "rfe" ? 0 : 1,');
    });

    it('knows a strategy only by its name: an unknown one is not grown, even where the shape would fit', async () => {
        const file = exampleCopy(farmSpec, t => t.replace('step route_plan "Route plan"', 'step route_plan "Route plan" strategy fewest_miles'));
        expect(Object.fromEntries(await skills(file))['contract_allocation.route_plan']).toBe('unknown');
    });

    it('grows no body for a shape it does not know, nor for a gate whose guardrail it has no check for', async () => {
        const file = exampleCopy(farmSpec, t => t
            .replace('step route_plan "Route plan" reads Packlist output Delivery', 'step route_plan "Route plan" reads Packlist, PriceQuote output Block')
            .replace('gate phi_gate "PHI gate" reads SprayEvent, Forecast enforces no_phi_harvest', 'gate phi_gate "PHI gate" reads SprayEvent, Forecast enforces reserve_before_surplus'));
        const grown = Object.fromEntries(await skills(file));
        expect(grown['contract_allocation.route_plan']).toBe('unknown');
        expect(grown['contract_allocation.phi_gate']).toBe('unknown');
        const compiled = compileApp(await specGraph(file));
        const gate = compiled.files.find(f => f.path === 'src/pipelines/contract_allocation/phi_gate.ts')!;
        expect(bodiesOf(gate.text).get('contract_allocation.phi_gate')).toContain('throw new NotYetGrown("contract_allocation.phi_gate", "no known check for reserve_before_surplus");');
    });

    it('takes its bodies through a seam another grower can fill (a model-written body later)', async () => {
        const grower: BodyGrower = shape => shape.stage.name === 'route_plan'
            ? { skill: 'by-hand', summary: 'no stops', code: 'return { Delivery: [] };' }
            : toolsmith(shape);
        const compiled = compileApp(await specGraph(farmSpec), { grow: grower });
        expect(compiled.bodies.find(b => b.stage === 'contract_allocation.route_plan')).toMatchObject({ grown: 'by-hand', summary: 'no stops' });
        const route = compiled.files.find(f => f.path === 'src/pipelines/contract_allocation/route_plan.ts')!;
        expect(bodiesOf(route.text).get('contract_allocation.route_plan')).toBe('    return { Delivery: [] };\n');
    });

    it('documents every skill it knows in docs/compiler.md', () => {
        const docs = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/compiler.md'), 'utf8');
        for (const skill of ['priority', 'price', 'group_by_<field>', '<field>_match', 'severity_then_due', 'ingest', 'invoice', 'collect', 'forecast', 'route', 'plan', 'draft', 'window', 'approval', 'keep-in']) {
            expect(docs, skill).toContain(`\`${skill}\``);
        }
    });
});
