// @vitest-environment jsdom
import { beforeAll, describe, expect, test } from 'vitest';
import type { MutationPr } from '../../language-server/src/protocol.js';
import type { FromPrWebview, PrReview } from '../../webviews/src/messages.js';
import { MutationPrApp } from '../../webviews/src/mutation-pr-app.js';
import { farmPr, vetoedDesire } from '../extension/crew/mutation-pr-fixture.js';
import { FakeRenderer } from './fake-renderer.js';

let pr: MutationPr;
let vetoed: MutationPr;

beforeAll(async () => {
    [pr, vetoed] = await Promise.all([farmPr(), farmPr(vetoedDesire, 'run-v')]);
}, 60_000);

async function setup(shown: MutationPr, review: PrReview = { phase: 'open' }, theme = 'vscode-light') {
    document.body.replaceChildren();
    document.body.className = theme;
    const posted: FromPrWebview[] = [];
    const renderer = new FakeRenderer();
    const app = new MutationPrApp({ postMessage: m => posted.push(m) }, renderer.render, document);
    await app.receive({ type: 'pr', pr: shown, review });
    return { app, posted, renderer };
}

const $ = (selector: string) => document.querySelector<HTMLElement>(selector)!;
const text = (selector: string) => $(selector).textContent!.replace(/\s+/g, ' ').trim();
const click = (element: Element) => element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
const button = (action: string) => $(`[data-action="${action}"]`) as HTMLButtonElement;
const visible = (element: HTMLElement) => !element.hidden && !element.closest('[hidden]');
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('what the PR shows', () => {
    test('the spec, versions, stage and planner; desires, morphs with risk, tests, Safety, adapters and panels', async () => {
        await setup(pr);
        expect(text('h1')).toBe('FarmOps 0.2.0 → 0.3.0');
        expect(text('.meta')).toMatch(/^Stage grown from juvenile · Planner offline · Risk medium Safety approved/);
        expect(text('#fspec-desires')).toContain('tuesday_shortfalls — Reserve Tuesday contracts first · constraints PHI compliant · trusted sources weather_service · outputs packlists, invoices, shortfall_alerts');
        const rows = [...document.querySelectorAll('#fspec-morphs tbody tr')].map(row => [...row.children].map(cell => cell.textContent));
        expect(rows).toContainEqual(['add_step', 'step \'shortfall_alerts\' added to pipeline \'contract_allocation\'', 'medium', '—', 'tuesday_reserved']);
        expect(rows).toContainEqual(['add_test', 'test \'board_realized\' added', 'no rule', '—', '—']);
        expect($('#fspec-morphs .badge.risk-medium').textContent).toBe('medium');
        expect(text('#fspec-tests')).toContain('tuesday_reserved not run required All Tuesday contracts reserved or shortfall alert created');
        expect(text('#fspec-safety p')).toBe('No identity invariant or morph rule is broken.');
        expect(text('#fspec-adapters li')).toBe('weather_service · cadence daily · tier medium');
        expect(text('#fspec-panels li')).toMatch(/^shortfall_board Shortfall board · for Farmer/);
        expect(text('#fspec-panels li li')).toBe('Invoice: buyer, amount, lines, due');
    });

    test('each test shows its result on the stored records; a failing one says why under its name', async () => {
        await setup({
            ...pr, simulation: {
                ...pr.simulation, tests: [
                    { name: 'tuesday_reserved', text: 'All Tuesday contracts reserved or shortfall alert created', required: true, status: 'pass' },
                    { name: 'phi_blocks_untouched', text: 'No harvest from PHI locked blocks', required: true, status: 'fail', detail: 'no_phi_harvest holds: Forecast Forecast-2: Block#2 is inside the phi_days interval of SprayEvent#1' },
                    { name: 'board_realized', required: false, status: 'not-grown', detail: 'step shortfall_alerts is not grown yet' }
                ]
            }
        });
        const items = [...document.querySelectorAll('#fspec-tests li')];
        expect(items.map(li => li.querySelector('.badge')!.textContent)).toEqual(['passes', 'fails', 'not grown']);
        expect(items.map(li => li.querySelector('.badge')!.classList.contains('bad'))).toEqual([false, true, true]);
        expect(items[0].querySelector('.detail')).toBeNull();
        expect(items[1].querySelector('.detail')!.textContent).toBe('no_phi_harvest holds: Forecast Forecast-2: Block#2 is inside the phi_days interval of SprayEvent#1');
        expect(items[2].textContent).not.toContain('required');
    });

    test('the migration of stored records lists each op as the CLI words it, then the records files it changes with their sizes', async () => {
        await setup({
            ...pr, migration: {
                ops: [
                    { op: 'rename_field', entity: 'Contract', from: 'buyer', to: 'buyer_name' },
                    { op: 'convert_field', entity: 'Contract', field: 'amount', from_type: 'number', to_type: 'int', converter: 'round' },
                    { op: 'add_field', entity: 'Invoice', field: 'region', default: 'north' }
                ],
                files: [{ file: 'records/Contract.json', entity: 'Contract', records: 3 }, { file: 'records/Invoice.json', entity: 'Invoice', records: 1 }]
            }
        });
        expect([...document.querySelectorAll('#fspec-migration li')].map(li => li.textContent)).toEqual([
            'rename_field Contract.buyer → buyer_name', 'convert_field Contract.amount number → int (round)', 'add_field Invoice.region = "north"'
        ]);
        expect(text('#fspec-migration p')).toBe('Migrates records/Contract.json (3 records), records/Invoice.json (1 record).');
    });

    test('without ops the PR says stored records keep their shape; ops on entities with no records say none are stored', async () => {
        for (const migration of [undefined, { ops: [], files: [] }]) {
            await setup({ ...pr, migration });
            expect(text('#fspec-migration h2')).toBe('Migration of stored records');
            expect([...document.querySelectorAll('#fspec-migration :is(p, li)')].map(node => node.textContent)).toEqual(['Stored records keep their shape.']);
        }
        await setup({ ...pr, migration: { ops: [{ op: 'add_field', entity: 'Invoice', field: 'paid', default: false }], files: [] } });
        expect(text('#fspec-migration li')).toBe('add_field Invoice.paid = false');
        expect(text('#fspec-migration p')).toBe('No records of these entities are stored yet.');
    });

    test('both flowcharts are drawn, side by side, from the PR\'s Mermaid texts; a failure shows in its own side', async () => {
        const broken = { ...pr, simulation: { ...pr.simulation, diagrams: { ...pr.simulation.diagrams, before: { ...pr.simulation.diagrams.before, mermaid: 'flowchart LR\n  FAIL' } } } };
        const { posted, renderer } = await setup(pr);
        expect(renderer.calls.map(c => c.mermaid)).toEqual([pr.simulation.diagrams.before.mermaid, pr.simulation.diagrams.after.mermaid]);
        // (What Mermaid draws, highlights included, is checked in Chromium: the stand-in cannot parse labels with <br>.)
        expect([...document.querySelectorAll('figure[data-side] .diagram-body > svg')].map(svg => svg.id)).toEqual(['fake-1', 'fake-2']);
        expect(posted).toEqual([expect.objectContaining({ type: 'rendered', runId: 'run-1' })]);

        const failing = await setup(broken);
        expect(text('figure[data-side="before"] .diagram-body')).toBe('Mermaid could not draw this flowchart: Parse error on line 2');
        expect($('figure[data-side="after"] svg')).not.toBeNull();
        expect(failing.posted[0]).toEqual({ type: 'renderError', runId: 'run-1', side: 'before', message: 'Parse error on line 2' });
    });

    test('a theme change draws both flowcharts again in the new theme', async () => {
        const { renderer } = await setup(pr);
        document.body.className = 'vscode-dark';
        await settle();
        await settle();
        expect(renderer.calls.map(c => c.theme)).toEqual(['light', 'light', 'dark', 'dark']);
        expect($('figure[data-side="after"] svg').dataset.theme).toBe('dark');
    });
});

