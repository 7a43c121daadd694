import { expectNoIssues, expectWarning } from 'langium/test';
import { describe, expect, test } from 'vitest';
import { IssueCodes } from '../../language-server/src/language/fspec-validator.js';
import { GrowthCodes } from '../../language-server/src/model/growth-rules.js';
import { spec, validate } from '../fixtures.js';
import { codes, expectErrorOnLine, lineOf } from './validator-helpers.js';

/** A spec with these identity lines, then the given sections. */
function app(version: string, identity: string[], sections = ''): string {
    return `spec App version "${version}" {\n  identity {\n${identity.map(l => `    ${l}`).join('\n')}\n  }\n${sections}}\n`;
}

/** Two pipelines, `p` and `q`, with the given steps. */
function flows(p: string[], q: string[] = ['step c']): string {
    const steps = (list: string[]) => list.map(s => `      ${s}`).join('\n');
    return `  workflows {\n    pipeline p {\n${steps(p)}\n    }\n    pipeline q {\n${steps(q)}\n    }\n  }\n`;
}

function plates(...lines: string[]): string {
    return `  growth_plates {\n${lines.map(l => `    ${l}`).join('\n')}\n  }\n`;
}

function rules(...lines: string[]): string {
    return `  morph_rules {\n${lines.map(l => `    ${l}`).join('\n')}\n  }\n`;
}

