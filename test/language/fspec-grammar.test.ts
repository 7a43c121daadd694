import * as fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { AstUtils } from 'langium';
import { parseHelper, validationHelper } from 'langium/test';
import * as ast from '../../language-server/src/generated/ast.js';
import { sectionName } from '../../language-server/src/model/spec-graph-builder.js';
import { createTestServices, spec } from '../fixtures.js';

const parse = parseHelper<ast.Spec>(createTestServices().Fspec);

async function parseValid(text: string): Promise<ast.Spec> {
    const document = await parse(text);
    expect(document.parseResult.lexerErrors).toEqual([]);
    expect(document.parseResult.parserErrors.map(e => e.message)).toEqual([]);
    return document.parseResult.value;
}

const farm = fs.readFileSync('examples/farmer-contract-allocation/farm-ops.fspec', 'utf8');

describe('grammar', () => {
    test('the header gives name, version and lineage stage', async () => {
        const model = await parseValid(farm);
        expect([model.name, model.version, model.stage?.$refText]).toEqual(['FarmOps', '0.2.0', 'juvenile']);
    });

    test('every section of the language parses, in the example and in any order', async () => {
        const model = await parseValid(farm);
        expect(model.sections.map(sectionName)).toEqual([
            'identity', 'desires', 'evidence_policy', 'data_contracts', 'workflows', 'interface', 'safety',
            'personalization', 'deployment', 'organs', 'growth_plates', 'morph_rules', 'acceptance', 'lineage'
        ]);
        const reordered = await parseValid(spec('  safety {\n    guardrail g "G"\n  }\n  data_contracts {\n    entity A {\n      x: int\n    }\n  }'));
        expect(reordered.sections.map(sectionName)).toEqual(['identity', 'safety', 'data_contracts']);
    });

    test('identity: purpose, beneficiaries, envelopes and each prohibit form', async () => {
        const model = await parseValid(farm);
        const identity = model.sections.find(ast.isIdentity)!;
        expect(identity.purposes[0].text).toBe('Farm planning and evidence aware operations');
        expect(identity.beneficiaries.map(b => [b.name, b.description])).toEqual([['Farmer', 'Grows and sells produce'], ['Buyers', 'Restaurants and grocers on weekly contracts']]);
        expect(identity.envelopes.map(e => e.text)).toEqual(['No medical claims', 'No legal advice']);
        expect(identity.prohibitions.map(p => [p.action, p.subject, p.beneficiary?.ref?.name ?? p.envelope])).toEqual([
            ['change', 'purpose', undefined], ['remove', 'beneficiary', 'Farmer'], ['remove', 'envelope', 'No medical claims']
        ]);
        const morph = await parseValid(spec('', 'spec App version "1.0.0"').replace('beneficiary Owner', 'beneficiary Owner\n    prohibit morph remove_guardrail'));
        expect(morph.sections.find(ast.isIdentity)!.prohibitions[0].morph).toBe('remove_guardrail');
    });

    test('desires keep the user\'s words: goals, constraints, trusted sources, outputs, cadence, preferences', async () => {
        const desires = (await parseValid(farm)).sections.find(ast.isDesires)!.desires;
        expect(desires.map(d => d.name)).toEqual(['buyer_invoices', 'reserve_tuesday', 'sell_surplus', 'plan_deliveries']);
        const [pending, desire] = desires;
        expect(pending.title).toBe('Buyers see what they owe');
        expect(pending.goals).toEqual(['Show each buyer the amount and due date of their invoices']);
        expect([pending.constraints, pending.trustedSources, pending.outputs, pending.cadences]).toEqual([[], ['contracts_feed'], ['invoice_board'], []]);
        expect(desire.goals).toEqual(['Reserve Tuesday contracts first']);
        expect(desire.constraints).toEqual(['PHI compliant', 'no_phi_harvest']);
        expect(desire.trustedSources).toEqual(['gov_data', 'contracts_feed']);
        expect(desire.outputs).toEqual(['packlists', 'invoices']);
        expect(desire.cadences).toEqual(['weekly']);
    });

    test('data contracts: primitive, entity, enum, list and optional types with pii/phi flags', async () => {
        const model = await parseValid(farm);
        const entities = model.sections.find(ast.isDataContracts)!.entities;
        const spray = entities.find(e => e.name === 'SprayEvent')!;
        expect(spray.fields.map(f => [f.name, f.type.primitive ?? f.type.entity?.ref?.name, f.flags])).toEqual([
            ['block', 'Block', []], ['product', 'string', []], ['date', 'date', []], ['phi_days', 'int', ['phi']], ['applicator', 'string', ['pii']]
        ]);
        const allocation = entities.find(e => e.name === 'Allocation')!;
        expect(allocation.fields[2].type.values).toEqual(['reserved', 'shortfall']);
        const packlist = entities.find(e => e.name === 'Packlist')!;
        expect(packlist.fields[1].type.many).toBe(true);
        const delivery = entities.find(e => e.name === 'Delivery')!;
        expect(delivery.fields[2].type.optional).toBe(true);
    });

    test('workflows: triggers, steps and gates with reads, output, strategy and enforces', async () => {
        const pipeline = (await parseValid(farm)).sections.find(ast.isWorkflows)!.pipelines[0];
        expect(pipeline.triggers.map(t => t.schedule ?? `on ${t.entity?.ref?.name}`)).toEqual(['nightly', 'on Contract']);
        const gate = pipeline.steps[1];
        expect([gate.kind, gate.name, gate.reads.map(r => r.ref?.name), gate.enforces.map(r => r.ref?.name)])
            .toEqual(['gate', 'phi_gate', ['SprayEvent', 'Forecast'], ['no_phi_harvest']]);
        const allocate = pipeline.steps[2];
        expect([allocate.strategies, allocate.outputs.map(r => r.ref?.name)]).toEqual([['priority'], ['Allocation']]);
    });

    test('interface, safety, personalization and deployment resolve their references', async () => {
        const model = await parseValid(farm);
        const ui = model.sections.find(ast.isInterface)!;
        expect(ui.panels[0].shows.map(s => s.ref?.name)).toEqual(['Contract', 'Allocation']);
        expect(ui.actions[0].panels.map(p => p.ref?.name)).toEqual(['contract_tracker']);
        expect(ui.actions[0].runs.map(r => r.ref?.name)).toEqual(['contract_allocation']);
        const safety = model.sections.find(ast.isSafety)!;
        expect(safety.disclaimers[0].panels[0].ref?.name).toBe('contract_tracker');
        const heuristic = model.sections.find(ast.isPersonalization)!.heuristics[0];
        expect(heuristic.target?.ref?.name).toBe('yield_forecast');
        const deployment = model.sections.find(ast.isDeployment)!;
        expect(deployment.devices).toEqual(['web', 'mobile']);
        expect(deployment.schedules[0].time).toBe('02:00');
        expect(deployment.retentions.map(r => [r.entity?.ref?.name, r.amount, r.unit])).toEqual([['SprayEvent', 7, 'years'], ['Invoice', 10, 'years'], [undefined, 2, 'years']]);
    });

    test('developmental spec: organs, plates, rules, tests and lineage resolve to the right kinds', async () => {
        const model = await parseValid(farm);
        const organ = model.sections.find(ast.isOrgans)!.organs[1];
        expect(organ.members.map(m => [m.ref?.$type, m.ref?.name])).toEqual([['Step', 'allocate'], ['Step', 'surplus']]);
        const plate = model.sections.find(ast.isGrowthPlates)!.plates[1];
        expect([plate.accepts, plate.at?.ref?.$type]).toEqual([['swap_allocator', 'add_step', 'rewire_step'], 'Pipeline']);
        const rule = model.sections.find(ast.isMorphRules)!.rules.find(r => r.name === 'swap_allocator')!;
        expect([rule.risk, rule.requires.map(r => r.ref?.name), rule.reviews]).toEqual(['high', ['tuesday_reserved', 'invoices_for_reserved'], ['human']]);
        const test = model.sections.find(ast.isAcceptance)!.tests[0];
        expect(test.covers.map(c => c.ref?.$type)).toEqual(['Step', 'Guardrail']);
        const lineage = model.sections.find(ast.isLineage)!.entries;
        expect(lineage.map(e => [e.kind, e.name, e.parents.map(p => p.ref?.name)])).toEqual([['stage', 'seed', []], ['stage', 'juvenile', ['seed']], ['variant', 'juvenile_a', ['juvenile']]]);
        expect(lineage[1].morphs.map(m => `${m.kind} ${m.target}`)).toEqual(['add_source contracts_feed', 'insert_gate phi_gate', 'swap_allocator allocate']);
    });

    test('qualified references reach steps and fields; bare step names work anywhere in the spec', async () => {
        const model = await parseValid(spec(`  data_contracts {
    entity Patient {
      name: string pii
    }
  }
  workflows {
    pipeline intake {
      step check reads Patient
    }
  }
  interface {
    panel chart shows Patient.name
  }
  acceptance {
    test t1 "Checked" covers intake.check
    test t2 "Checked too" covers check
  }`));
        const tests = model.sections.find(ast.isAcceptance)!.tests;
        const step = model.sections.find(ast.isWorkflows)!.pipelines[0].steps[0];
        expect(tests.map(t => t.covers[0].ref)).toEqual([step, step]);
        const field = model.sections.find(ast.isDataContracts)!.entities[0].fields[0];
        expect(model.sections.find(ast.isInterface)!.panels[0].shows[0].ref).toBe(field);
    });

    test('references only reach elements of the expected kind', async () => {
        const document = await parse(spec(`  safety {
    guardrail Block "Not an entity"
  }
  workflows {
    pipeline p {
      step s reads Block
    }
  }`));
        const step = AstUtils.streamAllContents(document.parseResult.value).find(ast.isStep)!;
        expect(step.reads[0].ref).toBeUndefined();
        expect(step.reads[0].error?.message).toBe("Unknown entity 'Block'.");
    });

    test('value keywords can be names, and comments of both kinds are ignored', async () => {
        const model = await parseValid(spec(`  /* block comment */
  data_contracts {
    entity Event {
      date: date      // a field called date
      high: bool
      id: id
    }
  }`));
        expect(model.sections.find(ast.isDataContracts)!.entities[0].fields.map(f => f.name)).toEqual(['date', 'high', 'id']);
    });

    test('an unterminated string is a located lexer error', async () => {
        const document = await parse('spec App version "1.0.0 {\n}\n');
        expect(document.parseResult.lexerErrors.length).toBeGreaterThan(0);
        expect(document.parseResult.lexerErrors[0]).toMatchObject({ line: 1, column: 18 });
    });

    test('a clause missing its value is a parser error on the token that ended it', async () => {
        const text = spec('  workflows {\n    pipeline p {\n      step s reads\n    }\n  }');
        const document = await parse(text);
        const error = document.parseResult.parserErrors[0];
        expect(error.message).toMatch(/^Expecting token of type 'ID' but found `}`/);
        const closingLine = text.split('\n').findIndex(line => line === '    }') + 1;
        expect([error.token.startLine, error.token.startColumn]).toEqual([closingLine, 5]);
    });

    test('validation survives every truncation of a full spec: located errors, never a crash', async () => {
        const validate = validationHelper<ast.Spec>(createTestServices().Fspec);
        for (let cut = 0; cut < farm.length; cut += 97) {
            const result = await validate(farm.slice(0, cut));
            const crashes = result.diagnostics.filter(d => String(d.message).includes('An error occurred'));
            expect(crashes, `cut at ${cut}`).toEqual([]);
            if (cut > 0) {
                expect(result.diagnostics.some(d => d.severity === 1), `cut at ${cut} has an error`).toBe(true);
            }
        }
    });
});
