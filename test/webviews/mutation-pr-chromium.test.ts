import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNonce, previewHtml } from '../../extension/src/preview/preview-html.js';
import type { MutationPr } from '../../language-server/src/protocol.js';
import type { FromPrWebview, PrReview, ToPrWebview } from '../../webviews/src/messages.js';
import { farmPr, vetoedDesire } from '../extension/crew/mutation-pr-fixture.js';
import { requireChromium } from '../system-tools.js';

/**
 * The shipped mutation PR bundle (out/webviews/mutation-pr.js, Mermaid inside) in headless
 * Chromium, on the page the extension builds, under its Content Security Policy, with a stand-in
 * for VS Code's webview API. Needs a Chromium and `npm run build`; skipped without Chromium.
 */
const bundle = path.resolve(import.meta.dirname, '../../out/webviews');
const origin = 'https://webview.fspec.test';

declare global {
    interface Window {
        /** What the page posted to the extension. */
        fromPr: FromPrWebview[];
        violations: string[];
    }
}

let browser: Browser;
let pr: MutationPr;
let vetoed: MutationPr;

beforeAll(async () => {
    expect(fs.existsSync(path.join(bundle, 'mutation-pr.js')), 'out/webviews/mutation-pr.js exists (run npm run build)').toBe(true);
    browser = await chromium.launch({ executablePath: requireChromium(), args: ['--no-sandbox', '--disable-gpu'] });
    [pr, vetoed] = await Promise.all([farmPr(), farmPr(vetoedDesire, 'run-v')]);
}, 60_000);

afterAll(() => browser?.close());