describe('cross-version identity', () => {
    const people = ['beneficiary Owner', 'beneficiary Guest "Visits"'];

    test('changing the purpose against an approved `prohibit change purpose` is a prohibited change on the purpose line', async () => {
        const approved = app('1.0.0', ['purpose "Track things"', ...people, 'prohibit change purpose']);
        const changed = approved.replace('Track things', 'Sell things').replace('"1.0.0"', '"1.1.0"');
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.ProhibitedChange,
            'Identity invariant \'prohibit change purpose\' forbids this change: purpose: text "Track things" → "Sell things".',
            lineOf(changed, 'purpose "Sell things"'));
        expect(codes(result)).toEqual([GrowthCodes.ProhibitedChange]);
    });

    test('an approved prohibition holds in a major evolve too', async () => {
        const approved = app('1.0.0', ['purpose "Track things"', ...people, 'prohibit change purpose']);
        const changed = approved.replace('Track things', 'Sell things').replace('"1.0.0"', '"2.0.0"');
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.ProhibitedChange,
            'Identity invariant \'prohibit change purpose\' forbids this change: purpose: text "Track things" → "Sell things".',
            lineOf(changed, 'purpose "Sell things"'));
    });

    test('an approved `prohibit change purpose` allows a version that keeps the purpose', async () => {
        const approved = app('1.0.0', ['purpose "Track things"', ...people, 'prohibit change purpose']);
        const changed = app('1.1.0', ['purpose "Track things"', ...people, 'prohibit change purpose'],
            '  desires { desire weekly_plan { goal "Plan the week" } }\n');
        expectNoIssues(await validate(changed, { approved }));
    });

    test('changing the purpose without a major version bump is an identity change outside a major evolve', async () => {
        const approved = app('1.2.0', ['purpose "Track things"', ...people]);
        const changed = approved.replace('Track things', 'Sell things').replace('"1.2.0"', '"1.3.0"');
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.IdentityChangeOutsideMajor,
            'Identity may change only in a major evolve: purpose: text "Track things" → "Sell things", but version 1.3.0 keeps the major version of the approved 1.2.0.',
            lineOf(changed, 'purpose "Sell things"'));
        expect(codes(result)).toEqual([GrowthCodes.IdentityChangeOutsideMajor]);
    });

    test('adding a beneficiary without a major version bump is an identity change on the new beneficiary', async () => {
        const approved = app('1.2.0', ['purpose "Track things"', ...people]);
        const changed = app('1.2.1', ['purpose "Track things"', ...people, 'beneficiary Partner']);
        expectErrorOnLine(await validate(changed, { approved }), GrowthCodes.IdentityChangeOutsideMajor,
            "Identity may change only in a major evolve: beneficiary 'Partner' added, but version 1.2.1 keeps the major version of the approved 1.2.0.",
            lineOf(changed, 'beneficiary Partner'));
    });

    test('changing the purpose from version "1.2.0" to "2.0.0" is a major evolve with no identity error', async () => {
        const approved = app('1.2.0', ['purpose "Track things"', ...people]);
        const changed = approved.replace('Track things', 'Sell things').replace('"1.2.0"', '"2.0.0"');
        expectNoIssues(await validate(changed, { approved }));
    });

    test('removing a beneficiary protected by `prohibit remove beneficiary` is a prohibited change on the identity section', async () => {
        const approved = app('1.0.0', ['purpose "Track things"', ...people, 'prohibit remove beneficiary Guest']);
        const changed = app('2.0.0', ['purpose "Track things"', 'beneficiary Owner', 'prohibit remove beneficiary Guest']);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.ProhibitedChange,
            "Identity invariant 'prohibit remove beneficiary Guest' forbids this change: beneficiary 'Guest' removed.",
            lineOf(changed, 'identity {'));
    });

    test('removing a beneficiary that no prohibition protects is allowed in a major evolve', async () => {
        const approved = app('1.0.0', ['purpose "Track things"', ...people, 'prohibit remove beneficiary Owner']);
        const changed = app('2.0.0', ['purpose "Track things"', 'beneficiary Owner', 'prohibit remove beneficiary Owner']);
        expectNoIssues(await validate(changed, { approved }));
    });

    const guardrails = (...names: string[]) => `  safety {\n${names.map(n => `    guardrail ${n} "Hold ${n}"`).join('\n')}\n  }\n`
        + `  acceptance { test held "Guardrails hold" covers ${names.join(', ')} }\n`
        + plates('plate guards accepts remove_guardrail') + rules('rule remove_guardrail risk low');

    test('removing a guardrail against an approved `prohibit morph remove_guardrail` is a prohibited change on the safety section', async () => {
        const identity = ['purpose "Track things"', 'beneficiary Owner', 'prohibit morph remove_guardrail'];
        const approved = app('1.0.0', identity, guardrails('consent', 'audit'));
        const changed = app('1.1.0', identity, guardrails('consent'));
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.ProhibitedChange,
            "Identity invariant 'prohibit morph remove_guardrail' forbids this change: guardrail 'audit' removed.",
            lineOf(changed, 'safety {'));
        expect(codes(result)).toEqual([GrowthCodes.ProhibitedChange]);
    });

    test('removing a guardrail through its plate and rule is allowed when only another morph is prohibited', async () => {
        const identity = ['purpose "Track things"', 'beneficiary Owner', 'prohibit morph remove_gate'];
        const approved = app('1.0.0', identity, guardrails('consent', 'audit'));
        const changed = app('1.1.0', identity, guardrails('consent'));
        expectNoIssues(await validate(changed, { approved }));
    });

    test('an approved version with no major number makes every identity change an error, and says why', async () => {
        const approved = app('draft', ['purpose "Track things"', ...people]);
        const changed = app('1.0.0', ['purpose "Sell things"', ...people]);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.IdentityChangeOutsideMajor,
            'Identity may change only in a major evolve: purpose: text "Track things" → "Sell things", but the approved version "draft" has no major number to compare with.',
            lineOf(changed, 'Sell things'));
    });

    test('a prohibited envelope removal quotes the envelope in the message', async () => {
        const approved = app('1.0.0', ['purpose "Track things"', ...people, 'envelope "No tracking"', 'prohibit remove envelope "No tracking"']);
        const changed = approved.replace('    envelope "No tracking"\n', '');
        const result = await validate(changed, { approved });
        expect(result.diagnostics.map(d => d.message)).toContain(
            'Identity invariant \'prohibit remove envelope "No tracking"\' forbids this change: envelope "No tracking" removed.');
    });
});

