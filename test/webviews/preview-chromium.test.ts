import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSpec } from '../../bench/spec-generator.js';
import { createNonce, previewHtml } from '../../extension/src/preview/preview-html.js';
import { exceedsMermaidLimits, renderDiagram, type Diagram, type DiagramMode } from '../../language-server/src/render/index.js';
import type { FromWebview, PreviewState, PreviewView, ToWebview } from '../../webviews/src/messages.js';
import { exampleGraph, graphOf } from '../render/spec-graphs.js';
import { requireChromium } from '../system-tools.js';

/**
 * The shipped bundle (out/webviews/preview.js, Mermaid inside) in headless Chromium, on the page
 * the extension builds, under its Content Security Policy, with a stand-in for VS Code's webview
 * API. Needs a Chromium (`apt-get install chromium`; npm test installs it as root) and `npm run build`.
 */
const bundle = path.resolve(import.meta.dirname, '../../out/webviews');
const origin = 'https://webview.fspec.test';
const farmUri = 'file:///examples/farm-ops.fspec';

declare global {
    interface Window {
        posted: FromWebview[];
        violations: string[];
    }
}

let browser: Browser;
let farm: Record<DiagramMode, Diagram>;

beforeAll(async () => {
    expect(fs.existsSync(path.join(bundle, 'preview.js')), 'out/webviews/preview.js exists (run npm run build)').toBe(true);
    browser = await chromium.launch({ executablePath: requireChromium(), args: ['--no-sandbox', '--disable-gpu'] });
    const graph = await exampleGraph('farm');
    farm = { flowchart: renderDiagram(graph, 'flowchart'), mindmap: renderDiagram(graph, 'mindmap'), board: renderDiagram(graph, 'board'), lineage: renderDiagram(graph, 'lineage') };
}, 60_000);

afterAll(() => browser?.close());

/** A preview page as VS Code would show it: the theme class on <body>, state kept across reloads (here in sessionStorage). */
async function openPreview(theme = 'vscode-light'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const html = previewHtml({ cspSource: origin, scriptUri: `${origin}/preview.js`, styleUri: `${origin}/preview.css`, nonce: createNonce() })
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
        window.posted = [];
        window.violations = [];
        document.addEventListener('securitypolicyviolation', e => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        Object.assign(window, {
            acquireVsCodeApi: () => ({
                postMessage: (message: FromWebview) => window.posted.push(message),
                getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null') ?? undefined,
                setState: (state: PreviewState) => sessionStorage.setItem('state', JSON.stringify(state))
            })
        });
    });
    const errors: string[] = [];
    page.on('pageerror', error => errors.push(error.message));
    (page as Page & { errors: string[] }).errors = errors;
    await page.goto(`${origin}/index.html`);
    await waitFor(page, 'ready');
    return page;
}

let renderIds = 0;
async function show(page: Page, diagram: Diagram, options: Partial<Extract<ToWebview, { type: 'render' }>> = {}): Promise<FromWebview> {
    const renderId = ++renderIds;
    const view: PreviewView = { uri: farmUri, mode: diagram.mode };
    await send(page, { type: 'render', renderId, view, mermaid: diagram.mermaid, hasErrors: false, tooLarge: false, pipelines: [], ...options });
    return page.waitForFunction(id => window.posted.find(m => (m.type === 'rendered' || m.type === 'renderError') && m.renderId === id), renderId, { timeout: 90_000 })
        .then(handle => handle.jsonValue() as Promise<FromWebview>);
}

function send(page: Page, message: ToWebview): Promise<void> {
    return page.evaluate(m => window.postMessage(m, '*'), message);
}

async function waitFor<T extends FromWebview['type']>(page: Page, type: T): Promise<Extract<FromWebview, { type: T }>> {
    const handle = await page.waitForFunction(t => window.posted.findLast(m => m.type === t), type, { timeout: 30_000 });
    return handle.jsonValue() as Promise<Extract<FromWebview, { type: T }>>;
}

