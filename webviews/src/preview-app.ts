/**
 * The preview's behaviour: draws what the extension sends, keeps the last good diagram while the
 * spec has errors or Mermaid fails, keeps pan and zoom across updates, and turns clicks into
 * messages. DOM and Mermaid come in from outside, so jsdom tests can drive it.
 */
import { annotateNodes, clickedNodeId, highlightNode } from './diagram-nodes.js';
import { DiagramTooLargeError, isSizeError, previewLimits, type DiagramRenderer } from './diagram-renderer.js';
import { standaloneSvg, svgToPngBase64, textToBase64 } from './export.js';
import { sameView, type ExportFormat, type FromWebview, type PipelineChoice, type PreviewState, type PreviewView, type ToWebview, type ViewTransform } from './messages.js';
import { PanZoom } from './pan-zoom.js';
import { createPreviewDom, showBanner, showPlaceholder, showSvg, showView, showZoom, type PreviewDom } from './preview-dom.js';
import { themeKindOf, watchTheme, type ThemeKind } from './theme.js';
import { isViewTransform, zoomStep } from './view-transform.js';

/** The webview side of `acquireVsCodeApi()`, typed with our messages and state. */
export interface WebviewHost {
    postMessage(message: FromWebview): void;
    getState(): PreviewState | undefined;
    setState(state: PreviewState): void;
}

/** A diagram: which view, its Mermaid text, and whether the spec was free of errors. */
interface Drawing {
    view: PreviewView;
    mermaid: string;
    good: boolean;
}

export const bannerTexts = {
    specErrors: 'The spec has errors; showing the last valid diagram.',
    partial: 'The spec has errors; the diagram shows the parts that parsed.',
    large: 'This diagram is larger than Mermaid\'s default limits, so it may be slow and hard to read.',
    tooLarge: 'This diagram is too large to draw.',
    failed: 'Mermaid could not draw this diagram.',
    keptLast: 'Showing the last valid diagram.',
    pipelineErrors: 'The pipeline has errors; showing the last valid diagram.',
    pipelinePartial: 'The pipeline has errors (see the Problems); the diagram shows what parsed.'
} as const;

export class PreviewApp {
    private readonly dom: PreviewDom;
    private readonly panZoom: PanZoom;
    private theme: ThemeKind;
    private view?: PreviewView;
    /** On the stage now, in which theme, and how many nodes it has. */
    private shown?: Drawing & { theme: ThemeKind; nodeCount: number };
    /** Being drawn (or on the stage): a theme change redraws this. */
    private wanted?: Drawing;
    private draws = 0;
    /** Settles when the renderer has finished the latest draw it was asked for. */
    private rendererIdle: Promise<unknown> = Promise.resolve();
    private highlighted: string | null = null;
    /** The latest render message being handled: an export waits for it, so it exports what was sent last. */
    private rendering: Promise<void> = Promise.resolve();
    /** Zoom and scroll saved before a reload, for the first diagram of the same view. */
    private restore?: { view: PreviewView; transform: ViewTransform };

    constructor(private readonly host: WebviewHost, private readonly renderer: DiagramRenderer, private readonly document: Document) {
        this.dom = createPreviewDom(document);
        this.panZoom = new PanZoom(this.dom.viewport, this.dom.stage, transform => {
            showZoom(this.dom, transform.scale);
            this.saveState();
        });
        this.theme = themeKindOf(document.body);
        const saved = host.getState();
        if (saved && isViewTransform(saved.transform)) {
            this.restore = { view: saved, transform: saved.transform };
        }
        this.dom.toolbar.addEventListener('click', event => this.toolbarClick(event));
        this.dom.banner.addEventListener('click', event => {
            const pipeline = (event.target as HTMLElement).closest<HTMLElement>('[data-pipeline]')?.dataset.pipeline;
            if (pipeline !== undefined) {
                host.postMessage({ type: 'showPipeline', pipeline });
            }
        });
        this.dom.viewport.addEventListener('click', event => {
            const nodeId = this.panZoom.endsDrag() ? undefined : clickedNodeId(event.target);
            if (nodeId !== undefined) {
                host.postMessage({ type: 'reveal', nodeId });
            }
        });
        watchTheme(document.body, theme => void this.themeChanged(theme));
    }

