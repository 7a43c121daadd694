import * as fs from 'node:fs';
import { TextDocument } from 'langium';
import { expectFormatting, parseHelper } from 'langium/test';
import { describe, expect, test } from 'vitest';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { buildSpecGraph } from '../../language-server/src/model/spec-graph-builder.js';
import { serializeSpecGraph } from '../../language-server/src/model/spec-graph.js';
import { createTestServices } from '../fixtures.js';

const services = createTestServices().Fspec;
const parse = parseHelper<Spec>(services);
const examples = ['examples/farmer-contract-allocation/farm-ops.fspec', 'examples/immigration-policy-impact/policy-impact.fspec'];

/** The document text after a full-document format (the editor's tab size is 4, as in VS Code's default). */
async function format(text: string): Promise<string> {
    const document = await parse(text);
    expect(document.parseResult.parserErrors).toEqual([]);
    const edits = await services.lsp.Formatter!.formatDocument(document, {
        textDocument: { uri: document.uri.toString() }, options: { tabSize: 4, insertSpaces: true }
    });
    return TextDocument.applyEdits(document.textDocument, edits);
}

async function normalizedGraph(text: string): Promise<string> {
    return serializeSpecGraph(buildSpecGraph((await parse(text)).parseResult.value));
}

/** Formatting `before` gives `after`, and formatting `after` changes nothing. */
async function expectCanonical(before: string, after: string): Promise<void> {
    await expectFormatting(services)({ before, after });
    await expectFormatting(services)({ before: after, after });
}

describe('formatter: one line per item, 2-space indentation per block', () => {
    test('identity: clauses on their own lines, single spaces', async () => {
        await expectCanonical(
            'spec  A version "1"{identity{purpose   "p" beneficiary B "b"\n envelope "e" prohibit remove beneficiary B prohibit morph add_x}}',
            'spec A version "1" {\n\n  identity {\n    purpose "p"\n    beneficiary B "b"\n    envelope "e"\n    prohibit remove beneficiary B\n    prohibit morph add_x\n  }\n}');
    });

    test('desires: each clause keyword starts a line, commas take one space after', async () => {
        await expectCanonical(
            'spec A version "1" {\n  desires { desire d "D" { goal "g" constraint c output a ,b,c cadence daily } }\n}',
            'spec A version "1" {\n\n  desires {\n    desire d "D" {\n      goal "g"\n      constraint c\n      output a, b, c\n      cadence daily\n    }\n  }\n}');
    });

    test('evidence_policy: policy clauses and sources one per line', async () => {
        await expectCanonical(
            'spec A version "1" {\n  evidence_policy { cadence daily minimum_tier high source s "S"  tier high\n    provides E,F }\n}',
            'spec A version "1" {\n\n  evidence_policy {\n    cadence daily\n    minimum_tier high\n    source s "S" tier high provides E, F\n  }\n}');
    });

    test('data_contracts: `key: type`, no space inside enum(...), [] and ?', async () => {
        await expectCanonical(
            'spec A version "1" {\n  data_contracts { entity E "e" { a :string pii "x" b: enum( x , y ) [] c: E[] ? } }\n}',
            'spec A version "1" {\n\n  data_contracts {\n    entity E "e" {\n      a: string pii "x"\n      b: enum(x, y)[]\n      c: E[]?\n    }\n  }\n}');
    });

    test('workflows: header with triggers on one line, one step or gate per line', async () => {
        await expectCanonical(
            'spec A version "1" {\n  workflows { pipeline p "P" trigger nightly ,on E { step s reads E output F gate g enforces r } }\n}',
            'spec A version "1" {\n\n  workflows {\n    pipeline p "P" trigger nightly, on E {\n      step s reads E output F\n      gate g enforces r\n    }\n  }\n}');
    });

    test('interface, safety, personalization: one element per line, qualified names stay tight', async () => {
        await expectCanonical(
            'spec A version "1" {\n  interface { role R panel p shows E . f for R action a on p runs q }\n'
            + '  safety { guardrail g "G" disclaimer "D" on p }\n  personalization { preference u "U" for R heuristic h "H" on q.s }\n}',
            'spec A version "1" {\n\n  interface {\n    role R\n    panel p shows E.f for R\n    action a on p runs q\n  }\n\n'
            + '  safety {\n    guardrail g "G"\n    disclaimer "D" on p\n  }\n\n  personalization {\n    preference u "U" for R\n    heuristic h "H" on q.s\n  }\n}');
    });

    test('deployment and the developmental sections', async () => {
        await expectCanonical(
            'spec A version "1" stage s {\n  deployment { devices web,mobile cadence nightly schedule p nightly at "02:00" retention E 7 years retention 2 years }\n'
            + '  organs { organ o "O" includes p.s, g }  growth_plates { plate q "Q" accepts add_step,add_source at p }\n'
            + '  morph_rules { rule add_step risk medium requires t review human }  acceptance { test t "T" covers g }\n'
            + '  lineage { stage s "1" from r by add_step p.s,add_source }\n}',
            'spec A version "1" stage s {\n\n  deployment {\n    devices web, mobile\n    cadence nightly\n    schedule p nightly at "02:00"\n    retention E 7 years\n    retention 2 years\n  }\n\n'
            + '  organs {\n    organ o "O" includes p.s, g\n  }\n\n  growth_plates {\n    plate q "Q" accepts add_step, add_source at p\n  }\n\n'
            + '  morph_rules {\n    rule add_step risk medium requires t review human\n  }\n\n  acceptance {\n    test t "T" covers g\n  }\n\n'
            + '  lineage {\n    stage s "1" from r by add_step p.s, add_source\n  }\n}');
    });

    test('an empty block still closes on its own line', async () => {
        await expectCanonical('spec A version "1" { desires {} }', 'spec A version "1" {\n\n  desires {\n  }\n}');
    });
});

