// @vitest-environment jsdom
import { beforeEach, describe, expect, test } from 'vitest';
import { previewLimits } from '../../webviews/src/diagram-renderer.js';
import type { FromWebview, PreviewState, PreviewView, ToWebview } from '../../webviews/src/messages.js';
import { bannerTexts, PreviewApp } from '../../webviews/src/preview-app.js';
import { FakeRenderer } from './fake-renderer.js';

const flowchart = (...steps: string[]) => [
    'flowchart LR', '  subgraph pipeline_orders ["Orders"]', ...steps.map(s => `    step_orders_${s}["${s} step"]`), '  end', '  entity_Order[("Order")]'
].join('\n');
const view: PreviewView = { uri: 'file:///shop.fspec', mode: 'flowchart' };
const pipelines = [{ name: 'orders', label: 'Orders' }, { name: 'billing', label: 'Billing' }];

let renderIds = 0;
function render(mermaid: string, options: Partial<Extract<ToWebview, { type: 'render' }>> = {}): ToWebview {
    return { type: 'render', renderId: ++renderIds, view, mermaid, hasErrors: false, tooLarge: false, pipelines: [], ...options };
}

function setup(saved?: PreviewState, theme = 'vscode-light') {
    document.body.replaceChildren();
    document.body.className = theme;
    const posted: FromWebview[] = [];
    const host = { state: saved, postMessage: (m: FromWebview) => posted.push(m), getState: () => host.state, setState: (s: PreviewState) => { host.state = s; } };
    const renderer = new FakeRenderer();
    const app = new PreviewApp(host, renderer.render, document);
    return { app, posted, host, renderer };
}

const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const labels = () => [...document.querySelectorAll('#fspec-stage [data-fspec-node]')].map(e => e.textContent);
const banner = () => $('#fspec-banner')!;
const click = (element: Element) => element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
const stageScale = () => Number(/scale\(([^)]+)\)/.exec($('#fspec-stage')!.style.transform)?.[1] ?? 1);

beforeEach(() => {
    renderIds = 0;
});

describe('drawing updates', () => {
    test('a render shows the diagram with every node marked by its id, and reports it', async () => {
        const { app, posted } = setup();
        await app.receive(render(flowchart('take', 'pack')));
        expect(labels()).toEqual(['Orders', 'take step', 'pack step', 'Order']);
        expect($('[data-fspec-node="step_orders_pack"]')?.textContent).toBe('pack step');
        expect(banner().hidden).toBe(true);
        expect(posted).toContainEqual(expect.objectContaining({ type: 'rendered', renderId: 1, mode: 'flowchart', nodeCount: 3 }));
    });

    test('while the spec has errors the last good diagram stays, under an error banner', async () => {
        const { app, renderer } = setup();
        await app.receive(render(flowchart('take', 'pack')));
        await app.receive(render(flowchart('take'), { hasErrors: true }));
        expect(labels()).toContain('pack step');
        expect(renderer.calls).toHaveLength(1);
        expect(banner().hidden).toBe(false);
        expect(banner().className).toBe('error');
        expect(banner().textContent).toBe(bannerTexts.specErrors);
        // Fixed again: the new diagram replaces it and the banner goes.
        await app.receive(render(flowchart('take', 'ship')));
        expect(labels()).toContain('ship step');
        expect(banner().hidden).toBe(true);
    });

    test('an update that leaves the diagram as it is draws nothing, and still reports it', async () => {
        const { app, posted, renderer } = setup();
        await app.receive(render(flowchart('take', 'pack')));
        const svg = $('#fspec-stage svg');
        await app.receive(render(flowchart('take', 'pack')));
        expect(renderer.calls).toHaveLength(1);
        expect($('#fspec-stage svg')).toBe(svg);
        expect(posted.filter(m => m.type === 'rendered')).toEqual([
            expect.objectContaining({ renderId: 1, nodeCount: 3 }), expect.objectContaining({ renderId: 2, nodeCount: 3 })
        ]);
        // Another view with the same text, or the same text after a theme change, is drawn.
        await app.receive(render(flowchart('take', 'pack'), { view: { ...view, pipeline: 'orders' } }));
        expect(renderer.calls).toHaveLength(2);
    });

    test('updates that arrive while Mermaid is busy are drawn only as the latest of them', async () => {
        const { app, renderer } = setup();
        let release!: () => void;
        renderer.hold = new Promise(resolve => release = resolve);
        const first = app.receive(render(flowchart('take')));
        await new Promise(resolve => setTimeout(resolve, 0));
        expect(renderer.calls).toHaveLength(1);
        const later = ['pack', 'ship', 'bill'].map(step => app.receive(render(flowchart(step))));
        renderer.hold = undefined;
        release();
        await Promise.all([first, ...later]);
        expect(renderer.calls.map(c => c.mermaid)).toEqual([flowchart('take'), flowchart('bill')]);
        expect(labels()).toContain('bill step');
    });

    test('a spec opened with errors still shows what parsed, saying so', async () => {
        const { app } = setup();
        await app.receive(render(flowchart('take'), { hasErrors: true }));
        expect(labels()).toContain('take step');
        expect(banner().textContent).toBe(bannerTexts.partial);
    });

    test('when Mermaid fails the last diagram stays and the banner says why', async () => {
        const { app, posted } = setup();
        await app.receive(render(flowchart('take')));
        await app.receive(render(flowchart('FAIL')));
        expect(labels()).toContain('take step');
        expect(banner().textContent).toContain('Parse error on line 2');
        expect(banner().textContent).toContain(bannerTexts.keptLast);
        expect(posted).toContainEqual(expect.objectContaining({ type: 'renderError', renderId: 2, tooLarge: false }));
    });

    test('a failure in a view not yet shown is never a blank panel', async () => {
        const { app } = setup();
        await app.receive(render(flowchart('take')));
        await app.receive(render('mindmap\n  FAIL', { view: { ...view, mode: 'mindmap' } }));
        expect(labels()).toEqual([]);
        expect($('#fspec-placeholder')!.hidden).toBe(false);
        expect($('#fspec-placeholder')!.textContent).toBe(bannerTexts.failed);
    });
});

