import * as fs from 'node:fs';
import { expectFoldings, expectSymbols, expectWorkspaceSymbols, parseHelper } from 'langium/test';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { describe, expect, test } from 'vitest';
import { createTestServices } from '../fixtures.js';

const farm = fs.readFileSync('examples/farmer-contract-allocation/farm-ops.fspec', 'utf8');
const kindNames = new Map(Object.entries(SymbolKind).map(([name, kind]) => [kind, name]));

/** A symbol and its children as indented `name (Kind) — detail` lines. */
function outline(symbol: DocumentSymbol, depth = 0): string {
    const line = `${'  '.repeat(depth)}${symbol.name} (${kindNames.get(symbol.kind)})${symbol.detail ? ` — ${symbol.detail}` : ''}`;
    return [line, ...(symbol.children ?? []).map(child => outline(child, depth + 1))].join('\n');
}

describe('document symbols', () => {
    test('the spec, then its sections by keyword, then their elements with title or text as detail', async () => {
        const { Fspec } = createTestServices();
        await expectSymbols(Fspec)({
            text: `spec Shop version "1.2.0" stage grown {
  identity {
    purpose "Sell things"
    beneficiary Owner "Runs the shop"
    envelope "No credit"
    prohibit remove beneficiary Owner
  }
  desires { desire restock "Never run out" { goal "Stock" } }
  evidence_policy { source sales "Sales feed" tier high }
  data_contracts {
    entity Item "A thing for sale" {
      sku: string pii "Stock unit"
      state: enum(on_sale, gone)[]
    }
  }
  workflows { pipeline reorder "Reorder" { step count "Count" gate check "Check" } }
  interface { role Clerk "Serves" panel shelf "Shelf" action order "Order" }
  safety { guardrail no_debt "No debt" disclaimer "Prices change" }
  personalization { preference units "Metric" heuristic rush "Rush" on reorder.count }
  deployment { devices web schedule reorder nightly at "02:00" retention Item 2 years retention 1 years }
  organs { organ core "Core" includes count }
  growth_plates { plate more "More" accepts add_step }
  morph_rules { rule add_step risk medium }
  acceptance { test stocked "Never empty" covers count }
  lineage { stage seed "1.0.0" stage grown "1.2.0" from seed }
}`,
            symbolToString: outline,
            expectedSymbols: [`Shop (Package) — "1.2.0" stage grown
  identity (Namespace)
    purpose (String) — Sell things
    Owner (Object) — Runs the shop
    envelope (String) — No credit
    prohibit remove beneficiary Owner (Constant)
  desires (Namespace)
    restock (Struct) — Never run out
  evidence_policy (Namespace)
    sales (Variable) — Sales feed
  data_contracts (Namespace)
    Item (Class) — A thing for sale
      sku (Field) — string pii — Stock unit
      state (Field) — enum(on_sale, gone)[]
  workflows (Namespace)
    reorder (Module) — Reorder
      count (Function) — Count
      check (Operator) — Check
  interface (Namespace)
    Clerk (Object) — Serves
    shelf (Interface) — Shelf
    order (Event) — Order
  safety (Namespace)
    no_debt (Constant) — No debt
    disclaimer (String) — Prices change
  personalization (Namespace)
    units (Property) — Metric
    rush (Function) — Rush
  deployment (Namespace)
    schedule reorder (Event) — nightly at 02:00
    retention Item (Number) — 2 years
    retention (Number) — 1 years
  organs (Namespace)
    core (Module) — Core
  growth_plates (Namespace)
    more (TypeParameter) — More
  morph_rules (Namespace)
    add_step (Key) — risk medium
  acceptance (Namespace)
    stocked (Method) — Never empty
  lineage (Namespace)
    seed (EnumMember) — 1.0.0
    grown (EnumMember) — 1.2.0`]
        });
    });

    test('a symbol spans its element and selects its name (a section its keyword)', async () => {
        const { Fspec } = createTestServices();
        const text = 'spec A version "1" {\n  data_contracts {\n    entity Item {\n      sku: string\n    }\n  }\n}';
        await expectSymbols(Fspec)({
            text,
            assert: ([spec]) => {
                const section = spec.children![0];
                const entity = section.children![0];
                expect(spec.selectionRange).toEqual({ start: { line: 0, character: 5 }, end: { line: 0, character: 6 } });
                expect(section.selectionRange).toEqual({ start: { line: 1, character: 2 }, end: { line: 1, character: 16 } });
                expect(entity.range).toEqual({ start: { line: 2, character: 4 }, end: { line: 4, character: 5 } });
                expect(entity.selectionRange).toEqual({ start: { line: 2, character: 11 }, end: { line: 2, character: 15 } });
            }
        });
    });

    test('the farm example outlines all fourteen sections, steps under their pipeline', async () => {
        const { Fspec } = createTestServices();
        await expectSymbols(Fspec)({
            text: farm,
            assert: ([spec]) => {
                expect(spec.children!.map(s => s.name)).toEqual([
                    'identity', 'desires', 'evidence_policy', 'data_contracts', 'workflows', 'interface', 'safety',
                    'personalization', 'deployment', 'organs', 'growth_plates', 'morph_rules', 'acceptance', 'lineage']);
                const pipeline = spec.children!.find(s => s.name === 'workflows')!.children![0];
                expect(pipeline.children!.map(s => s.name)).toContain('allocate');
            }
        });
    });
});