describe('reviewing', () => {
    test('Approve is sent once, disables the buttons at once, and the outcome replaces them', async () => {
        const { app, posted } = await setup(pr);
        posted.length = 0;
        click(button('approve'));
        click(button('approve'));
        expect(posted).toEqual([{ type: 'approve', runId: 'run-1' }]);
        expect(button('approve').disabled && button('reject').disabled).toBe(true);
        expect(text('.status')).toContain('Approving');
        await app.receive({ type: 'review', runId: 'run-1', review: { phase: 'ended', status: 'grown', message: 'FarmOps grown to 0.3.0 — commit abc1234, tag fspec/FarmOps/v0.3.0' } });
        expect(visible(button('approve')) || visible(button('reject'))).toBe(false);
        expect(text('.status')).toBe('Grown FarmOps grown to 0.3.0 — commit abc1234, tag fspec/FarmOps/v0.3.0');
    });

    test('Reject asks for a reason in the page; Enter sends it, Escape takes it back', async () => {
        const { posted } = await setup(pr);
        posted.length = 0;
        click(button('reject'));
        const reason = $('#fspec-review input') as HTMLInputElement;
        expect(visible(reason) && !visible(button('reject'))).toBe(true);
        expect(button('confirm-reject').disabled).toBe(true);
        reason.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
        expect(visible(reason)).toBe(false);
        click(button('reject'));
        reason.value = '  Not this season ';
        reason.dispatchEvent(new Event('input', { bubbles: true }));
        expect(button('confirm-reject').disabled).toBe(false);
        reason.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        expect(posted).toEqual([{ type: 'reject', runId: 'run-1', reason: 'Not this season' }]);
        expect(button('confirm-reject').disabled).toBe(true);
        expect(text('.status')).toBe('Rejecting…');
    });

    test('a vetoed PR lists the vetoes with their lines, which open the diff, and has no Approve', async () => {
        const { posted } = await setup(vetoed, { phase: 'ended', status: 'vetoed', message: 'Safety vetoed the growth.' });
        expect(text('.meta')).toContain('Vetoed by Safety');
        const veto = vetoed.safety.vetoes[0];
        expect(text('#fspec-safety li')).toBe(`${veto.code} ${veto.message} line ${veto.line}`);
        expect(visible(button('approve'))).toBe(false);
        click(button('approve'));
        click($(`[data-line="${veto.line}"]`));
        click(button('show-diff'));
        expect(posted.filter(m => m.type !== 'rendered')).toEqual([{ type: 'showDiff', line: veto.line }, { type: 'showDiff' }]);
        expect(text('.status')).toBe('Vetoed by Safety Safety vetoed the growth.');
    });
});
