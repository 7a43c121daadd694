/**
 * The preview's page: a toolbar (modes, pipeline, zoom, export), the banner, and the viewport
 * whose stage holds the SVG. Built by the script so the extension's HTML stays a bare shell.
 * Tests and users rely on `data-mode`, `data-action`, `data-pipeline` and `#fspec-banner`.
 */
import { diagramModes, type DiagramMode, type PipelineChoice, type PreviewView } from './messages.js';

export interface Banner {
    kind: 'error' | 'info';
    message: string;
    /** Offered as buttons: show that pipeline alone. */
    pipelines?: readonly PipelineChoice[];
}

export interface PreviewDom {
    toolbar: HTMLElement;
    banner: HTMLElement;
    viewport: HTMLElement;
    /** Holds the SVG; pan and zoom transform it. */
    stage: HTMLElement;
    /** Said instead of a diagram when there is none to show. */
    placeholder: HTMLElement;
}

const modeTitles: Record<DiagramMode, string> = { flowchart: 'Flowchart', mindmap: 'Mindmap', board: 'Board', lineage: 'Lineage' };

function element<K extends keyof HTMLElementTagNameMap>(document: Document, tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, data: Record<string, string> = {}): HTMLElementTagNameMap[K] {
    const node = Object.assign(document.createElement(tag), props);
    Object.assign(node.dataset, data);
    return node;
}

function button(document: Document, text: string, title: string, data: Record<string, string>): HTMLButtonElement {
    return element(document, 'button', { type: 'button', textContent: text, title }, data);
}

export function createPreviewDom(document: Document): PreviewDom {
    const toolbar = element(document, 'header', { id: 'fspec-toolbar' });
    toolbar.setAttribute('role', 'toolbar');
    const modes = element(document, 'div', { className: 'group' });
    modes.append(...diagramModes.map(mode => button(document, modeTitles[mode], `Show the ${modeTitles[mode].toLowerCase()}`, { mode })));
    const pipeline = element(document, 'div', { className: 'group pipeline', hidden: true });
    pipeline.append(element(document, 'span', { className: 'pipeline-name' }), button(document, 'All pipelines', 'Show the whole flowchart', { action: 'all-pipelines' }));
    const zoom = element(document, 'div', { className: 'group' });
    zoom.append(
        button(document, '−', 'Zoom out (-)', { action: 'zoom-out' }),
        element(document, 'span', { className: 'zoom-level', textContent: '100%' }),
        button(document, '+', 'Zoom in (+)', { action: 'zoom-in' }),
        button(document, 'Fit', 'Fit the diagram to the panel (0)', { action: 'zoom-fit' })
    );
    const exports = element(document, 'div', { className: 'group' });
    exports.append(button(document, 'Export SVG', 'Save the diagram as SVG', { action: 'export-svg' }), button(document, 'Export PNG', 'Save the diagram as PNG', { action: 'export-png' }));
    toolbar.append(modes, pipeline, zoom, exports);

    const banner = element(document, 'div', { id: 'fspec-banner', hidden: true });
    banner.setAttribute('role', 'status');
    const viewport = element(document, 'main', { id: 'fspec-viewport', tabIndex: 0 });
    const stage = element(document, 'div', { id: 'fspec-stage' });
    const placeholder = element(document, 'p', { id: 'fspec-placeholder', textContent: 'Rendering…' });
    viewport.append(stage, placeholder);
    document.body.append(toolbar, banner, viewport);
    return { toolbar, banner, viewport, stage, placeholder };
}

/** Marks the current mode, shows the pipeline chip when one pipeline is shown, and hides the modes for a pipeline file. */
export function showView(dom: PreviewDom, view: PreviewView): void {
    for (const modeButton of dom.toolbar.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
        modeButton.setAttribute('aria-pressed', String(modeButton.dataset.mode === view.mode));
    }
    // A pipeline file has one view, its flowchart: no mode buttons.
    dom.toolbar.querySelector<HTMLElement>('[data-mode]')!.parentElement!.hidden = view.kind === 'pipeline';
    const chip = dom.toolbar.querySelector<HTMLElement>('.pipeline')!;
    chip.hidden = view.pipeline === undefined;
    chip.querySelector('.pipeline-name')!.textContent = view.pipeline === undefined ? '' : `Pipeline ${view.pipeline}`;
}

export function showZoom(dom: PreviewDom, scale: number): void {
    dom.toolbar.querySelector('.zoom-level')!.textContent = `${Math.round(scale * 100)}%`;
}

export function showBanner(dom: PreviewDom, banner: Banner | undefined): void {
    const document = dom.banner.ownerDocument;
    dom.banner.hidden = banner === undefined;
    dom.banner.className = banner?.kind ?? '';
    dom.banner.replaceChildren();
    if (!banner) {
        return;
    }
    dom.banner.append(element(document, 'span', { className: 'message', textContent: banner.message }));
    if (banner.pipelines?.length) {
        const choices = element(document, 'span', { className: 'choices', textContent: 'Show one pipeline: ' });
        choices.append(...banner.pipelines.map(p => button(document, p.label, `Show the flowchart of pipeline ${p.name}`, { pipeline: p.name })));
        dom.banner.append(choices);
    }
}

/** Puts a new SVG on the stage in place of the old one (the stage keeps its transform). */
export function showSvg(dom: PreviewDom, svgText: string): SVGSVGElement {
    dom.stage.innerHTML = svgText;
    const svg = dom.stage.querySelector('svg');
    if (!svg) {
        throw new Error('Mermaid returned no SVG.');
    }
    dom.placeholder.hidden = true;
    return svg;
}

export function showPlaceholder(dom: PreviewDom, message: string): void {
    dom.stage.replaceChildren();
    dom.placeholder.textContent = message;
    dom.placeholder.hidden = false;
}