const posted = (page: Page) => page.evaluate(() => window.posted);
const nodeTexts = (page: Page) => page.$$eval('#fspec-stage svg [data-fspec-node]', nodes => nodes.map(n => (n.textContent ?? '').replace(/\s+/g, ' ').trim()));
const stageTransform = (page: Page) => page.$eval('#fspec-stage', stage => stage.style.transform);

async function expectClean(page: Page): Promise<void> {
    expect(await page.evaluate(() => window.violations)).toEqual([]);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
}

describe('the bundled preview in Chromium', () => {
    test('draws the farm flowchart under the strict CSP, and a click on a node asks to reveal it', async () => {
        const page = await openPreview();
        const rendered = await show(page, farm.flowchart);
        expect(rendered).toMatchObject({ type: 'rendered', mode: 'flowchart' });
        expect((rendered as { nodeCount: number }).nodeCount).toBe(21);
        const texts = await nodeTexts(page);
        for (const label of ['Contract allocation', 'Yield forecast', 'PHI gate', 'Allocate to contracts', 'Invoices', 'Buyer contracts']) {
            expect(texts.some(t => t.startsWith(label)), label).toBe(true);
        }
        await page.click('[data-fspec-node="gate_contract_allocation_phi_gate"]');
        expect(await waitFor(page, 'reveal')).toEqual({ type: 'reveal', nodeId: 'gate_contract_allocation_phi_gate' });
        await send(page, { type: 'highlight', nodeId: 'step_contract_allocation_surplus' });
        await page.waitForSelector('.fspec-highlight');
        expect(await page.$eval('.fspec-highlight', node => node.textContent)).toContain('Surplus allocator');
        await expectClean(page);
        await page.close();
    }, 120_000);

    test('every node with a source range is clickable in all four modes, mapped to the right element', async () => {
        const page = await openPreview();
        for (const diagram of Object.values(farm)) {
            expect(await show(page, diagram)).toMatchObject({ type: 'rendered', mode: diagram.mode });
            const marked = await page.$$eval('#fspec-stage [data-fspec-node]', nodes => nodes.map(n => n.getAttribute('data-fspec-node')));
            expect(marked, diagram.mode).toEqual(expect.arrayContaining(Object.keys(diagram.nodeRanges)));
            expect(await page.$eval('#fspec-toolbar [aria-pressed="true"]', b => b.getAttribute('data-mode'))).toBe(diagram.mode);
        }
        // Mindmap elements are numbered, not named: the mapping must land on the right one.
        await show(page, farm.mindmap);
        expect(await page.$eval('[data-fspec-node="purpose"]', n => n.textContent)).toBe('Farm planning and evidence aware operations');
        expect(await page.$eval('[data-fspec-node="section_morph_rules"]', n => n.textContent)).toBe('Morph rules');
        await expectClean(page);
        await page.close();
    }, 120_000);

    test('drag pans and Ctrl+wheel zooms without revealing; an update keeps the view; a reload restores it', async () => {
        const page = await openPreview();
        await show(page, farm.flowchart);
        const fitted = await stageTransform(page);
        const box = (await page.$('[data-fspec-node="step_contract_allocation_allocate"]'))!.boundingBox();
        const { x, y } = (await box)!;
        await page.mouse.move(x + 5, y + 5);
        await page.mouse.down();
        await page.mouse.move(x + 105, y + 65, { steps: 5 });
        await page.mouse.up();
        await page.mouse.move(600, 400);
        await page.keyboard.down('Control');
        await page.mouse.wheel(0, -300);
        await page.keyboard.up('Control');
        const moved = await stageTransform(page);
        expect(moved).not.toBe(fitted);
        expect((await posted(page)).filter(m => m.type === 'reveal')).toEqual([]);
        await show(page, farm.flowchart);
        expect(await stageTransform(page)).toBe(moved);
        await page.reload();
        await waitFor(page, 'ready');
        await show(page, farm.flowchart);
        expect(await stageTransform(page)).toBe(moved);
        await page.close();
    }, 120_000);

    test('in a dark theme, exports are standalone and light: an SVG file, and a PNG on white', async () => {
        const page = await openPreview('vscode-dark');
        await show(page, farm.flowchart);
        // The preview itself is dark: Mermaid's dark theme fills nodes with a dark colour.
        const fill = await page.$eval('[data-fspec-node="step_contract_allocation_allocate"] :is(rect, path)', shape => getComputedStyle(shape).fill);
        expect(brightness(fill)).toBeLessThan(128);

        await send(page, { type: 'export', requestId: 1, format: 'svg' });
        const svgAnswer = await page.waitForFunction(() => window.posted.find(m => m.type === 'exported' || m.type === 'exportFailed'), null, { timeout: 30_000 }).then(h => h.jsonValue());
        expect(svgAnswer).toMatchObject({ type: 'exported', requestId: 1, format: 'svg' });
        const xml = Buffer.from((svgAnswer as { base64: string }).base64, 'base64').toString('utf8');
        expect(xml).toContain('xmlns="http://www.w3.org/2000/svg"');
        expect(xml).toMatch(/<svg [^>]*width="\d+(\.\d+)?"[^>]*height="\d+(\.\d+)?"|<svg [^>]*height="\d+(\.\d+)?"[^>]*width="\d+(\.\d+)?"/);
        expect(xml).toContain('PHI gate');
        expect(await page.evaluate(text => new DOMParser().parseFromString(text, 'image/svg+xml').querySelector('parsererror')?.textContent ?? null, xml)).toBeNull();

        await send(page, { type: 'export', requestId: 2, format: 'png' });
        const pngAnswer = await page.waitForFunction(() => window.posted.find(m => (m.type === 'exported' || m.type === 'exportFailed') && m.requestId === 2), null, { timeout: 30_000 }).then(h => h.jsonValue());
        expect(pngAnswer).toMatchObject({ type: 'exported', requestId: 2, format: 'png' });
        const png = Buffer.from((pngAnswer as { base64: string }).base64, 'base64');
        expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        const svgWidth = Number(/<svg [^>]*width="([\d.]+)"/.exec(xml)![1]);
        expect(png.readUInt32BE(16)).toBe(Math.round(svgWidth * 2));
        // Decoded in the page: the corner is white, and the image has dark text and lines on it.
        const pixels = await page.evaluate(async base64 => {
            const image = new Image();
            image.src = `data:image/png;base64,${base64}`;
            await image.decode();
            const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
            const context = canvas.getContext('2d')!;
            context.drawImage(image, 0, 0);
            const data = context.getImageData(0, 0, image.width, image.height).data;
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) {
                dark += data[i] + data[i + 1] + data[i + 2] < 200 ? 1 : 0;
            }
            return { corner: [...data.subarray(0, 4)], dark };
        }, (pngAnswer as { base64: string }).base64);
        expect(pixels.corner).toEqual([255, 255, 255, 255]);
        expect(pixels.dark).toBeGreaterThan(1000);
        await expectClean(page);
        await page.close();
    }, 120_000);

    test('a 300-node flowchart renders, with the per-pipeline view offered', async () => {
        const large = renderDiagram(await graphOf(generateSpec(1200)), 'flowchart');
        expect(Object.keys(large.nodeRanges).length).toBeGreaterThanOrEqual(300);
        expect(exceedsMermaidLimits(large)).toBe(true);
        const page = await openPreview();
        const pipelines = [{ name: 'flow0', label: 'Flow 0' }, { name: 'flow1', label: 'Flow 1' }];
        const rendered = await show(page, large, { tooLarge: true, pipelines });
        expect(rendered).toMatchObject({ type: 'rendered', mode: 'flowchart' });
        expect((rendered as { nodeCount: number }).nodeCount).toBeGreaterThanOrEqual(300);
        expect(await page.$$eval('#fspec-banner [data-pipeline]', buttons => buttons.map(b => b.textContent))).toEqual(['Flow 0', 'Flow 1']);
        await page.click('#fspec-banner [data-pipeline="flow1"]');
        expect(await waitFor(page, 'showPipeline')).toEqual({ type: 'showPipeline', pipeline: 'flow1' });
        await expectClean(page);
        await page.close();
    }, 180_000);
});

/** 0–255 brightness of a CSS rgb() colour. */
function brightness(color: string): number {
    const [r, g, b] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    return (r + g + b) / 3;
}
