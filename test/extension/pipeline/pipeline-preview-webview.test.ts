// @vitest-environment jsdom
import { expect, test } from 'vitest';
import { parsePipeline } from '../../../language-server/src/crew/engine/index.js';
import { renderPipelineFlowchart } from '../../../language-server/src/render/pipeline-flowchart.js';
import type { FromWebview, PreviewState } from '../../../webviews/src/messages.js';
import { bannerTexts, PreviewApp } from '../../../webviews/src/preview-app.js';
import { FakeRenderer } from '../../webviews/fake-renderer.js';

const text = 'digraph review {\n  start [shape=Mdiamond]\n  gate [shape=hexagon, label="Ship it?"]\n  done [shape=Msquare]\n  start -> gate -> done\n}\n';
const uri = 'file:///work/flows/review.dot';
const spec = 'file:///work/farm-ops.fspec';

test('the webview hides the mode buttons for a pipeline and shows them for a spec', async () => {
    document.body.replaceChildren();
    const posted: FromWebview[] = [];
    let state: PreviewState | undefined;
    const app = new PreviewApp({ postMessage: m => posted.push(m), getState: () => state, setState: s => { state = s; } }, new FakeRenderer().render, document);
    const modes = () => document.querySelector<HTMLElement>('[data-mode]')!.parentElement!;
    const { graph, sourceMap } = parsePipeline(text);
    const mermaid = renderPipelineFlowchart(graph!, sourceMap).mermaid;
    await app.receive({ type: 'render', renderId: 1, view: { uri, mode: 'flowchart', kind: 'pipeline' }, mermaid, hasErrors: false, tooLarge: false, pipelines: [] });
    expect(modes().hidden).toBe(true);
    expect(state).toMatchObject({ uri, kind: 'pipeline' });
    // A pipeline with errors says so in its own words.
    await app.receive({ type: 'render', renderId: 2, view: { uri, mode: 'flowchart', kind: 'pipeline' }, mermaid: `${mermaid}  x["x"]\n`, hasErrors: true, tooLarge: false, pipelines: [] });
    expect(document.querySelector('#fspec-banner')!.textContent).toBe(bannerTexts.pipelineErrors);
    await app.receive({ type: 'render', renderId: 3, view: { uri: spec, mode: 'flowchart' }, mermaid: 'flowchart LR\n  a["spec"]\n', hasErrors: false, tooLarge: false, pipelines: [] });
    expect(modes().hidden).toBe(false);
});