describe('large diagrams', () => {
    const huge = flowchart('take') + `\n  %% ${'x'.repeat(previewLimits.maxTextSize)}`;

    test('past the preview\'s limits the panel says so and offers each pipeline', async () => {
        const { app, posted, renderer } = setup();
        await app.receive(render(huge, { tooLarge: true, pipelines }));
        expect(renderer.calls).toHaveLength(0);
        expect($('#fspec-placeholder')!.textContent).toBe(bannerTexts.tooLarge);
        const choices = [...banner().querySelectorAll<HTMLElement>('[data-pipeline]')];
        expect(choices.map(c => c.textContent)).toEqual(['Orders', 'Billing']);
        click(choices[1]);
        expect(posted).toContainEqual({ type: 'showPipeline', pipeline: 'billing' });
        expect(posted).toContainEqual(expect.objectContaining({ type: 'renderError', tooLarge: true }));
    });

    test('beyond Mermaid\'s defaults but within the preview\'s limits it draws, and still offers pipelines', async () => {
        const { app } = setup();
        await app.receive(render(flowchart('take'), { tooLarge: true, pipelines }));
        expect(labels()).toContain('take step');
        expect(banner().className).toBe('info');
        expect(banner().querySelectorAll('[data-pipeline]')).toHaveLength(2);
    });
});

describe('talking to the editor', () => {
    test('clicking a node (on its label) asks to reveal that node', async () => {
        const { app, posted } = setup();
        await app.receive(render(flowchart('take', 'pack')));
        click($('[data-fspec-node="step_orders_pack"] text')!);
        click($('[data-fspec-node="pipeline_orders"] rect')!);
        expect(posted.filter(m => m.type === 'reveal')).toEqual([
            { type: 'reveal', nodeId: 'step_orders_pack' }, { type: 'reveal', nodeId: 'pipeline_orders' }
        ]);
    });

    test('the cursor\'s node is highlighted, and stays highlighted across updates', async () => {
        const { app } = setup();
        await app.receive(render(flowchart('take', 'pack')));
        await app.receive({ type: 'highlight', nodeId: 'step_orders_take' });
        expect([...document.querySelectorAll('.fspec-highlight')].map(e => e.textContent)).toEqual(['take step']);
        await app.receive(render(flowchart('take', 'pack', 'ship')));
        expect([...document.querySelectorAll('.fspec-highlight')].map(e => e.textContent)).toEqual(['take step']);
        await app.receive({ type: 'highlight', nodeId: null });
        expect(document.querySelectorAll('.fspec-highlight')).toHaveLength(0);
    });

    test('toolbar buttons ask for a mode, an export or the whole flowchart', async () => {
        const { app, posted } = setup();
        await app.receive(render(flowchart('take'), { view: { ...view, pipeline: 'orders' } }));
        expect($('[data-mode="flowchart"]')!.getAttribute('aria-pressed')).toBe('true');
        expect($('.pipeline')!.hidden).toBe(false);
        click($('[data-mode="mindmap"]')!);
        click($('[data-mode="flowchart"]')!);
        click($('[data-action="export-png"]')!);
        click($('[data-action="all-pipelines"]')!);
        expect(posted.filter(m => m.type !== 'rendered')).toEqual([
            { type: 'switchMode', mode: 'mindmap' }, { type: 'exportRequest', format: 'png' }, { type: 'showPipeline', pipeline: null }
        ]);
    });
});

