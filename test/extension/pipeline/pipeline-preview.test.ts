import { beforeEach, describe, expect, test, vi } from 'vitest';
import { registerPreview, type Previews } from '../../../extension/src/preview/preview-manager.js';
import { parsePipeline } from '../../../language-server/src/crew/engine/index.js';
import type { RenderPipelineResult } from '../../../language-server/src/protocol.js';
import { renderPipelineFlowchart } from '../../../language-server/src/render/pipeline-flowchart.js';
import { fake, Uri, window, workspace, type FakeEditor } from '../../webviews/fake-vscode.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

/** The preview of a `.dot` pipeline: the same panel as a spec's, drawn from `fspec/renderPipeline`, without modes. */
const text = 'digraph review {\n  start [shape=Mdiamond]\n  gate [shape=hexagon, label="Ship it?"]\n  done [shape=Msquare]\n  start -> gate -> done\n}\n';
const uri = 'file:///work/flows/review.dot';
const spec = 'file:///work/farm-ops.fspec';

class FakeClient {
    readonly requests: Array<{ method: string; params: Record<string, unknown> }> = [];
    run?: { current?: string; completed: string[]; failed: string[] };

    async sendRequest(type: { method: string }, params: Record<string, unknown>): Promise<unknown> {
        this.requests.push({ method: type.method, params });
        if (type.method === 'fspec/renderPipeline') {
            const { graph, sourceMap } = parsePipeline(text);
            return { diagram: renderPipelineFlowchart(graph!, sourceMap, this.run), hasErrors: false, tooLarge: false } satisfies RenderPipelineResult;
        }
        return { diagram: { mode: params.mode, mermaid: 'flowchart LR\n  a["spec"]\n', nodeRanges: {} }, hasErrors: false, tooLarge: false };
    }

    onNotification() {
        return { dispose: () => undefined };
    }
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));
const editor = (path: string, languageId: string): FakeEditor => ({ ...fake.editor(path), document: { uri: Uri.file(path), languageId } });
let client: FakeClient;
let previews: Previews;

beforeEach(() => {
    fake.reset();
    client = new FakeClient();
    previews = registerPreview({ subscriptions: [], extensionUri: Uri.file('/ext') } as never, client as never, { trace() {}, debug() {}, info() {}, warn() {} } as never);
});

describe('the pipeline preview', () => {
    test('Open Pipeline Preview draws the active pipeline from fspec/renderPipeline, titled as a pipeline', async () => {
        fake.document('/work/flows/review.dot', text, 'attractor-dot');
        window.activeTextEditor = editor('/work/flows/review.dot', 'attractor-dot');
        await fake.commands.get('fspec.pipeline.preview')!();
        const panel = fake.panels[0];
        panel.say({ type: 'ready' });
        await settle();
        expect(client.requests).toEqual([{ method: 'fspec/renderPipeline', params: { uri } }]);
        expect(panel.title).toBe('review.dot · Pipeline');
        const [render] = panel.sent('render');
        expect(render.view).toEqual({ uri, mode: 'flowchart', kind: 'pipeline' });
        expect(render.mermaid).toContain('gate{{"Ship it?"}}');

        // A run's events redraw it with the run's nodes.
        client.run = { current: 'gate', completed: ['start'], failed: [] };
        previews.pipelineChanged(uri);
        await settle();
        expect(panel.sent('render').at(-1)!.mermaid).toContain('  class gate current');

        // Modes belong to specs.
        await fake.commands.get('fspec.preview.switchMode')!('mindmap');
        expect(fake.messages).toEqual([{ kind: 'information', text: 'A pipeline has one view, its flowchart.' }]);
        panel.say({ type: 'switchMode', mode: 'board' });
        await settle();
        expect(client.requests.every(r => r.method === 'fspec/renderPipeline')).toBe(true);
    });

    test('the preview follows the editor from a spec to a pipeline and back to the spec\'s mode', async () => {
        window.activeTextEditor = editor('/work/farm-ops.fspec', 'fspec');
        await fake.commands.get('fspec.preview.openToSide')!();
        const panel = fake.panels[0];
        panel.say({ type: 'ready' });
        panel.say({ type: 'switchMode', mode: 'mindmap' });
        await settle();
        fake.activeEditorChanged.fire(editor('/work/flows/review.dot', 'attractor-dot'));
        await settle();
        expect(panel.title).toBe('review.dot · Pipeline');
        fake.activeEditorChanged.fire(editor('/work/farm-ops.fspec', 'fspec'));
        await settle();
        expect(client.requests.map(r => [r.method, r.params.uri, r.params.mode])).toEqual([
            ['fspec/render', spec, 'flowchart'], ['fspec/render', spec, 'mindmap'], ['fspec/renderPipeline', uri, undefined], ['fspec/render', spec, 'mindmap']
        ]);
        expect(workspace.textDocuments).toEqual([]);
    });
});