    /** Handles one message from the extension; resolves once it is fully handled (tests await it). */
    async receive(message: ToWebview): Promise<void> {
        switch (message.type) {
            case 'render':
                this.rendering = this.render(message).catch(error => showBanner(this.dom, { kind: 'error', message: errorText(error) }));
                return this.rendering;
            case 'problem': return showBanner(this.dom, { kind: 'error', message: message.message });
            case 'highlight': {
                this.highlighted = message.nodeId;
                const element = highlightNode(this.dom.stage, message.nodeId);
                if (element) {
                    this.panZoom.show(element);
                }
                return;
            }
            case 'export': return this.export(message.requestId, message.format);
        }
    }

    private async render(message: Extract<ToWebview, { type: 'render' }>): Promise<void> {
        this.view = message.view;
        showView(this.dom, message.view);
        this.saveState();
        const offer: readonly PipelineChoice[] | undefined = message.tooLarge ? message.pipelines : undefined;
        if (message.hasErrors && this.shown?.good && sameView(this.shown.view, message.view)) {
            return showBanner(this.dom, { kind: 'error', message: message.view.kind === 'pipeline' ? bannerTexts.pipelineErrors : bannerTexts.specErrors, pipelines: offer });
        }
        const drawing = { view: message.view, mermaid: message.mermaid, good: !message.hasErrors };
        const started = performance.now();
        // An edit that does not change the diagram (a comment, another section): nothing to draw.
        const outcome = this.isShown(drawing) ? { nodeCount: this.shown!.nodeCount } : await this.redraw(drawing);
        if (outcome === 'stale') {
            return;
        }
        if ('error' in outcome) {
            const tooLarge = isSizeError(outcome.error);
            this.showFailure(outcome, tooLarge ? message.pipelines : offer);
            return this.host.postMessage({ type: 'renderError', renderId: message.renderId, message: errorText(outcome.error), tooLarge });
        }
        const partial = message.view.kind === 'pipeline' ? bannerTexts.pipelinePartial : bannerTexts.partial;
        showBanner(this.dom, !drawing.good ? { kind: 'error', message: partial } : offer ? { kind: 'info', message: bannerTexts.large, pipelines: offer } : undefined);
        const durationMs = Math.round(performance.now() - started);
        this.host.postMessage({ type: 'rendered', renderId: message.renderId, mode: message.view.mode, nodeCount: outcome.nodeCount, durationMs });
    }

    /** Whether the stage already shows this drawing in the current theme, with no other draw under way. */
    private isShown(drawing: Drawing): boolean {
        const shown = this.shown;
        return shown !== undefined && this.wanted === shown && shown.theme === this.theme && shown.mermaid === drawing.mermaid
            && shown.good === drawing.good && sameView(shown.view, drawing.view);
    }

    /** VS Code switched theme: the diagram is drawn again in the new colours, at the same place. */
    private async themeChanged(theme: ThemeKind): Promise<void> {
        this.theme = theme;
        const outcome = this.wanted && await this.redraw(this.wanted);
        if (outcome && outcome !== 'stale' && 'error' in outcome) {
            this.showFailure(outcome);
        }
    }

    private showFailure({ error, kept }: { error: unknown; kept: boolean }, pipelines?: readonly PipelineChoice[]): void {
        const reason = `${isSizeError(error) ? bannerTexts.tooLarge : bannerTexts.failed} ${errorText(error)}`;
        showBanner(this.dom, { kind: 'error', message: kept ? `${reason} ${bannerTexts.keptLast}` : reason, pipelines });
    }