describe('zoom, scroll and reload', () => {
    test('zoom survives an update of the same view; another view starts fitted', async () => {
        const { app } = setup();
        await app.receive(render(flowchart('take')));
        click($('[data-action="zoom-in"]')!);
        click($('[data-action="zoom-in"]')!);
        expect(stageScale()).toBeCloseTo(1.5625);
        expect($('.zoom-level')!.textContent).toBe('156%');
        await app.receive(render(flowchart('take', 'pack')));
        expect(stageScale()).toBeCloseTo(1.5625);
        await app.receive(render('mindmap\n  spec_Shop(("Shop"))', { view: { ...view, mode: 'mindmap' } }));
        expect(stageScale()).toBe(1);
    });

    test('after a reload the first diagram of the saved view gets the saved zoom and scroll back', async () => {
        const first = setup();
        await first.app.receive(render(flowchart('take')));
        click($('[data-action="zoom-out"]')!);
        const saved = first.host.state!;
        expect(saved).toMatchObject({ ...view, transform: { scale: 0.8 } });
        const second = setup(saved);
        await second.app.receive(render(flowchart('take')));
        expect(stageScale()).toBeCloseTo(0.8);
    });

    test('a theme change redraws the diagram in Mermaid\'s matching theme, keeping the zoom', async () => {
        const { app, renderer } = setup();
        await app.receive(render(flowchart('take')));
        click($('[data-action="zoom-in"]')!);
        document.body.className = 'vscode-high-contrast vscode-high-contrast-light';
        await expect.poll(() => renderer.calls.map(c => c.theme)).toEqual(['light', 'high-contrast-light']);
        await expect.poll(() => $('#fspec-stage svg')?.getAttribute('data-theme')).toBe('high-contrast-light');
        expect(stageScale()).toBeCloseTo(1.25);
    });
});

describe('export', () => {
    test('exports a standalone SVG drawn in the light theme even when VS Code is dark', async () => {
        const { app, posted, renderer } = setup(undefined, 'vscode-dark');
        await app.receive(render(flowchart('take')));
        await app.receive({ type: 'export', requestId: 7, format: 'svg' });
        expect(renderer.calls.map(c => c.theme)).toEqual(['dark', 'light']);
        const answer = posted.find(m => m.type === 'exported');
        expect(answer).toMatchObject({ type: 'exported', requestId: 7, format: 'svg' });
        const xml = Buffer.from((answer as { base64: string }).base64, 'base64').toString('utf8');
        expect(xml).toMatch(/^<\?xml[^>]*>\n<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        expect(xml).toContain('width="400"');
        expect(xml).toContain('take step');
        expect(xml).not.toContain('data-fspec-node');
    });

    test('an export sent right after a diagram waits for it to be drawn', async () => {
        const { app, posted } = setup();
        void app.receive(render(flowchart('take')));
        await app.receive({ type: 'export', requestId: 3, format: 'svg' });
        expect(posted.map(m => m.type)).toEqual(['rendered', 'exported']);
    });

    test('an export before any diagram fails with a reason instead of hanging', async () => {
        const { app, posted } = setup();
        await app.receive({ type: 'export', requestId: 1, format: 'png' });
        expect(posted).toEqual([{ type: 'exportFailed', requestId: 1, message: 'There is no diagram to export yet.' }]);
    });
});
