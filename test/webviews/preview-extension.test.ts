import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { registerPreview } from '../../extension/src/preview/preview-manager.js';
import type { RenderParams, RenderResult } from '../../language-server/src/protocol.js';
import { renderDiagram, type DiagramMode } from '../../language-server/src/render/index.js';
import type { SpecGraph } from '../../language-server/src/model/spec-graph.js';
import { exampleGraph, exampleText, lineOf } from '../render/spec-graphs.js';
import { fake, FakeWebviewPanel, Range, Uri, window, type FakeEditor } from './fake-vscode.js';

vi.mock('vscode', () => import('./fake-vscode.js'));

const farm = 'file:///examples/farm-ops.fspec';
const policy = 'file:///examples/policy-impact.fspec';
let graph: SpecGraph;

/** The language client: answers render and normalize from the farm example, and delivers notifications. */
class FakeClient {
    readonly requests: Array<{ method: string, params: RenderParams }> = [];
    tooLarge = false;
    /** When set, render answers wait for this (to answer out of order). */
    hold?: Promise<void>;
    notify: (params: { uris: string[] }) => void = () => undefined;

    async sendRequest(type: { method: string }, params: RenderParams): Promise<unknown> {
        this.requests.push({ method: type.method, params });
        if (type.method === 'fspec/normalize') {
            return { spec: 'FarmOps', version: '0.2.0', nodes: [{ id: 'pipeline:contract_allocation', kind: 'pipeline', name: 'contract_allocation', attrs: { title: 'Contract allocation' } }], edges: [] };
        }
        const hold = this.hold;
        await hold;
        const diagram = renderDiagram(graph, params.mode, { pipeline: params.pipeline });
        return { diagram: { ...diagram, mermaid: `${diagram.mermaid}%% ${params.uri}\n` }, hasErrors: false, tooLarge: this.tooLarge } satisfies RenderResult;
    }

    renders(): RenderParams[] {
        return this.requests.filter(r => r.method === 'fspec/render').map(r => r.params);
    }

    onNotification(_type: unknown, handler: (params: { uris: string[] }) => void) {
        this.notify = handler;
        return { dispose: () => undefined };
    }
}

