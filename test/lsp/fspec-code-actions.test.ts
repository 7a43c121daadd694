import { validationHelper } from 'langium/test';
import { describe, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { createTestServices, documentUri, projectFolder, spec } from '../fixtures.js';

interface Fixed { after: string, titles: string[], diagnostics: Diagnostic[] }

/**
 * Validates `text` (with `approved` as its last approved version), asks for the quick fixes of the
 * one diagnostic with `code`, applies the one titled `title`, and validates the result again.
 */
async function applyFix(text: string, code: string, title: string, approved?: string): Promise<Fixed> {
    const files = approved ? { [`${projectFolder}/.factory/approved/${/spec\s+(\w+)/.exec(approved)![1]}.fspec`]: approved } : {};
    const services = createTestServices(files).Fspec;
    const validate = validationHelper<Spec>(services);
    const before = await validate(text, { documentUri });
    const relevant = before.diagnostics.filter(d => (d.data as { code?: string } | undefined)?.code === code);
    expect(relevant.map(d => d.message), `one ${code} diagnostic`).toHaveLength(1);
    const actions = await services.lsp.CodeActionProvider!.getCodeActions(before.document, {
        textDocument: { uri: before.document.textDocument.uri }, range: relevant[0].range, context: { diagnostics: relevant }
    }) as CodeAction[];
    const titles = actions.map(a => a.title);
    const action = actions.find(a => a.title === title);
    expect(action, `an action titled "${title}" among ${JSON.stringify(titles)}`).toBeDefined();
    const after = TextDocument.applyEdits(before.document.textDocument, action!.edit!.changes![before.document.textDocument.uri]);
    await before.dispose();
    const revalidated = await validationHelper<Spec>(createTestServices(files).Fspec)(after, { documentUri });
    return { after, titles, diagnostics: revalidated.diagnostics };
}

const errors = (fixed: Fixed) => fixed.diagnostics.filter(d => d.severity === 1).map(d => d.message);
const codes = (fixed: Fixed) => fixed.diagnostics.map(d => d.code);

describe('grow quick fixes', () => {
    test('a spec without identity gets an identity section as its first section', async () => {
        const fixed = await applyFix('spec App version "1.0.0" {\n  safety {\n    guardrail g "G"\n  }\n}\n', 'missing-identity', 'Add an identity section');
        expect(fixed.after).toBe('spec App version "1.0.0" {\n  identity {\n    purpose "Describe what this app is for"\n    beneficiary Users "Who the app serves"\n  }\n'
            + '  safety {\n    guardrail g "G"\n  }\n}\n');
        expect(errors(fixed)).toEqual([]);
    });

    test('an unresolved reference is changed to the closest name', async () => {
        const text = spec('  data_contracts {\n    entity Contract {\n      qty: int\n    }\n  }\n  workflows {\n    pipeline p {\n      step s reads Contrct\n    }\n  }');
        const fixed = await applyFix(text, 'linking-error', "Change to 'Contract'");
        expect(fixed.after).toBe(text.replace('reads Contrct', 'reads Contract'));
        expect(errors(fixed)).toEqual([]);
    });

    test('a rule requiring a test that does not exist gets the test skeleton in acceptance', async () => {
        const text = spec('  morph_rules {\n    rule add_source risk low requires sources_cited\n  }\n  acceptance {\n    test other "Other"\n  }');
        const fixed = await applyFix(text, 'linking-error', "Add acceptance test 'sources_cited'");
        expect(fixed.after).toContain('  acceptance {\n    test other "Other"\n    test sources_cited "Describe what must hold"\n  }');
        expect(errors(fixed)).toEqual([]);
    });

    test('a missing section is created for the skeleton', async () => {
        const text = spec('  workflows {\n    pipeline p {\n      gate g enforces consent\n    }\n  }');
        const fixed = await applyFix(text, 'linking-error', "Add guardrail 'consent'");
        expect(fixed.after).toContain('  safety {\n    guardrail consent "Describe what must never happen"\n  }\n}');
        expect(errors(fixed)).toEqual([]);
    });

    const grown = (extra: string) => spec(`  workflows {\n    pipeline p {\n      step a\n      step b\n    }\n  }\n${extra}`);

    test('a removed step no plate accepts gets a plate at its pipeline and a rule', async () => {
        const approved = grown('');
        const fixed = await applyFix(approved.replace('      step b\n', ''), 'morph-not-allowed',
            "Add growth plate 'p_remove_step' accepting remove_step at p and a medium-risk rule", approved);
        expect(fixed.after).toContain('  growth_plates {\n    plate p_remove_step accepts remove_step at p\n  }');
        expect(fixed.after).toContain('  morph_rules {\n    rule remove_step risk medium\n  }');
        expect(errors(fixed)).toEqual([]);
    });

    test('a plate at the same pipeline can be widened instead', async () => {
        const approved = grown('  growth_plates {\n    plate p_plate accepts swap_allocator at p\n  }\n  morph_rules {\n    rule swap_allocator risk low\n    rule add_step risk low\n  }');
        const fixed = await applyFix(approved.replace('      step b\n', '      step b\n      step c\n'), 'morph-not-allowed', "Let plate 'p_plate' accept add_step", approved);
        expect(fixed.after).toContain('plate p_plate accepts swap_allocator, add_step at p');
        expect(errors(fixed)).toEqual([]);
    });

    test('a morph accepted by a plate without a rule gets the rule', async () => {
        const approved = grown('  growth_plates {\n    plate p_plate accepts add_step at p\n  }');
        const fixed = await applyFix(approved.replace('      step b\n', '      step b\n      step c\n'), 'morph-without-rule', "Add morph rule 'add_step' (risk medium)", approved);
        expect(fixed.after).toContain('  morph_rules {\n    rule add_step risk medium\n  }');
        expect(codes(fixed)).not.toContain('morph-without-rule');
        expect(errors(fixed)).toEqual([]);
    });

    test('a morph whose rule requires missing tests gets their skeletons', async () => {
        const approved = grown('  growth_plates {\n    plate p_plate accepts add_step at p\n  }\n  morph_rules {\n    rule add_step risk medium requires order_kept, totals_match\n  }');
        const fixed = await applyFix(approved.replace('      step b\n', '      step b\n      step c\n'), 'morph-tests-missing', "Add acceptance tests 'order_kept', 'totals_match'", approved);
        expect(fixed.after).toContain('  acceptance {\n    test order_kept "Describe what must hold"\n    test totals_match "Describe what must hold"\n  }');
        expect(errors(fixed)).toEqual([]);
    });

    test('an unenforced guardrail gets a gate at the top of the first pipeline', async () => {
        const text = spec('  workflows {\n    pipeline intake {\n      step read_forms\n    }\n  }\n  safety {\n    guardrail consent "Only with consent"\n  }');
        const fixed = await applyFix(text, 'unenforced-guardrail', "Enforce 'consent' with gate 'consent_gate' in pipeline 'intake'");
        expect(fixed.after).toContain('    pipeline intake {\n      gate consent_gate enforces consent\n      step read_forms\n');
        expect(fixed.diagnostics).toEqual([]);
    });

    test('or is covered by an acceptance test quoting it', async () => {
        const text = spec('  safety {\n    guardrail consent "Only with \\"explicit\\" consent"\n  }');
        const fixed = await applyFix(text, 'unenforced-guardrail', "Cover 'consent' with acceptance test 'consent_holds'");
        expect(fixed.after).toContain('    test consent_holds "Only with \\"explicit\\" consent" covers consent\n');
        expect(fixed.diagnostics).toEqual([]);
    });

    test('a pending desire is realized by a step stub for each missing output', async () => {
        const text = spec('  desires {\n    desire reports {\n      goal "Weekly reports"\n      output weekly_report, "price list"\n    }\n  }\n  workflows {\n    pipeline p {\n      step a\n    }\n  }');
        const fixed = await applyFix(text, 'pending-desire', "Realize desire 'reports': add steps for 'weekly_report', 'price list' to pipeline 'p'");
        expect(fixed.after).toContain('      step a\n      step weekly_report "Produces weekly_report for desire reports"\n      step price_list "Produces price list for desire reports"\n    }');
        expect(fixed.diagnostics).toEqual([]);
    });

    test('a pending desire in a spec without workflows gets a pipeline of its own', async () => {
        const text = spec('  desires {\n    desire reports {\n      goal "Weekly reports"\n      output weekly_report\n    }\n  }');
        const fixed = await applyFix(text, 'pending-desire', "Realize desire 'reports': add a step for 'weekly_report'");
        expect(fixed.after).toContain('  workflows {\n    pipeline reports {\n      step weekly_report "Produces weekly_report for desire reports"\n    }\n  }');
        expect(fixed.diagnostics).toEqual([]);
    });

    test('a high-risk rule gets human review, and a new required test', async () => {
        const text = spec('  morph_rules {\n    rule swap_allocator risk high requires t\n  }\n  acceptance {\n    test t "T"\n  }');
        const reviewed = await applyFix(text, 'high-risk-without-review', "Require human review for 'swap_allocator'");
        expect(reviewed.after).toContain('rule swap_allocator risk high requires t review human\n');
        expect(errors(reviewed)).toEqual([]);
        const untested = spec('  morph_rules {\n    rule swap_allocator risk high review human\n  }');
        const tested = await applyFix(untested, 'high-risk-without-test', "Require new acceptance test 'swap_allocator_holds' for 'swap_allocator'");
        expect(tested.after).toContain('rule swap_allocator risk high review human requires swap_allocator_holds\n');
        expect(tested.after).toContain('test swap_allocator_holds "Describe what must still hold after swap_allocator"');
        expect(errors(tested)).toEqual([]);
    });

    test('a misspelt morph kind or cadence is changed to the closest known one', async () => {
        const kind = await applyFix(spec('  morph_rules {\n    rule add_sorce risk low\n  }'), 'unknown-morph-kind', "Change to 'add_source'");
        expect(kind.after).toContain('rule add_source risk low');
        expect(errors(kind)).toEqual([]);
        const cadence = await applyFix(spec('  deployment {\n    cadence nigthly\n  }'), 'unknown-cadence', "Change to 'nightly'");
        expect(cadence.after).toContain('cadence nightly');
        expect(cadence.diagnostics).toEqual([]);
    });
});