describe('cross-version morph rules', () => {
    test('removing a step with no plate accepting remove_step is not allowed, naming the nearest plate', async () => {
        const growth = plates('plate sources accepts add_source', 'plate grow_p accepts add_step at p')
            + rules('rule add_source risk low', 'rule add_step risk low');
        const approved = spec(flows(['step a', 'step b']) + growth);
        const changed = spec(flows(['step a']) + growth);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.MorphNotAllowed,
            "Morph remove_step is not allowed: step 'b' removed from pipeline 'p', and no growth plate accepts remove_step here. "
            + "Nearest plate: 'grow_p' (accepts add_step at p).",
            lineOf(changed, 'pipeline p {'));
        expect(codes(result)).toEqual([GrowthCodes.MorphNotAllowed]);
    });

    test('removing a step from a spec without growth plates is not allowed and says there are no plates', async () => {
        const approved = spec(flows(['step a', 'step b']));
        const changed = spec(flows(['step a']));
        expectErrorOnLine(await validate(changed, { approved }), GrowthCodes.MorphNotAllowed,
            "Morph remove_step is not allowed: step 'b' removed from pipeline 'p', and no growth plate accepts remove_step here. The spec has no growth plates.",
            lineOf(changed, 'pipeline p {'));
    });

    test('a plate accepting a morph without a morph rule of that name is a morph without rule', async () => {
        const growth = plates('plate trim accepts remove_step');
        const approved = spec(flows(['step a', 'step b']) + growth);
        const changed = spec(flows(['step a']) + growth);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.MorphWithoutRule,
            "Morph remove_step (step 'b' removed from pipeline 'p') is accepted by plate 'trim', but no morph rule 'remove_step' gives its risk and required tests.",
            lineOf(changed, 'pipeline p {'));
        expect(codes(result)).toEqual([GrowthCodes.MorphWithoutRule, IssueCodes.PlateWithoutRule]);
    });

    test('a morph accepted by a plate and defined by a rule is allowed', async () => {
        const growth = plates('plate trim accepts remove_step') + rules('rule remove_step risk low');
        const approved = spec(flows(['step a', 'step b']) + growth);
        expectNoIssues(await validate(spec(flows(['step a']) + growth), { approved }));
    });

    test('a morph whose rule requires a test that does not exist is missing its tests', async () => {
        const growth = plates('plate trim accepts remove_step') + rules('rule remove_step risk medium requires still_works');
        const approved = spec(flows(['step a', 'step b']) + growth);
        const changed = spec(flows(['step a']) + growth);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.MorphTestsMissing,
            "Morph remove_step (step 'b' removed from pipeline 'p') needs the acceptance test 'still_works' required by its rule, which does not exist.",
            lineOf(changed, 'pipeline p {'));
        expect(codes(result)).toEqual(['linking-error', GrowthCodes.MorphTestsMissing]);
    });

    test('several missing required tests are named together', async () => {
        const growth = plates('plate trim accepts remove_step') + rules('rule remove_step risk medium requires still_works, totals_match');
        const approved = spec(flows(['step a', 'step b']) + growth);
        const changed = spec(flows(['step a']) + growth);
        expectErrorOnLine(await validate(changed, { approved }), GrowthCodes.MorphTestsMissing,
            "Morph remove_step (step 'b' removed from pipeline 'p') needs the acceptance tests 'still_works', 'totals_match' required by its rule, which do not exist.",
            lineOf(changed, 'pipeline p {'));
    });

    test('a morph whose rule requires existing tests is allowed', async () => {
        const growth = plates('plate trim accepts remove_step') + rules('rule remove_step risk medium requires still_works')
            + '  acceptance { test still_works "Pipeline p still runs" }\n';
        const approved = spec(flows(['step a', 'step b']) + growth);
        expectNoIssues(await validate(spec(flows(['step a']) + growth), { approved }));
    });

    const atPipeline = plates('plate grow_p accepts add_step at p') + rules('rule add_step risk low');

    test('a plate at a pipeline allows its morph inside that pipeline', async () => {
        const approved = spec(flows(['step a']) + atPipeline);
        expectNoIssues(await validate(spec(flows(['step a', 'step b']) + atPipeline), { approved }));
    });

    test('a plate at a pipeline does not allow its morph in another pipeline', async () => {
        const approved = spec(flows(['step a']) + atPipeline);
        const changed = spec(flows(['step a'], ['step c', 'step d']) + atPipeline);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.MorphNotAllowed,
            "Morph add_step is not allowed: step 'd' added to pipeline 'q', and no growth plate accepts add_step here. Nearest plate: 'grow_p' (accepts add_step at p).",
            lineOf(changed, 'step d'));
        expect(codes(result)).toEqual([GrowthCodes.MorphNotAllowed]);
    });

    const atOrgan = '  data_contracts { entity Order { total: money } }\n  organs { organ core includes p.a }\n'
        + plates('plate core_plate accepts rewire_step at core') + rules('rule rewire_step risk low');

    test('a plate at an organ allows its morph on an element the organ includes', async () => {
        const approved = spec(flows(['step a', 'step b']) + atOrgan);
        expectNoIssues(await validate(spec(flows(['step a reads Order', 'step b']) + atOrgan), { approved }));
    });

    test('a plate at an organ does not allow its morph on an element outside the organ', async () => {
        const approved = spec(flows(['step a', 'step b']) + atOrgan);
        const changed = spec(flows(['step a', 'step b reads Order']) + atOrgan);
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.MorphNotAllowed,
            "Morph rewire_step is not allowed: step 'b': reads (none) → Order, and no growth plate accepts rewire_step here. "
            + "Nearest plate: 'core_plate' (accepts rewire_step at core).",
            lineOf(changed, 'step b reads Order'));
    });

    test("a nearest plate whose at does not resolve says so, since it accepts nothing", async () => {
        const approved = spec(flows(['step a']) + plates('plate grow accepts add_step at pp') + rules('rule add_step risk low'));
        const changed = approved.replace('      step a\n', '      step a\n      step b\n');
        const result = await validate(changed, { approved });
        expectErrorOnLine(result, GrowthCodes.MorphNotAllowed,
            "Morph add_step is not allowed: step 'b' added to pipeline 'p', and no growth plate accepts add_step here. Nearest plate: 'grow' (accepts add_step at pp, which does not resolve).",
            lineOf(changed, 'step b'));
    });
});

