import * as fs from 'node:fs';
import { expectHover, parseHelper } from 'langium/test';
import { describe, expect, test } from 'vitest';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { createTestServices, spec } from '../fixtures.js';

const services = createTestServices().Fspec;
const farm = fs.readFileSync('examples/farmer-contract-allocation/farm-ops.fspec', 'utf8');

/** The hover text at the end of the first occurrence of `at` in the farm example. */
async function hoverAt(at: string, text = farm): Promise<string | undefined> {
    const document = await parseHelper<Spec>(services)(text);
    const offset = text.indexOf(at) + at.length - 1;
    expect(offset).toBeGreaterThan(0);
    const hover = await services.lsp.HoverProvider!.getHoverContent(document, {
        textDocument: { uri: document.textDocument.uri }, position: document.textDocument.positionAt(offset)
    });
    return (hover?.contents as { value: string } | undefined)?.value;
}

describe('hover', () => {
    test('a morph rule shows its risk, review and the tests it requires, with their text', async () => {
        expect(await hoverAt('rule swap_allocator')).toBe([
            '**morph rule** `swap_allocator` — swap the strategy of a step (the allocator)', '',
            '- risk: `high`', '- review: `human`',
            '- requires: `tuesday_reserved` "All Tuesday contracts reserved or shortfall alert created", `invoices_for_reserved` "Invoices generated for reserved buyers"',
            '- accepted by plate: `allocator`'
        ].join('\n'));
    });

    test('a plate shows each kind it accepts with its risk, and where it applies', async () => {
        expect(await hoverAt('plate allocator')).toBe([
            '**growth plate** `allocator` — Allocation strategy', '',
            '- accepts: `swap_allocator` (risk high), `add_step` (risk medium), `rewire_step` (risk medium)',
            '- at: `contract_allocation`'
        ].join('\n'));
    });

    test('a reference shows its target: a covered gate with what it reads, enforces and who covers it', async () => {
        expect(await hoverAt('covers phi_gate')).toBe([
            '**gate** `contract_allocation.phi_gate` — PHI gate', '',
            '- reads: `SprayEvent`, `Forecast`', '- enforces: `no_phi_harvest` "No harvest from PHI locked blocks"',
            '- in organ: `safety_organ`', '- covered by: `phi_blocks_untouched`'
        ].join('\n'));
    });

    test('an entity lists its fields with types and protection flags, and where it is used', async () => {
        expect(await hoverAt('entity SprayEvent')).toBe([
            '**entity** `SprayEvent` — A pesticide application', '',
            '- field `block`: Block', '- field `product`: string', '- field `date`: date', '- field `phi_days`: int (phi)', '- field `applicator`: string (pii)',
            '- provided by: `spray_log`', '- read by: `contract_allocation.phi_gate`', '- shown on: `spray_records`', '- kept: 7 years'
        ].join('\n'));
    });

    test('a morph kind named in a plate or a lineage line explains itself and its rule', async () => {
        expect(await hoverAt('accepts swap_allocator')).toBe('**morph** `swap_allocator`: swap the strategy of a step (the allocator). Needs a growth plate that accepts it and a morph rule.'
            + '\n\nRule: risk **high**, review human, requires `tuesday_reserved`, `invoices_for_reserved`');
        expect(await hoverAt('by add_source')).toBe('**morph** `add_source`: add an evidence source. Needs a growth plate that accepts it and a morph rule.\n\nRule: risk **low**');
    });

    test('the spec and any element show their doc comment', async () => {
        expect(await hoverAt('spec FarmOps')).toMatch(/^\*\*spec\*\* `FarmOps` version 0\.2\.0, stage `juvenile`\n\nFarmOps: a grower's contract-first allocation app\./);
        await expectHover(services)({
            text: spec('  safety {\n    /** Checked by the harvest crew every morning. */\n    guardrail no_<|>phi "No harvest from PHI blocks"\n  }'),
            index: 0,
            hover: '**guardrail** `no_phi` — No harvest from PHI blocks\n\nChecked by the harvest crew every morning.'
        });
    });
});

test('an entity-typed list field hovers with its whole type', async () => {
    expect(await hoverAt('entity Packlist')).toContain('- field `lines`: Allocation[]');
});

describe('code lens and inlay hints', () => {
    test('the spec gets a Preview lens, each pipeline a Preview of its own, the desires its pending desire\'s Grow', async () => {
        const document = await parseHelper<Spec>(services)(farm);
        const lenses = await services.lsp.CodeLensProvider!.provideCodeLens(document, { textDocument: { uri: document.textDocument.uri } });
        const specLine = farm.split('\n').findIndex(l => l.startsWith('spec FarmOps'));
        const desiresLine = farm.split('\n').findIndex(l => l === '  desires {');
        const pipelineLine = farm.split('\n').findIndex(l => l.includes('pipeline contract_allocation'));
        expect(lenses!.map(l => [l.range.start.line, l.command!.title, l.command!.command, l.command!.arguments])).toEqual([
            [specLine, 'Preview', 'fspec.preview', [document.textDocument.uri]],
            [desiresLine, 'Grow: 1 new desire (buyer_invoices)', 'fspec.grow', [document.textDocument.uri]],
            [pipelineLine, 'Preview', 'fspec.preview', [document.textDocument.uri, 'contract_allocation']]
        ]);
    });

    test('lineage morphs and plate kinds show the risk their rule gives them', async () => {
        const document = await parseHelper<Spec>(services)(farm);
        const hints = await services.lsp.InlayHintProvider!.getInlayHints(document, {
            textDocument: { uri: document.textDocument.uri }, range: { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } }
        });
        const lineageLine = farm.split('\n').findIndex(l => l.includes('stage juvenile "0.2.0"'));
        const onLineage = hints!.filter(h => h.position.line === lineageLine);
        const lineText = farm.split('\n')[lineageLine];
        expect(onLineage.map(h => [lineText.slice(0, h.position.character).split(' ').filter(w => /^[a-z_]+$/.test(w)).at(-1), h.label])).toEqual([
            ['add_source', ': low'], ['insert_gate', ': medium'], ['swap_allocator', ': high']
        ]);
        const panelsLine = farm.split('\n').findIndex(l => l.includes('plate panels'));
        expect(hints!.filter(h => h.position.line === panelsLine).map(h => h.label)).toEqual([': low', ': low', ': low']);
    });
});
