import { expectFindReferences, expectGoToDefinition, expectHighlight, parseHelper, validationHelper } from 'langium/test';
import { describe, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { createTestServices, spec } from '../fixtures.js';

const services = createTestServices().Fspec;

/** A spec whose references use bare and qualified names. */
const flows = (marked: string) => spec(marked);

describe('go to definition', () => {
    test('a step read reference jumps to the entity', async () => {
        await expectGoToDefinition(services)({
            text: flows('  data_contracts {\n    entity <|Contract|> {\n      qty: int\n    }\n  }\n  workflows {\n    pipeline p {\n      step s reads Con<|>tract\n    }\n  }'),
            index: 0, rangeIndex: 0
        });
    });

    test('bare and qualified step references jump to the step', async () => {
        const text = flows('  workflows {\n    pipeline p {\n      step <|allocate|>\n    }\n  }\n  acceptance {\n    test t1 "A" covers alloc<|>ate\n    test t2 "B" covers p.alloc<|>ate\n  }');
        await expectGoToDefinition(services)({ text, index: 0, rangeIndex: 0 });
        await expectGoToDefinition(services)({ text, index: 1, rangeIndex: 0 });
    });

    test("a rule's required test jumps to the test", async () => {
        await expectGoToDefinition(services)({
            text: flows('  morph_rules {\n    rule add_source risk low requires cit<|>ed\n  }\n  acceptance {\n    test <|cited|> "Sources are cited"\n  }'),
            index: 0, rangeIndex: 0
        });
    });

    test("an action's panel and pipeline and a stage's from jump to their declarations", async () => {
        await expectGoToDefinition(services)({
            text: flows('  workflows {\n    pipeline intake {\n      step s\n    }\n  }\n  interface {\n    panel <|board|>\n    action go on bo<|>ard runs intake\n  }'),
            index: 0, rangeIndex: 0
        });
        await expectGoToDefinition(services)({
            text: flows('  workflows {\n    pipeline <|intake|> {\n      step s\n    }\n  }\n  interface {\n    panel board\n    action go on board runs in<|>take\n  }'),
            index: 0, rangeIndex: 0
        });
        await expectGoToDefinition(services)({
            text: flows('  lineage {\n    stage <|seed|> "0.1.0"\n    stage juvenile "0.2.0" from se<|>ed\n  }'), index: 0, rangeIndex: 0
        });
    });
});

describe('references and highlight', () => {
    test('a test is found wherever rules require it', async () => {
        await expectFindReferences(services)({
            text: flows('  morph_rules {\n    rule add_source risk low requires <|cited|>\n    rule change_source risk low requires <|cited|>\n  }\n  acceptance {\n    test <|ci<|>ted|> "Sources are cited"\n  }'),
            includeDeclaration: true
        });
    });

    test('highlighting a guardrail marks its declaration and every gate enforcing it', async () => {
        await expectHighlight(services)({
            text: flows('  workflows {\n    pipeline p {\n      gate g1 enforces <|consent|>\n      gate g2 enforces <|consent|>\n    }\n  }\n  safety {\n    guardrail <|con<|>sent|> "Only with consent"\n  }'),
            index: 0, rangeIndex: [2, 0, 1]
        });
    });

    test("a panel is found from an action's on and a disclaimer's on", async () => {
        await expectFindReferences(services)({
            text: flows('  interface {\n    panel <|bo<|>ard|>\n    action go on <|board|>\n  }\n  safety {\n    disclaimer "Not advice" on <|board|>\n  }'),
            includeDeclaration: true
        });
    });
});

describe('rename', () => {
    async function rename(text: string, at: string, newName: string): Promise<string> {
        const document = await parseHelper<Spec>(services)(text);
        const offset = text.indexOf(at);
        expect(offset).toBeGreaterThanOrEqual(0);
        const edit = await services.lsp.RenameProvider!.rename(document, {
            textDocument: { uri: document.textDocument.uri }, position: document.textDocument.positionAt(offset), newName
        });
        const renamed = TextDocument.applyEdits(document.textDocument, edit!.changes![document.textDocument.uri]);
        const result = await validationHelper<Spec>(services)(renamed);
        expect(result.diagnostics.filter(d => d.severity === 1).map(d => d.message)).toEqual([]);
        return renamed;
    }

    test('renaming a test updates every requires and covers', async () => {
        const text = spec('  workflows {\n    pipeline p {\n      step a\n    }\n  }\n  organs {\n    organ o includes cited\n  }\n'
            + '  morph_rules {\n    rule add_source risk low requires cited\n    rule add_step risk medium requires cited\n  }\n  acceptance {\n    test cited "Sources are cited" covers a\n  }');
        const renamed = await rename(text, 'cited "Sources', 'sources_cited');
        expect(renamed).toContain('organ o includes sources_cited\n');
        expect(renamed).toContain('rule add_source risk low requires sources_cited\n');
        expect(renamed).toContain('rule add_step risk medium requires sources_cited\n');
        expect(renamed).toContain('test sources_cited "Sources are cited" covers a\n');
    });

    test("renaming a panel or a stage updates an action's on and a stage's from", async () => {
        const text = spec('  interface {\n    panel board\n    action go on board\n  }\n  lineage {\n    stage seed "0.1.0"\n    stage juvenile "0.2.0" from seed\n  }');
        expect(await rename(text, 'board\n    action', 'tracker')).toContain('action go on tracker\n');
        expect(await rename(text, 'seed "0.1.0"', 'sprout')).toContain('stage juvenile "0.2.0" from sprout\n');
    });

    test('renaming a step keeps qualified references qualified', async () => {
        const text = spec('  workflows {\n    pipeline p {\n      step allocate\n    }\n  }\n  acceptance {\n    test t1 "A" covers allocate\n    test t2 "B" covers p.allocate\n  }');
        const renamed = await rename(text, 'allocate\n', 'reserve');
        expect(renamed).toContain('step reserve\n');
        expect(renamed).toContain('covers reserve\n');
        expect(renamed).toContain('covers p.reserve\n');
    });

    test('renaming a pipeline or an entity updates the qualified references to its steps and fields', async () => {
        const text = spec('  data_contracts {\n    entity Patient {\n      name: string pii\n    }\n  }\n  workflows {\n    pipeline intake {\n      step check reads Patient\n    }\n  }\n'
            + '  interface {\n    panel chart shows Patient.name, Patient\n  }\n  acceptance {\n    test t "Checked" covers intake.check, intake\n  }');
        const pipeline = await rename(text, 'intake {', 'admission');
        expect(pipeline).toContain('covers admission.check, admission\n');
        const entity = await rename(text, 'Patient {', 'Client');
        expect(entity).toContain('shows Client.name, Client\n');
        expect(entity).toContain('step check reads Client\n');
    });
});