describe('formatter: blank lines and comments', () => {
    test('exactly one blank line before each section; at most one kept between items, none after `{` or before `}`', async () => {
        await expectCanonical(
            'spec A version "1" {\n  identity {\n\n\n    purpose "p"\n\n\n\n    envelope "e"\n    envelope "f"\n\n  }\n\n\n\n  safety {\n    guardrail g "G"\n  }\n}',
            'spec A version "1" {\n\n  identity {\n    purpose "p"\n\n    envelope "e"\n    envelope "f"\n  }\n\n  safety {\n    guardrail g "G"\n  }\n}');
    });

    test('own-line comments are re-indented to their block, block comments keep their inner alignment', async () => {
        await expectCanonical(
            '// header\nspec A version "1" {\n// about identity\n  identity {\n        // first\n   purpose "p"\n\n\n\n /** doc\n  * more\n  */\n    envelope "e"\n  }\n}',
            '// header\nspec A version "1" {\n\n  // about identity\n  identity {\n    // first\n    purpose "p"\n\n    /** doc\n     * more\n     */\n    envelope "e"\n  }\n}');
    });

    test('trailing and inline comments stay where they are; a line comment never swallows the next token', async () => {
        await expectCanonical(
            'spec A version "1" {\n  workflows {\n    pipeline p { // steps\n      step s /* inline */ reads E // why\n        output F\n    }\n  }\n}',
            'spec A version "1" {\n\n  workflows {\n    pipeline p { // steps\n      step s /* inline */ reads E // why\n      output F\n    }\n  }\n}');
    });

    test('a CRLF file stays CRLF', async () => {
        expect(await format('spec A version "1" {\r\n  identity { purpose "p" }\r\n}\r\n'))
            .toBe('spec A version "1" {\r\n\r\n  identity {\r\n    purpose "p"\r\n  }\r\n}\r\n');
    });
});

describe('formatter: partial requests', () => {
    test('a range formats the gaps it touches and leaves the rest', async () => {
        await expectFormatting(services)({
            before: 'spec A version "1" {\n  identity {\n      purpose   "p"\n  beneficiary    B\n  }\n}',
            range: { start: { line: 2, character: 0 }, end: { line: 2, character: 10 } },
            after: 'spec A version "1" {\n  identity {\n    purpose "p"\n    beneficiary    B\n  }\n}'
        });
    });

    test('a spec with a syntax error is left as it is', async () => {
        const broken = 'spec A version "1" {\n identity {  purpose }\n}';
        await expectFormatting(services)({ before: broken, after: broken });
    });
});

describe('formatter: the examples', () => {
    test.each(examples)('%s is already canonical, so formatting leaves it unchanged', async (file) => {
        const text = fs.readFileSync(file, 'utf8');
        expect(await format(text)).toBe(text);
    });

    test.each(examples)('%s laid out badly comes back to the same text and the same spec graph', async (file) => {
        const text = fs.readFileSync(file, 'utf8');
        // Everything on one line (the header comment aside), with odd spacing around punctuation.
        const [header, body] = [text.slice(0, text.indexOf('spec ')), text.slice(text.indexOf('spec '))];
        const scrambled = header + body.trim().replace(/("(?:\\.|[^"\\])*")|([,:]?)\s+/g, (_, string, punctuation) => string ?? ` ${punctuation}  `) + '\n';
        const formatted = await format(scrambled);
        expect(formatted).toBe(text);
        expect(await format(formatted)).toBe(formatted);
        expect(await normalizedGraph(formatted)).toBe(await normalizedGraph(text));
    });
});
