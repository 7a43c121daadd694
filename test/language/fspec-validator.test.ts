import { expectError, expectNoIssues, expectWarning } from 'langium/test';
import { describe, expect, test } from 'vitest';
import * as ast from '../../language-server/src/generated/ast.js';
import { IssueCodes } from '../../language-server/src/language/fspec-validator.js';
import { spec, validate } from '../fixtures.js';
import { find, findAll, keywordRange } from './validator-helpers.js';

/** A spec whose identity section holds exactly these lines. */
function withIdentity(...lines: string[]): string {
    return `spec App version "1.0.0" {\n  identity {\n${lines.map(l => `    ${l}`).join('\n')}\n  }\n}\n`;
}

const knownCadences = 'realtime, hourly, daily, nightly, weekly, biweekly, monthly, quarterly, yearly, manual, on_demand';

describe('identity', () => {
    test('a spec without an identity section is an error on its name', async () => {
        const result = await validate('spec App version "1.0.0" {\n  desires { desire d { goal "Track" } }\n}\n');
        expectError(result, "Spec 'App' has no identity section: say what the app is for (purpose) and whom it serves (beneficiary).",
            { node: result.document.parseResult.value, property: 'name', code: IssueCodes.MissingIdentity });
    });

    test('an empty file or a spec without a name gets its parse error, never "Spec \'undefined\'"', async () => {
        for (const text of ['', 'spec {\n}\n']) {
            const result = await validate(text);
            const messages = result.diagnostics.map(d => String(d.message));
            expect(messages.some(message => /^Expecting token of type/.test(message))).toBe(true);
            expect(messages.filter(message => message.includes('undefined'))).toEqual([]);
        }
    });

    test('a spec with an identity section has no missing-identity error', async () => {
        expectNoIssues(await validate(spec('  desires { desire d { goal "Track" } }')), { code: IssueCodes.MissingIdentity });
    });

    test('an identity without a purpose is an error on the identity keyword', async () => {
        const result = await validate(withIdentity('beneficiary Owner'));
        const identity = find(result, ast.isIdentity);
        expectError(result, 'Identity needs a purpose: `purpose "What this app is for"`.',
            { range: keywordRange(identity, 'identity'), code: IssueCodes.MissingPurpose });
    });

    test('an identity with a purpose has no missing-purpose error', async () => {
        expectNoIssues(await validate(withIdentity('purpose "Track"', 'beneficiary Owner')));
    });

    test('a second purpose is an error on that purpose', async () => {
        const result = await validate(withIdentity('purpose "Track"', 'beneficiary Owner', 'purpose "Sell"'));
        expectError(result, 'Identity has one purpose; this second one would contradict the first.',
            { node: find(result, ast.isIdentity).purposes[1], code: IssueCodes.DuplicatePurpose });
        expect(result.diagnostics).toHaveLength(1);
    });

    test('one purpose and several beneficiaries are no duplicate-purpose error', async () => {
        expectNoIssues(await validate(withIdentity('purpose "Track"', 'beneficiary Owner', 'beneficiary Guest')));
    });

    test('an identity without a beneficiary is an error on the identity keyword', async () => {
        const result = await validate(withIdentity('purpose "Track"', 'envelope "No ads"'));
        expectError(result, 'Identity needs at least one beneficiary: `beneficiary Name "who they are"`.',
            { range: keywordRange(find(result, ast.isIdentity), 'identity'), code: IssueCodes.MissingBeneficiary });
    });

    test('an identity with a beneficiary has no missing-beneficiary error', async () => {
        expectNoIssues(await validate(withIdentity('purpose "Track"', 'envelope "No ads"', 'beneficiary Owner "Runs it"')));
    });
});