    /**
     * Draws a diagram in the current theme in place of the one shown. On failure the old diagram
     * stays if it shows the same view (`kept`); otherwise the stage says why it is empty.
     * 'stale' when a later draw started meanwhile.
     */
    private async redraw(drawing: Drawing): Promise<{ nodeCount: number } | { error: unknown; kept: boolean } | 'stale'> {
        const draw = ++this.draws;
        this.wanted = drawing;
        // Mermaid draws one diagram at a time: a draw overtaken while the one before it was being
        // drawn (the user typed on) is dropped before it costs a render.
        const previous = this.rendererIdle;
        let done!: () => void;
        this.rendererIdle = new Promise<void>(resolve => done = resolve);
        await previous;
        if (draw !== this.draws) {
            done();
            return 'stale';
        }
        const theme = this.theme;
        let svgText: string;
        try {
            if (drawing.mermaid.length > previewLimits.maxTextSize) {
                throw new DiagramTooLargeError(drawing.mermaid.length);
            }
            svgText = await this.renderer(drawing.mermaid, theme);
        } catch (error) {
            done();
            if (draw !== this.draws) {
                return 'stale';
            }
            const kept = this.shown !== undefined && sameView(this.shown.view, drawing.view);
            if (!kept) {
                this.shown = undefined;
                showPlaceholder(this.dom, isSizeError(error) ? bannerTexts.tooLarge : bannerTexts.failed);
            }
            this.wanted = this.shown;
            return { error, kept };
        }
        done();
        if (draw !== this.draws) {
            return 'stale';
        }
        const sameAsShown = this.shown !== undefined && sameView(this.shown.view, drawing.view);
        const svg = showSvg(this.dom, svgText);
        const nodeCount = annotateNodes(svg, drawing.view.mode, drawing.mermaid);
        this.shown = { ...drawing, theme, nodeCount };
        this.wanted = this.shown;
        highlightNode(this.dom.stage, this.highlighted);
        if (!sameAsShown) {
            const restore = this.restore && sameView(this.restore.view, drawing.view) ? this.restore.transform : undefined;
            this.restore = undefined;
            if (restore) {
                this.panZoom.set(restore);
            } else {
                this.panZoom.fit();
            }
        }
        return { nodeCount };
    }

    private async export(requestId: number, format: ExportFormat): Promise<void> {
        // A reloaded webview is sent its diagram and then, at once, the export.
        for (let pending: Promise<void> | undefined; pending !== this.rendering;) {
            pending = this.rendering;
            await pending;
        }
        try {
            if (!this.shown) {
                throw new Error('There is no diagram to export yet.');
            }
            // Always the light theme: exports land in documents and slides, mostly on white.
            const svg = standaloneSvg(await this.renderer(this.shown.mermaid, 'light'), this.document);
            const base64 = format === 'svg' ? textToBase64(svg.xml) : await svgToPngBase64(svg, this.document);
            this.host.postMessage({ type: 'exported', requestId, format, base64 });
        } catch (error) {
            this.host.postMessage({ type: 'exportFailed', requestId, message: errorText(error) });
        }
    }

    private toolbarClick(event: Event): void {
        const target = (event.target as HTMLElement).closest<HTMLElement>('button');
        const { mode, action } = target?.dataset ?? {};
        if (mode && mode !== this.view?.mode) {
            this.host.postMessage({ type: 'switchMode', mode: mode as PreviewView['mode'] });
        }
        switch (action) {
            case 'zoom-in': return this.panZoom.zoomBy(zoomStep);
            case 'zoom-out': return this.panZoom.zoomBy(1 / zoomStep);
            case 'zoom-fit': return this.panZoom.fit();
            case 'export-svg': return this.host.postMessage({ type: 'exportRequest', format: 'svg' });
            case 'export-png': return this.host.postMessage({ type: 'exportRequest', format: 'png' });
            case 'all-pipelines': return this.host.postMessage({ type: 'showPipeline', pipeline: null });
        }
    }

    private saveState(): void {
        if (this.view) {
            // Until the first diagram is drawn, a reload must still find the zoom saved before the last one.
            this.host.setState({ ...this.view, transform: this.restore?.transform ?? this.panZoom.current });
        }
    }
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