describe('outline and folding of partial text', () => {
    test('every truncation of the farm example gives symbols and foldings, never an exception', async () => {
        const { Fspec } = createTestServices();
        const parse = parseHelper(Fspec);
        for (let length = 0; length < farm.length; length += 61) {
            const document = await parse(farm.slice(0, length));
            const params = { textDocument: { uri: document.uri.toString() } };
            expect(() => Fspec.lsp.DocumentSymbolProvider!.getSymbols(document, params), `at ${length}`).not.toThrow();
            expect(() => Fspec.lsp.FoldingRangeProvider!.getFoldingRanges(document, params), `at ${length}`).not.toThrow();
        }
    });
});

describe('folding', () => {
    test('the spec, each section, each multi-line element and multi-line comments fold; one-liners do not', async () => {
        const { Fspec } = createTestServices();
        await expectFoldings(Fspec)({
            text: `<|/* a
   multi-line|>
   comment */
<|spec A version "1" {

  <|identity {
    purpose "p"
    beneficiary B|>
  }

  <|data_contracts {
    <|entity E {
      a: string
      b: int|>
    }
    entity F { x: int }|>
  }

  <|workflows {
    <|pipeline p {
      <|step s "S"
        reads E
        output F|>
      step t reads E|>
    }|>
  }
  safety { guardrail g "G" }|>
}`
        });
    });
});

describe('workspace symbols', () => {
    test('searching `allocate` finds the step as FarmOps.contract_allocation.allocate, with its kind and place', async () => {
        const { Fspec, shared } = createTestServices();
        const document = await parseHelper(Fspec)(farm);
        await expectWorkspaceSymbols(shared)({
            query: 'allocate',
            assert: symbols => {
                const step = symbols.find(s => s.name === 'FarmOps.contract_allocation.allocate');
                expect(step).toMatchObject({ kind: SymbolKind.Function, location: { uri: document.uri.toString() } });
                const line = farm.split('\n').findIndex(l => l.includes('step allocate '));
                expect((step!.location as { range: { start: { line: number } } }).range.start.line).toBe(line);
            }
        });
        await expectWorkspaceSymbols(shared)({
            query: 'phi_gate',
            expectedSymbols: ['FarmOps.contract_allocation.phi_gate']
        });
        await expectWorkspaceSymbols(shared)({
            query: 'FarmOps.SprayEvent',
            assert: symbols => expect(symbols.map(s => [s.name, kindNames.get(s.kind)])).toContainEqual(['FarmOps.SprayEvent', 'Class'])
        });
    });
});