describe('approved version', () => {
    const unreadable = 'spec App version "1.0.0" {\n  identity {\n    purpose\n  }\n}\n';

    test('an approved version with a syntax error is a warning on the spec name and skips cross-version checks', async () => {
        const changed = spec('').replace('Track things', 'Sell things');
        const result = await validate(changed, { approved: unreadable });
        expectWarning(result,
            /^Cross-version checks skipped: the approved version does not parse \(Expecting token of type 'STRING' but found `\}`\.\) \(.*[\\/]\.factory[\\/]approved[\\/]App\.fspec\)\.$/,
            { node: result.document.parseResult.value, property: 'name', code: IssueCodes.ApprovedVersionUnreadable });
        expect(codes(result)).toEqual([IssueCodes.ApprovedVersionUnreadable]);
    });

    test('a current text with a syntax error is not compared with the approved version', async () => {
        const approved = spec('');
        const result = await validate(approved.replace('Track things', 'Sell things').replace('beneficiary Owner', 'beneficiary'), { approved });
        expect(result.document.parseResult.parserErrors).not.toHaveLength(0);
        expectNoIssues(result, { code: GrowthCodes.IdentityChangeOutsideMajor });
        expectNoIssues(result, { code: IssueCodes.ApprovedVersionUnreadable });
    });

    test('a readable approved version gives no approved-version-unreadable warning', async () => {
        const approved = spec('');
        const result = await validate(approved.replace('Track things', 'Sell things'), { approved });
        expectNoIssues(result, { code: IssueCodes.ApprovedVersionUnreadable });
        expect(codes(result)).toEqual([GrowthCodes.IdentityChangeOutsideMajor]);
    });
});