let client: FakeClient;
const log = { trace: vi.fn(), debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const run = (command: string, ...args: unknown[]) => fake.commands.get(command)!(...args);
const settle = () => new Promise(resolve => setTimeout(resolve, 0));
const editorOf = (uri: string, line = 0, character = 0): FakeEditor => fake.editor(Uri.parse(uri).path, line, character);

/** Opens the farm preview the way a user does, and lets its webview load. */
async function openFarm(): Promise<FakeWebviewPanel> {
    window.activeTextEditor = editorOf(farm);
    await run('fspec.preview.openToSide');
    const panel = fake.panels.at(-1)!;
    panel.say({ type: 'ready' });
    await settle();
    return panel;
}

beforeAll(async () => {
    graph = await exampleGraph('farm');
});

beforeEach(() => {
    fake.reset();
    client = new FakeClient();
    registerPreview({ subscriptions: [], extensionUri: Uri.file('/ext') } as never, client as never, log as never);
});

afterEach(() => {
    vi.useRealTimers();
});

describe('opening', () => {
    test('a spec gets one panel, on a strict page, and its diagram once the webview is ready', async () => {
        window.activeTextEditor = editorOf(farm);
        await run('fspec.preview.openToSide');
        const panel = fake.panels[0];
        expect(panel.viewType).toBe('fspec.preview');
        expect(panel.webview.options).toMatchObject({ enableScripts: true, localResourceRoots: [Uri.file('/ext/out/webviews')] });
        expect(panel.webview.html).toMatch(/Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[A-Za-z0-9]{32}'/);
        expect(panel.title).toBe('farm-ops.fspec · Flowchart');
        await settle();
        expect(panel.posted).toEqual([]);
        panel.say({ type: 'ready' });
        expect(panel.sent('render')).toEqual([expect.objectContaining({ view: { uri: farm, mode: 'flowchart' }, hasErrors: false, pipelines: [] })]);
        expect(String(panel.sent('render')[0].mermaid)).toContain('Allocate to contracts');
        await run('fspec.preview.openToSide', Uri.parse(farm));
        expect(fake.panels).toHaveLength(1);
    });

    test('the code lens opens the flowchart of one pipeline', async () => {
        await run('fspec.preview', farm, 'contract_allocation');
        expect(client.renders()).toEqual([{ uri: farm, mode: 'flowchart', pipeline: 'contract_allocation' }]);
        expect(fake.panels[0].title).toBe('farm-ops.fspec · contract_allocation');
    });

    test('a reload brings panels back from the state their webviews saved', async () => {
        const restored = new FakeWebviewPanel('fspec.preview');
        await fake.serializer!.deserializeWebviewPanel(restored, { uri: farm, mode: 'mindmap', transform: { scale: 2, x: 0, y: 0 } });
        expect(restored.webview.html).toContain('Content-Security-Policy');
        expect(client.renders()).toEqual([{ uri: farm, mode: 'mindmap' }]);
    });
});

describe('live updates', () => {
    test('edits re-render once the user pauses, after fspec.preview.debounceMs, and only for this spec', async () => {
        fake.settings.set('fspec.preview.debounceMs', 500);
        await openFarm();
        vi.useFakeTimers();
        client.notify({ uris: [farm] });
        await vi.advanceTimersByTimeAsync(300);
        client.notify({ uris: [farm, policy] });
        await vi.advanceTimersByTimeAsync(499);
        expect(client.renders()).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(1);
        expect(client.renders()).toHaveLength(2);
        client.notify({ uris: [policy] });
        await vi.advanceTimersByTimeAsync(1000);
        expect(client.renders()).toHaveLength(2);
    });

    test('the pause is counted from the last edit, so the server\'s rebuild overlaps it', async () => {
        fake.settings.set('fspec.preview.debounceMs', 500);
        await openFarm();
        vi.useFakeTimers();
        fake.edit(farm);
        // The server took 200 ms to rebuild: 300 ms of the pause are left.
        await vi.advanceTimersByTimeAsync(200);
        client.notify({ uris: [farm] });
        await vi.advanceTimersByTimeAsync(299);
        expect(client.renders()).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(1);
        expect(client.renders()).toHaveLength(2);
        // A rebuild slower than the pause renders as soon as it is announced.
        fake.edit(farm);
        await vi.advanceTimersByTimeAsync(800);
        client.notify({ uris: [farm] });
        await vi.advanceTimersByTimeAsync(0);
        expect(client.renders()).toHaveLength(3);
    });

    test('typing on waits for the pause after the last keystroke, and for the rebuild of it', async () => {
        fake.settings.set('fspec.preview.debounceMs', 500);
        await openFarm();
        vi.useFakeTimers();
        fake.edit(farm);
        await vi.advanceTimersByTimeAsync(100);
        client.notify({ uris: [farm] });
        await vi.advanceTimersByTimeAsync(300);
        fake.edit(farm);
        // 500 ms after the first edit: the user typed again 100 ms ago.
        await vi.advanceTimersByTimeAsync(100);
        expect(client.renders()).toHaveLength(1);
        // 500 ms after the last edit, but the server has not announced its rebuild yet: no render of the older model.
        await vi.advanceTimersByTimeAsync(400);
        expect(client.renders()).toHaveLength(1);
        client.notify({ uris: [farm] });
        await vi.advanceTimersByTimeAsync(0);
        expect(client.renders()).toHaveLength(2);
        // Edits in another spec count as typing too, but never hold this preview back once the pause is over.
        fake.edit(policy);
        await vi.advanceTimersByTimeAsync(100);
        client.notify({ uris: [farm, policy] });
        await vi.advanceTimersByTimeAsync(399);
        expect(client.renders()).toHaveLength(2);
        await vi.advanceTimersByTimeAsync(1);
        expect(client.renders()).toHaveLength(3);
    });

    test('a slow answer to an older request never replaces a newer diagram', async () => {
        const panel = await openFarm();
        let release!: () => void;
        client.hold = new Promise(resolve => release = resolve);
        await run('fspec.preview.switchMode', 'lineage');
        client.hold = undefined;
        await run('fspec.preview.switchMode', 'board');
        await settle();
        release();
        await settle();
        expect(panel.sent('render').map(m => (m.view as { mode: DiagramMode }).mode)).toEqual(['flowchart', 'board']);
        expect(panel.title).toBe('farm-ops.fspec · Board');
    });

    test('a hidden panel is not rendered; shown again, it gets the latest diagram', async () => {
        const panel = await openFarm();
        panel.visible = false;
        panel.viewState.fire({});
        client.notify({ uris: [farm] });
        await settle();
        expect(client.renders()).toHaveLength(1);
        panel.visible = true;
        panel.posted.length = 0;
        panel.say({ type: 'ready' });
        await settle();
        expect(client.renders()).toHaveLength(2);
        expect(panel.sent('render')).toHaveLength(2);
    });

    test('a diagram too large for Mermaid comes with the pipelines, and a chosen one is shown alone', async () => {
        client.tooLarge = true;
        const panel = await openFarm();
        expect(panel.sent('render')[0].pipelines).toEqual([{ name: 'contract_allocation', label: 'Contract allocation' }]);
        panel.say({ type: 'showPipeline', pipeline: 'contract_allocation' });
        await settle();
        expect(client.renders().at(-1)).toEqual({ uri: farm, mode: 'flowchart', pipeline: 'contract_allocation' });
    });
});

describe('editor and diagram together', () => {
    test('clicking a node selects its source, in the first column when the spec is not visible', async () => {
        const panel = await openFarm();
        const range = renderDiagram(graph, 'flowchart').nodeRanges.gate_contract_allocation_phi_gate;
        panel.say({ type: 'reveal', nodeId: 'gate_contract_allocation_phi_gate' });
        await settle();
        const selection = new Range(range.start.line, range.start.character, range.end.line, range.end.character);
        expect(fake.shown).toEqual([{ uri: farm, options: { viewColumn: 1, selection } }]);
        window.visibleTextEditors = [{ ...editorOf(farm), viewColumn: 2 }];
        panel.say({ type: 'reveal', nodeId: 'gate_contract_allocation_phi_gate' });
        panel.say({ type: 'reveal', nodeId: 'no_such_node' });
        await settle();
        expect(fake.shown.map(s => s.options.viewColumn)).toEqual([1, 2]);
    });

    test('moving the cursor highlights the innermost node it is in, once per change', async () => {
        const panel = await openFarm();
        const text = exampleText('farm');
        const move = (line: number) => fake.selectionChanged.fire({ textEditor: editorOf(farm, line, 8) });
        move(lineOf(text, 'step surplus'));
        move(lineOf(text, 'step surplus'));
        move(lineOf(text, 'purpose'));
        fake.selectionChanged.fire({ textEditor: editorOf(policy, 3, 0) });
        expect(panel.sent('highlight').map(m => m.nodeId)).toEqual([null, 'step_contract_allocation_surplus', null]);
    });

    test('the preview follows the active spec editor, but one showing a single pipeline stays', async () => {
        const followed = await openFarm();
        fake.activeEditorChanged.fire(editorOf(policy));
        expect(client.renders().at(-1)).toEqual({ uri: policy, mode: 'flowchart' });
        expect(followed.title).toBe('policy-impact.fspec · Flowchart');
        await run('fspec.preview', farm, 'contract_allocation');
        const locked = fake.panels[1];
        fake.activeEditorChanged.fire(editorOf('file:///examples/third.fspec'));
        fake.activeEditorChanged.fire(undefined);
        expect(followed.title).toBe('third.fspec · Flowchart');
        expect(locked.title).toBe('farm-ops.fspec · contract_allocation');
    });

    test('Switch Preview Mode and the panel\'s toolbar change the mode; the title bar knows when a preview is focused', async () => {
        const panel = await openFarm();
        await run('fspec.preview.switchMode', 'mindmap');
        panel.say({ type: 'switchMode', mode: 'lineage' });
        await settle();
        expect(client.renders().map(r => r.mode)).toEqual(['flowchart', 'mindmap', 'lineage']);
        panel.focus(true);
        expect(fake.context.get('fspecPreviewFocus')).toBe(true);
        panel.focus(false);
        expect(fake.context.get('fspecPreviewFocus')).toBe(false);
    });

    test('each drawn diagram is logged with its node count and timing', async () => {
        const panel = await openFarm();
        const { renderId } = panel.sent('render')[0];
        panel.say({ type: 'rendered', renderId, mode: 'flowchart', nodeCount: 21, durationMs: 420 });
        expect(log.debug).toHaveBeenLastCalledWith(expect.stringMatching(/^Preview rendered flowchart: 21 nodes, drawn in 420 ms, \d+ ms from request to SVG$/));
    });
});

describe('export', () => {
    test('the command writes the image the webview sends to the given file', async () => {
        const panel = await openFarm();
        const written = run('fspec.preview.export', { format: 'png', uri: 'file:///out/farm.png' }) as Promise<string | undefined>;
        await settle();
        const [request] = panel.sent('export');
        expect(request).toMatchObject({ format: 'png' });
        panel.say({ type: 'exported', requestId: request.requestId, format: 'png', base64: Buffer.from('PNG bytes').toString('base64') });
        expect(await written).toBe('file:///out/farm.png');
        expect(Buffer.from(fake.files.get('file:///out/farm.png')!).toString()).toBe('PNG bytes');
    });

    test('a hidden panel is shown and loaded before it is asked to export', async () => {
        const panel = await openFarm();
        panel.visible = false;
        panel.viewState.fire({});
        const written = run('fspec.preview.export', { format: 'svg', uri: 'file:///out/farm.svg' }) as Promise<string | undefined>;
        await settle();
        expect(panel.visible).toBe(true);
        expect(panel.sent('export')).toEqual([]);
        panel.posted.length = 0;
        panel.say({ type: 'ready' });
        // The diagram first, so the webview has something to export.
        expect(panel.posted.map(m => (m as { type: string }).type)).toEqual(['render', 'highlight', 'export']);
        panel.say({ type: 'exported', requestId: panel.sent('export')[0].requestId, format: 'svg', base64: Buffer.from('<svg/>').toString('base64') });
        expect(await written).toBe('file:///out/farm.svg');
    });
});