describe('names', () => {
    test('a section written twice is an error on the second section keyword', async () => {
        const result = await validate(spec('  desires { desire a { goal "A" } }\n  desires { desire b { goal "B" } }'));
        const second = findAll(result, ast.isDesires)[1];
        expectError(result, "Section 'desires' appears more than once; merge it into the first one.",
            { range: keywordRange(second, 'desires'), code: IssueCodes.DuplicateSection });
    });

    test('desires merged into one section are no duplicate-section error', async () => {
        expectNoIssues(await validate(spec('  desires {\n    desire a { goal "A" }\n    desire b { goal "B" }\n  }')));
    });

    test('a name declared twice is an error on the second declaration', async () => {
        const result = await validate(spec('  interface {\n    panel board\n    panel board "Again"\n  }'));
        expectError(result, "Duplicate panel 'board'.",
            { node: findAll(result, ast.isPanel, 'board')[1], property: 'name', code: IssueCodes.DuplicateName });
    });

    test('a step and a gate of the same name in one pipeline are duplicates', async () => {
        const result = await validate(spec('  workflows { pipeline p { step check gate check enforces g } }\n  safety { guardrail g "Safe" }'));
        expectError(result, "Duplicate step or gate 'check' in pipeline 'p'.",
            { node: findAll(result, ast.isStep, 'check')[1], property: 'name', code: IssueCodes.DuplicateName });
    });

    test('a pipeline scheduled twice is a duplicate on the second schedule', async () => {
        const result = await validate(spec('  workflows { pipeline p { step a } }\n  deployment {\n    schedule p daily\n    schedule p weekly\n  }'));
        expectError(result, "Pipeline 'p' is scheduled twice; keep one schedule per pipeline.",
            { node: find(result, ast.isDeployment).schedules[1], property: 'pipeline', code: IssueCodes.DuplicateName });
    });

    test('two unnamed disclaimers with the same text are duplicates', async () => {
        const result = await validate(spec('  interface {\n    panel a\n    panel b\n  }\n  safety {\n    disclaimer "Estimates only" on a\n    disclaimer "Estimates only" on b\n  }'));
        expectError(result, 'Duplicate disclaimer "Estimates only".',
            { node: find(result, ast.isSafety).disclaimers[1], property: 'text', code: IssueCodes.DuplicateName });
    });

    test('one disclaimer on two panels and one schedule per pipeline are no duplicates', async () => {
        expectNoIssues(await validate(spec('  workflows {\n    pipeline p { step a }\n    pipeline q { step b }\n  }\n'
            + '  deployment {\n    schedule p daily\n    schedule q daily\n  }\n'
            + '  interface {\n    panel a\n    panel b\n  }\n  safety { disclaimer "Estimates only" on a, b }')));
    });

    test('steps of the same name in different pipelines are no duplicates', async () => {
        expectNoIssues(await validate(spec('  workflows {\n    pipeline p { step check }\n    pipeline q { step check }\n  }')));
    });

    test('fields of the same name in different entities are no duplicates', async () => {
        expectNoIssues(await validate(spec('  data_contracts {\n    entity A { id: id }\n    entity B { id: id }\n  }')));
    });

    test('a single-use clause given twice is an error on the repeated value', async () => {
        const result = await validate(spec('  evidence_policy { source prices tier high cadence daily tier low }'));
        expectError(result, "'tier' is given more than once; only one is allowed.",
            { node: find(result, ast.isSource), property: { name: 'tiers', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("an action's panel given twice is reported under its keyword 'on'", async () => {
        const result = await validate(spec('  interface {\n    panel a\n    panel b\n    action go on a on b\n  }'));
        expectError(result, "'on' is given more than once; only one is allowed.",
            { node: find(result, ast.isAction), property: { name: 'panels', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("a source's cadence given twice is an error on the second one", async () => {
        const result = await validate(spec('  evidence_policy { source prices cadence daily cadence weekly }'));
        expectError(result, "'cadence' is given more than once; only one is allowed.",
            { node: find(result, ast.isSource), property: { name: 'cadences', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("a source's url given twice is an error on the second one", async () => {
        const result = await validate(spec('  evidence_policy { source prices url "https://a.example" url "https://b.example" }'));
        expectError(result, "'url' is given more than once; only one is allowed.",
            { node: find(result, ast.isSource), property: { name: 'urls', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("a step's strategy given twice is an error on the second one", async () => {
        const result = await validate(spec('  workflows { pipeline p { step allocate strategy priority strategy fifo } }'));
        expectError(result, "'strategy' is given more than once; only one is allowed.",
            { node: find(result, ast.isStep), property: { name: 'strategies', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("an action's runs given twice is an error on the second pipeline", async () => {
        const result = await validate(spec('  workflows {\n    pipeline p { step a }\n    pipeline q { step b }\n  }\n  interface {\n    panel board\n    action go on board runs p runs q\n  }'));
        expectError(result, "'runs' is given more than once; only one is allowed.",
            { node: find(result, ast.isAction), property: { name: 'runs', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("a morph rule's review given twice is an error on the second one", async () => {
        const result = await validate(spec('  morph_rules { rule add_source risk low review human review auto }'));
        expectError(result, "'review' is given more than once; only one is allowed.",
            { node: find(result, ast.isMorphRule), property: { name: 'reviews', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test("a lineage entry's from given twice is an error on the second parent", async () => {
        const result = await validate(spec('  lineage {\n    stage seed "0.1.0"\n    stage sprout "0.2.0"\n    stage juvenile "0.3.0" from seed from sprout\n  }'));
        expectError(result, "'from' is given more than once; only one is allowed.",
            { node: find(result, ast.isLineageEntry, 'juvenile'), property: { name: 'parents', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test('an evidence policy cadence given twice is an error on the second one', async () => {
        const result = await validate(spec('  evidence_policy {\n    cadence daily\n    cadence weekly\n  }'));
        expectError(result, "'cadence' is given more than once; only one is allowed.",
            { node: find(result, ast.isEvidencePolicy), property: { name: 'cadences', index: 1 }, code: IssueCodes.DuplicateClause });
    });

    test('clauses given once each are no duplicate-clause error', async () => {
        expectNoIssues(await validate(spec('  evidence_policy { source prices tier high cadence daily url "https://example.org" }')));
    });
});

describe('values', () => {
    test('a version without a major number is an error on the version', async () => {
        const result = await validate(spec('', 'spec App version "next"'));
        expectError(result, 'Version "next" has no major number; write it like "0.2.0" so major evolves can be told apart.',
            { node: result.document.parseResult.value, property: 'version', code: IssueCodes.InvalidVersion });
    });

    test('a version like "v2" has a major number', async () => {
        expectNoIssues(await validate(spec('', 'spec App version "v2"')));
    });

    test('an unknown cadence is a warning that suggests the closest known one', async () => {
        const result = await validate(spec('  desires { desire plan { goal "Plan" cadence daily cadence weekyl } }'));
        expectWarning(result, `Unknown cadence 'weekyl'. Did you mean 'weekly'? Known: ${knownCadences}.`,
            { node: find(result, ast.isDesire), property: { name: 'cadences', index: 1 }, code: IssueCodes.UnknownCadence });
    });

    test('an unknown schedule cadence with no close match is a warning without a suggestion', async () => {
        const result = await validate(spec('  workflows { pipeline p { step a } }\n  deployment { schedule p fortnightlyish }'));
        expectWarning(result, `Unknown cadence 'fortnightlyish'. Known: ${knownCadences}.`,
            { node: find(result, ast.isSchedule), property: 'cadence', code: IssueCodes.UnknownCadence });
    });

    test('known cadences in a desire, policy, source, trigger and schedule are no unknown-cadence warning', async () => {
        expectNoIssues(await validate(spec(
            '  desires { desire plan { goal "Plan" cadence daily cadence weekly } }\n'
            + '  evidence_policy {\n    cadence daily\n    source prices cadence hourly\n  }\n'
            + '  workflows { pipeline p trigger nightly { step a } }\n  deployment { cadence on_demand schedule p monthly }')));
    });
});

describe('desires', () => {
    test('a desire without a goal is a warning on its name', async () => {
        const result = await validate(spec('  desires { desire plan { output routes cadence weekly } }'));
        expectWarning(result, "Desire 'plan' has no goal: say what the user wants with `goal \"...\"`.",
            { node: find(result, ast.isDesire), property: 'name', code: IssueCodes.DesireWithoutGoal });
    });

    test('a desire with a goal has no desire-without-goal warning', async () => {
        expectNoIssues(await validate(spec('  desires { desire plan { goal "Plan routes" output routes cadence weekly } }\n  workflows { pipeline p { step routes } }')));
    });
});

describe('morph rules', () => {
    test('a misspelt morph kind in a plate is an error on that kind with a suggestion', async () => {
        const result = await validate(spec('  growth_plates { plate sources accepts add_source, remove_sorce }\n  morph_rules { rule add_source risk low }'));
        expectError(result, "Unknown morph kind 'remove_sorce'. Did you mean 'remove_source'? Known kinds are listed in docs/language.md.",
            { node: find(result, ast.isPlate), property: { name: 'accepts', index: 1 }, code: IssueCodes.UnknownMorphKind });
        expectNoIssues(result, { code: IssueCodes.PlateWithoutRule });
    });

    test('a morph rule named after no morph kind is an error on its name', async () => {
        const result = await validate(spec('  morph_rules { rule teleport risk low }'));
        expectError(result, "Unknown morph kind 'teleport'. Known kinds are listed in docs/language.md.",
            { node: find(result, ast.isMorphRule), property: 'name', code: IssueCodes.UnknownMorphKind });
    });

    test('a prohibited morph kind that does not exist is an error on the prohibition', async () => {
        const result = await validate(withIdentity('purpose "Track"', 'beneficiary Owner', 'prohibit morph remove_guardrial'));
        expectError(result, "Unknown morph kind 'remove_guardrial'. Did you mean 'remove_guardrail'? Known kinds are listed in docs/language.md.",
            { node: find(result, ast.isProhibition), property: 'morph', code: IssueCodes.UnknownMorphKind });
    });

    test('a lineage entry grown by an unknown morph kind is an error on that morph', async () => {
        const result = await validate(spec('  lineage { stage seed "0.1.0" by add_sorce prices }'));
        expectError(result, "Unknown morph kind 'add_sorce'. Did you mean 'add_source'? Known kinds are listed in docs/language.md.",
            { node: find(result, ast.isAppliedMorph), property: 'kind', code: IssueCodes.UnknownMorphKind });
    });

    test('known morph kinds in plates, rules, prohibitions and lineage are no unknown-morph-kind error', async () => {
        const text = withIdentity('purpose "Track"', 'beneficiary Owner', 'prohibit morph remove_guardrail').replace(/\}\n$/,
            '  growth_plates { plate sources accepts add_source, remove_source }\n'
            + '  morph_rules {\n    rule add_source risk low\n    rule remove_source risk low\n  }\n'
            + '  lineage { stage seed "0.1.0" by add_source prices }\n}\n');
        expectNoIssues(await validate(text));
    });

    test('a high-risk morph rule without a required test is an error on its risk', async () => {
        const result = await validate(spec('  morph_rules { rule swap_allocator risk high review human }'));
        expectError(result, "High-risk morph rule 'swap_allocator' must require at least one acceptance test.",
            { node: find(result, ast.isMorphRule), property: 'risk', code: IssueCodes.HighRiskWithoutTest });
        expectNoIssues(result, { code: IssueCodes.HighRiskWithoutReview });
    });

    test('a high-risk morph rule without human review is an error on its risk', async () => {
        const result = await validate(spec('  morph_rules { rule swap_allocator risk high requires reserved review auto }\n  acceptance { test reserved "Contracts reserved" }'));
        expectError(result, "High-risk morph rule 'swap_allocator' must have `review human`.",
            { node: find(result, ast.isMorphRule), property: 'risk', code: IssueCodes.HighRiskWithoutReview });
        expectNoIssues(result, { code: IssueCodes.HighRiskWithoutTest });
    });

    test('a high-risk morph rule with a required test and human review is valid', async () => {
        expectNoIssues(await validate(spec('  morph_rules { rule swap_allocator risk high requires reserved review human }\n  acceptance { test reserved "Contracts reserved" }')));
    });

    test('a medium-risk morph rule needs neither a test nor human review', async () => {
        expectNoIssues(await validate(spec('  morph_rules { rule swap_allocator risk medium review auto }')));
    });
});

describe('plates', () => {
    test('a plate accepting a morph that no rule defines is a warning on that accepted kind', async () => {
        const result = await validate(spec('  growth_plates { plate sources accepts add_source, change_source }\n  morph_rules { rule add_source risk low }'));
        expectWarning(result, "Plate 'sources' accepts change_source, but no morph rule 'change_source' says its risk and required tests.",
            { node: find(result, ast.isPlate), property: { name: 'accepts', index: 1 }, code: IssueCodes.PlateWithoutRule });
        expect(result.diagnostics).toHaveLength(1);
    });

    test('a plate whose accepted morphs all have rules has no plate-without-rule warning', async () => {
        expectNoIssues(await validate(spec(
            '  growth_plates { plate sources accepts add_source, change_source }\n  morph_rules {\n    rule add_source risk low\n    rule change_source risk low\n  }')));
    });
});

describe('workflows', () => {
    test('a step that enforces a guardrail is an error on the enforces keyword', async () => {
        const result = await validate(spec('  workflows { pipeline p { step check enforces safe } }\n  safety { guardrail safe "Stay safe" }'));
        expectError(result, "Step 'check' cannot enforce a guardrail; only a gate blocks the flow. Write `gate check`.",
            { range: keywordRange(find(result, ast.isStep), 'enforces'), code: IssueCodes.EnforcesOnStep });
    });

    test('a gate that enforces a guardrail is valid', async () => {
        expectNoIssues(await validate(spec('  workflows { pipeline p { gate check enforces safe } }\n  safety { guardrail safe "Stay safe" }')));
    });

    test('a gate that enforces no guardrail is a warning on its name', async () => {
        const result = await validate(spec('  workflows { pipeline p { step load gate check } }'));
        expectWarning(result, "Gate 'check' enforces no guardrail; say which with `enforces <guardrail>`.",
            { node: find(result, ast.isStep, 'check'), property: 'name', code: IssueCodes.GateWithoutGuardrail });
    });

    test('a plain step that enforces nothing has no gate-without-guardrail warning', async () => {
        expectNoIssues(await validate(spec('  workflows { pipeline p { step load step check } }')));
    });
});

describe('interface', () => {
    test('an action on no panel is an error on its name', async () => {
        const result = await validate(spec('  workflows { pipeline p { step a } }\n  interface {\n    panel board\n    action approve runs p\n  }'));
        expectError(result, "Action 'approve' is on no panel; add `on <panel>`.",
            { node: find(result, ast.isAction), property: 'name', code: IssueCodes.ActionWithoutPanel });
    });

    test('an action on a panel has no action-without-panel error', async () => {
        expectNoIssues(await validate(spec('  workflows { pipeline p { step a } }\n  interface {\n    panel board\n    action approve on board runs p\n  }')));
    });

    const contracts = '  data_contracts {\n    entity Order { total: money }\n    entity Person { name: string email: email pii note: text }\n  }\n';
    const safety = '  safety { guardrail consent "Only with consent" }\n';

    test('a panel showing a pii field with no gate in its flow is a warning on that shown field', async () => {
        const result = await validate(spec(`${contracts}  workflows { pipeline p { step load output Person } }\n`
            + '  interface { panel people shows Order, Person.email }'));
        expectWarning(result,
            "Panel 'people' shows Person.email (pii), but no gate guards the flow of Person: add a gate to a pipeline that reads or outputs Person.",
            { node: find(result, ast.isPanel), property: { name: 'shows', index: 1 }, code: IssueCodes.UnguardedProtectedField });
    });

    test('a panel showing an entity lists each of its protected fields', async () => {
        const result = await validate(spec(`${contracts.replace('note: text', 'note: text phi')}  interface { panel people shows Person }`));
        expectWarning(result,
            "Panel 'people' shows Person.email (pii), Person.note (phi), but no gate guards the flow of Person: add a gate to a pipeline that reads or outputs Person.",
            { node: find(result, ast.isPanel), property: { name: 'shows', index: 0 }, code: IssueCodes.UnguardedProtectedField });
    });

    test('a pii field shown on a panel is guarded by a gate in a pipeline that outputs its entity', async () => {
        expectNoIssues(await validate(spec(`${contracts}${safety}  workflows { pipeline p { step load output Person gate consent_gate enforces consent } }\n`
            + '  interface { panel people shows Order, Person.email }')));
    });

    test('a pii field shown on a panel is guarded by a gate that reads its entity', async () => {
        expectNoIssues(await validate(spec(`${contracts}${safety}  workflows { pipeline p { gate consent_gate reads Person enforces consent } }\n`
            + '  interface { panel people shows Person }')));
    });

    test('an unprotected field of an entity with protected fields needs no gate', async () => {
        expectNoIssues(await validate(spec(`${contracts}  interface { panel people shows Person.name }`)));
    });
});

describe('safety', () => {
    test('a guardrail neither enforced nor covered is a warning on its name', async () => {
        const result = await validate(spec('  safety {\n    guardrail consent "Only with consent"\n    guardrail audit "Log every export"\n  }\n  acceptance { test consented "Consent asked" covers consent }'));
        expectWarning(result, "Guardrail 'audit' is neither enforced by a gate nor covered by an acceptance test.",
            { node: find(result, ast.isGuardrail, 'audit'), property: 'name', code: IssueCodes.UnenforcedGuardrail });
        expect(result.diagnostics).toHaveLength(1);
    });

    test('a guardrail covered by an acceptance test has no unenforced-guardrail warning', async () => {
        expectNoIssues(await validate(spec('  safety { guardrail consent "Only with consent" }\n  acceptance { test consented "Consent asked" covers consent }')));
    });
});

describe('lineage', () => {
    test('a stage that descends from itself is an error on its from', async () => {
        const result = await validate(spec('  lineage { stage seed "0.1.0" from seed }'));
        expectError(result, "Lineage of 'seed' loops back on itself through 'seed'.",
            { node: find(result, ast.isLineageEntry), property: { name: 'parents', index: 0 }, code: IssueCodes.LineageCycle });
    });

    test('two stages descending from each other are each an error on their from', async () => {
        const result = await validate(spec('  lineage {\n    stage a "0.1.0" from b\n    stage b "0.2.0" from a\n  }'));
        expectError(result, "Lineage of 'a' loops back on itself through 'b'.",
            { node: find(result, ast.isLineageEntry, 'a'), property: { name: 'parents', index: 0 }, code: IssueCodes.LineageCycle });
        expectError(result, "Lineage of 'b' loops back on itself through 'a'.",
            { node: find(result, ast.isLineageEntry, 'b'), property: { name: 'parents', index: 0 }, code: IssueCodes.LineageCycle });
    });

    test('a stage that only leads into a loop is not itself a lineage cycle', async () => {
        const result = await validate(spec('  lineage {\n    stage c "0.3.0" from a\n    stage a "0.1.0" from b\n    stage b "0.2.0" from a\n  }'));
        expectNoIssues(result, { node: find(result, ast.isLineageEntry, 'c'), property: { name: 'parents', index: 0 }, code: IssueCodes.LineageCycle });
        expect(result.diagnostics.filter(d => d.code === IssueCodes.LineageCycle)).toHaveLength(2);
    });

    test('stages and variants descending from earlier stages are no lineage cycle', async () => {
        expectNoIssues(await validate(spec(
            '  lineage {\n    stage seed "0.1.0"\n    stage juvenile "0.2.0" from seed\n    variant juvenile_a "0.2.0-a" from juvenile\n  }')));
    });
});

describe('references', () => {
    test('a covered name shared by a guardrail and a test is a warning naming the kind it resolves to', async () => {
        const result = await validate(spec('  safety { guardrail consent "Only with consent" }\n  acceptance { test consent "Consent asked" covers consent }'));
        expectWarning(result, "'consent' names a guardrail and an acceptance test; `covers` takes the guardrail declared first. Rename one to make this unambiguous.",
            { node: find(result, ast.isAcceptanceTest), property: { name: 'covers', index: 0 }, code: IssueCodes.AmbiguousReference });
    });

    test('an organ member named like a gate and a guardrail is a warning on that member', async () => {
        const result = await validate(spec('  workflows { pipeline p { step a gate check enforces check } }\n  safety { guardrail check "Checked" }\n'
            + '  organs { organ core includes p.a, check }'));
        expectWarning(result, "'check' names a gate and a guardrail; `includes` takes the gate declared first. Rename one to make this unambiguous.",
            { node: find(result, ast.isOrgan), property: { name: 'members', index: 1 }, code: IssueCodes.AmbiguousReference });
    });

    test("a plate's location named like a pipeline and a panel is a warning on its at", async () => {
        const result = await validate(spec('  workflows { pipeline orders { step a } }\n  interface { panel orders }\n'
            + '  growth_plates { plate grow accepts add_step at orders }\n  morph_rules { rule add_step risk low }'));
        expectWarning(result, "'orders' names a pipeline and a panel; `at` takes the pipeline declared first. Rename one to make this unambiguous.",
            { node: find(result, ast.isPlate), property: 'at', code: IssueCodes.AmbiguousReference });
    });

    test('a bare step name used in two pipelines is a warning that says how to qualify it', async () => {
        const result = await validate(spec('  workflows { pipeline p { step a } pipeline q { step a } }\n'
            + '  acceptance { test t "Done" covers a }\n  personalization { heuristic h "Faster" on a }'));
        const message = "'a' names a step in pipeline 'p' and in pipeline 'q'; `covers` takes the one in 'p'. Qualify it as p.a or q.a.";
        expectWarning(result, message, { node: find(result, ast.isAcceptanceTest), property: { name: 'covers', index: 0 }, code: IssueCodes.AmbiguousReference });
        expectWarning(result, message.replace('`covers`', '`on`'), { node: find(result, ast.isHeuristic), property: 'target', code: IssueCodes.AmbiguousReference });
    });

    test('a name declared twice for one kind is only a duplicate, not an ambiguous reference', async () => {
        const result = await validate(spec('  safety {\n    guardrail g "First"\n    guardrail g "Second"\n  }\n  acceptance {\n    test t "T" covers g\n  }'));
        expect(result.diagnostics.map(d => d.code)).toEqual([IssueCodes.DuplicateName]);
    });

    test('a qualified step name is never ambiguous', async () => {
        expectNoIssues(await validate(spec('  workflows { pipeline p { step a } pipeline q { step a } }\n'
            + '  acceptance { test t "Done" covers q.a }\n  personalization { heuristic h "Faster" on p.a }')), { code: IssueCodes.AmbiguousReference });
    });

    test('covers, includes and at with names unique across kinds are no ambiguous reference', async () => {
        expectNoIssues(await validate(spec('  workflows { pipeline orders { step a gate check enforces consent } }\n  interface { panel order_board }\n'
            + '  safety { guardrail consent "Only with consent" }\n  acceptance { test consent_asked "Consent asked" covers consent, check }\n'
            + '  organs { organ core includes orders.a, check }\n'
            + '  growth_plates { plate grow accepts add_step at orders }\n  morph_rules { rule add_step risk low }')));
    });

    test('an unknown entity is a linking error on the reference that suggests the closest name', async () => {
        const result = await validate(spec('  data_contracts { entity Order { total: money } }\n  workflows { pipeline p { step bill reads Ordr } }'));
        expectError(result, "Unknown entity 'Ordr'. Did you mean 'Order'?",
            { node: find(result, ast.isStep), property: 'reads', data: { code: 'linking-error' } });
    });

    test('an unknown qualified step is a linking error that suggests the qualified name', async () => {
        const result = await validate(spec('  workflows { pipeline p { step alpha } }\n  personalization { heuristic h "Derate" on p.alpa }'));
        expectError(result, "Unknown step 'p.alpa'. Did you mean 'p.alpha'?",
            { node: find(result, ast.isHeuristic), property: 'target', data: { code: 'linking-error' } });
    });

    test('an unknown element with no close name is a linking error without a suggestion', async () => {
        const result = await validate(spec('  safety { guardrail consent "Only with consent" }\n  acceptance { test t "Works" covers zzzzz }'));
        expectError(result, "Unknown element 'zzzzz'.",
            { node: find(result, ast.isAcceptanceTest), property: 'covers', data: { code: 'linking-error' } });
    });

    test('references to declared elements are no linking errors', async () => {
        const result = await validate(spec('  data_contracts { entity Order { total: money } }\n  workflows { pipeline p { step bill reads Order } }\n'
            + '  personalization { heuristic h "Derate" on p.bill }'));
        expectNoIssues(result, { data: { code: 'linking-error' } });
        expectNoIssues(result);
    });
});