/** The PR view as VS Code would show it, sent its PR, with both flowcharts drawn. */
async function openPr(shown: MutationPr, review: PrReview = { phase: 'open' }, theme = 'vscode-light'): Promise<Page & { errors: string[] }> {
    const page = Object.assign(await browser.newPage({ viewport: { width: 1400, height: 900 } }), { errors: [] as string[] });
    const html = previewHtml({ cspSource: origin, scriptUri: `${origin}/mutation-pr.js`, styleUri: `${origin}/mutation-pr.css`, nonce: createNonce() })
        .replace('<body>', `<body class="${theme}">`);
    await page.route(`${origin}/**`, route => {
        const name = new URL(route.request().url()).pathname.slice(1);
        if (name === 'index.html') {
            return route.fulfill({ contentType: 'text/html', body: html });
        }
        const file = path.join(bundle, path.basename(name));
        return fs.existsSync(file) ? route.fulfill({ path: file, contentType: name.endsWith('.css') ? 'text/css' : 'text/javascript' }) : route.abort();
    });
    await page.addInitScript(() => {
        window.fromPr = [];
        window.violations = [];
        document.addEventListener('securitypolicyviolation', e => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        Object.assign(window, { acquireVsCodeApi: () => ({ postMessage: (message: FromPrWebview) => window.fromPr.push(message) }) });
    });
    page.on('pageerror', error => page.errors.push(error.message));
    await page.goto(`${origin}/index.html`);
    await waitFor(page, 'ready');
    await send(page, { type: 'pr', pr: shown, review });
    await waitFor(page, 'rendered');
    return page;
}

function send(page: Page, message: ToPrWebview): Promise<void> {
    // Passed on as unknown: Playwright's argument type cannot unfold the recursive JSON type of a migration's defaults.
    return page.evaluate(m => window.postMessage(m, '*'), message as unknown);
}

async function waitFor<T extends FromPrWebview['type']>(page: Page, type: T): Promise<Extract<FromPrWebview, { type: T }>> {
    const handle = await page.waitForFunction(t => window.fromPr.findLast(m => m.type === t), type, { timeout: 90_000 });
    return handle.jsonValue() as Promise<Extract<FromPrWebview, { type: T }>>;
}

const posted = (page: Page) => page.evaluate(() => window.fromPr.filter(m => m.type !== 'ready' && m.type !== 'rendered'));
/** The labels of the nodes drawn with a highlight class on one side. */
const highlighted = (page: Page, side: string, as: string) =>
    page.$$eval(`figure[data-side="${side}"] svg g.node.${as}`, nodes => nodes.map(n => (n.textContent ?? '').trim()));

async function expectClean(page: Page & { errors: string[] }): Promise<void> {
    expect(await page.evaluate(() => window.violations)).toEqual([]);
    expect(page.errors).toEqual([]);
}

describe('the bundled mutation PR view in Chromium', () => {
    test('draws the flowchart before and after side by side, the added elements highlighted; Approve is sent once', async () => {
        const page = await openPr(pr);
        expect(await posted(page)).toEqual([]);
        const boxes = await page.$$eval('figure[data-side] svg', svgs => svgs.map(svg => {
            const { x, y, width } = svg.getBoundingClientRect();
            return { side: svg.closest('figure')!.dataset.side, x, y, width };
        }));
        expect(boxes.map(b => b.side)).toEqual(['before', 'after']);
        // Side by side: the same top, the after one to the right, both drawn.
        expect(boxes[1].y).toBe(boxes[0].y);
        expect(boxes[1].x).toBeGreaterThan(boxes[0].x + boxes[0].width);
        expect(boxes.every(b => b.width > 100)).toBe(true);

        expect(await highlighted(page, 'after', 'added')).toEqual(expect.arrayContaining(['Shortfall alerts', 'Weather service']));
        expect(await highlighted(page, 'before', 'added')).toEqual([]);
        // The highlight is drawn: Mermaid applies the classDef's green border to the node's shape.
        const stroke = await page.$eval('figure[data-side="after"] [data-fspec-node="step_contract_allocation_shortfall_alerts"] :is(rect, path)', shape => getComputedStyle(shape).stroke);
        expect(stroke).toBe('rgb(26, 127, 55)');
        expect(await page.$$eval('figure[data-side="before"] [data-fspec-node="step_contract_allocation_shortfall_alerts"]', n => n.length)).toBe(0);

        await page.click('[data-action="approve"]');
        expect(await page.$eval('[data-action="approve"]', b => (b as HTMLButtonElement).disabled)).toBe(true);
        await page.click('[data-action="approve"]', { force: true });
        expect(await posted(page)).toEqual([{ type: 'approve', runId: 'run-1' }]);
        await send(page, { type: 'review', runId: 'run-1', review: { phase: 'ended', status: 'grown', message: 'FarmOps grown to 0.3.0 — commit abc1234, tag fspec/FarmOps/v0.3.0' } });
        await page.waitForSelector('[data-action="approve"]', { state: 'hidden' });
        expect(await page.isVisible('[data-action="reject"]') || await page.isVisible('#fspec-review input')).toBe(false);
        expect(await page.textContent('#fspec-review .status')).toBe('Grown FarmOps grown to 0.3.0 — commit abc1234, tag fspec/FarmOps/v0.3.0');
        await expectClean(page);
        await page.close();
    }, 180_000);

    test('at actual size the flowcharts are wider than their columns and scroll together', async () => {
        const page = await openPr(pr);
        const widths = () => page.$$eval('figure[data-side] .diagram-body', bodies => bodies.map(b => ({ body: b.clientWidth, svg: b.querySelector('svg')!.getBoundingClientRect().width })));
        expect((await widths()).every(w => w.svg <= w.body)).toBe(true);
        await page.click('[data-action="toggle-size"]');
        expect(await page.textContent('[data-action="toggle-size"]')).toBe('Fit to width');
        expect((await widths()).every(w => w.svg > w.body)).toBe(true);
        await page.$eval('figure[data-side="before"] .diagram-body', body => { body.scrollLeft = 300; });
        await page.waitForFunction(() => document.querySelector('figure[data-side="after"] .diagram-body')!.scrollLeft === 300);
        await expectClean(page);
        await page.close();
    }, 180_000);

    test('Reject asks for a reason in the page and sends it', async () => {
        const page = await openPr(pr);
        expect(await page.isVisible('#fspec-review input')).toBe(false);
        await page.click('[data-action="reject"]');
        expect(await page.isDisabled('[data-action="confirm-reject"]')).toBe(true);
        await page.fill('#fspec-review input', 'Not before the harvest');
        await page.click('[data-action="confirm-reject"]');
        expect(await posted(page)).toEqual([{ type: 'reject', runId: 'run-1', reason: 'Not before the harvest' }]);
        expect(await page.isDisabled('[data-action="confirm-reject"]')).toBe(true);
        await expectClean(page);
        await page.close();
    }, 180_000);

    test('a vetoed PR shows its vetoes and no Approve; a veto\'s line asks for the diff there', async () => {
        const page = await openPr(vetoed, { phase: 'ended', status: 'vetoed', message: 'Safety vetoed the growth of FarmOps.' }, 'vscode-dark');
        expect(await page.isVisible('[data-action="approve"]')).toBe(false);
        expect(await page.isVisible('[data-action="reject"]')).toBe(false);
        expect(await page.isVisible('#fspec-review input')).toBe(false);
        // In a dark theme the highlighted gate's label is dark on its light fill; the others are light.
        const labelColours = await page.$$eval('figure[data-side="after"] g.node .nodeLabel', labels => labels.map(l => ({
            added: l.closest('g.node')!.classList.contains('added'), colour: getComputedStyle(l).color
        })));
        const added = labelColours.filter(l => l.added);
        expect(added).toHaveLength(1);
        expect(brightness(added[0].colour)).toBeLessThan(64);
        expect(labelColours.filter(l => !l.added).every(l => brightness(l.colour) > 128)).toBe(true);
        const veto = vetoed.safety.vetoes[0];
        expect(await page.textContent('#fspec-safety li')).toContain(veto.message);
        await page.click(`[data-line="${veto.line}"]`);
        expect(await posted(page)).toEqual([{ type: 'showDiff', line: veto.line }]);
        await expectClean(page);
        await page.close();
    }, 180_000);
});

/** 0–255 brightness of a CSS rgb() colour. */
function brightness(color: string): number {
    const [r, g, b] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    return (r + g + b) / 3;
}
