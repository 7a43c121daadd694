import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FactoryMethods, PipelineMethods, type RenderResult } from '../../../language-server/src/protocol.js';
import { isFromWebview, type DiagramMode, type ExportFormat, type FromWebview, type PipelineChoice, type PreviewView, type ToWebview } from '../../../webviews/src/messages.js';
import { nodeAtPosition } from './node-at-position.js';
import { createNonce, previewHtml } from './preview-html.js';
import { revealSource } from './reveal-source.js';

/** What a panel needs from the extension around it. */
export interface PreviewContext {
    extensionUri: vscode.Uri;
    client: LanguageClient;
    log: vscode.LogOutputChannel;
    /** A toolbar export button: the manager asks where to save. */
    requestExport(panel: PreviewPanel, format: ExportFormat): void;
    /** When (Date.now()) a spec was last edited: `uri`'s, or any spec's without it; undefined if never. */
    lastEdit(uri?: string): number | undefined;
}

const modeTitles = { flowchart: 'Flowchart', mindmap: 'Mindmap', board: 'Board', lineage: 'Lineage' } as const;
/** How long an export may take before the command gives up (a hidden panel first has to load and draw). */
const exportTimeoutMs = 60_000;

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out', 'webviews')] };
}

/**
 * One preview panel: asks the server for the diagram of its view (`fspec/render` for a spec,
 * `fspec/renderPipeline` for a pipeline file) and sends it to the webview,
 * re-renders (debounced) when the server reports the spec's model changed, reveals clicked
 * nodes in the editor, highlights the node under the cursor, and exports.
 *
 * The webview is not kept alive while hidden (retainContextWhenHidden is off, to save memory):
 * it says `ready` each time it loads, and gets the latest diagram, zoom restored from its state.
 */
export class PreviewPanel implements vscode.Disposable {
    private live = false;
    /** The model changed while the webview was not live: render when it is. */
    private stale = false;
    private renders = 0;
    private debounce?: ReturnType<typeof setTimeout>;
    private result?: RenderResult;
    private lastGoodRanges?: RenderResult['diagram']['nodeRanges'];
    /** The diagram and any problem since, sent again whenever the webview (re)loads. */
    private replay: ToWebview[] = [];
    private highlighted: string | null = null;
    /** When the latest render was requested, to log the whole update time when it is drawn. */
    private latestRequest?: { renderId: number; at: number };
    private readonly exports = new Map<number, { resolve(base64: string): void; reject(error: Error): void }>();
    private exportsSent = 0;
    /** Run once the webview has loaded and been sent its diagram. */
    private whenReady: Array<() => void> = [];
    private triedOpening = false;
    /** The mode the panel last showed a spec in (a pipeline file shows its flowchart only). */
    private lastSpecMode: DiagramMode;
    private readonly disposables: vscode.Disposable[] = [];
    private readonly disposed = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposed.event;

    constructor(readonly panel: vscode.WebviewPanel, private currentView: PreviewView, private readonly context: PreviewContext) {
        this.lastSpecMode = currentView.kind === 'pipeline' ? 'flowchart' : currentView.mode;
        const webview = panel.webview;
        webview.options = webviewOptions(context.extensionUri);
        const file = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'out', 'webviews', name)).toString();
        webview.html = previewHtml({ cspSource: webview.cspSource, scriptUri: file('preview.js'), styleUri: file('preview.css'), nonce: createNonce() });
        this.disposables.push(
            webview.onDidReceiveMessage(message => isFromWebview(message) && this.receive(message)),
            panel.onDidChangeViewState(() => {
                // A hidden webview is unloaded: messages to it would be lost until it says `ready` again.
                this.live &&= panel.visible;
            }),
            panel.onDidDispose(() => this.dispose())
        );
        this.updateTitle();
        void this.render();
    }

    get view(): PreviewView {
        return this.currentView;
    }

    /** A panel showing one pipeline stays on its spec instead of following the active editor. */
    get locked(): boolean {
        return this.currentView.pipeline !== undefined;
    }

    /** The mode to show a spec in when the panel follows the editor to one. */
    get specMode(): DiagramMode {
        return this.lastSpecMode;
    }

    /** Shows another view (spec, mode or pipeline) at once. */
    show(view: PreviewView): void {
        if (view.uri !== this.currentView.uri) {
            this.triedOpening = false;
            this.highlighted = null;
            this.result = this.lastGoodRanges = undefined;
        }
        this.currentView = {
            uri: view.uri, mode: view.mode, ...(view.pipeline !== undefined ? { pipeline: view.pipeline } : {}), ...(view.kind === 'pipeline' ? { kind: view.kind } : {})
        };
        if (view.kind !== 'pipeline') {
            this.lastSpecMode = view.mode;
        }
        this.updateTitle();
        void this.render();
    }

    /**
     * The server rebuilt the spec: render once the user has paused typing for
     * `fspec.preview.debounceMs`. The pause is counted from the last edit, not from this
     * notification, so the server's validation overlaps it instead of adding to it (a rebuild long
     * after the last edit, say from a change on disk, renders at once). With no edit seen since
     * the extension started it is counted from the notification.
     */
    modelChanged(): void {
        if (!this.live) {
            this.stale = true;
            return;
        }
        clearTimeout(this.debounce);
        const notifiedAt = Date.now();
        const schedule = (): void => {
            const debounceMs = vscode.workspace.getConfiguration('fspec.preview').get<number>('debounceMs', 300);
            const wait = debounceMs - (Date.now() - (this.context.lastEdit() ?? notifiedAt));
            if (wait > 0) {
                this.debounce = setTimeout(schedule, wait);
            } else if ((this.context.lastEdit(this.currentView.uri) ?? -Infinity) <= notifiedAt) {
                void this.render();
            }
            // Otherwise this spec was edited after the rebuild: its next rebuild notifies again.
        };
        schedule();
    }

    /** What the diagram shows changed without an edit (a pipeline run moved on): render now, or once the webview is live. */
    refresh(): void {
        if (this.live) {
            void this.render();
        } else {
            this.stale = true;
        }
    }

    /** The cursor moved in an editor: highlight the node it is in, if the editor shows this spec. */
    cursorMoved(editor: vscode.TextEditor): void {
        if (editor.document.uri.toString() !== this.currentView.uri || !this.result) {
            return;
        }
        const nodeId = nodeAtPosition(this.result.diagram.nodeRanges, editor.selection.active) ?? null;
        if (nodeId !== this.highlighted) {
            this.highlighted = nodeId;
            this.post({ type: 'highlight', nodeId });
        }
    }

    /** The diagram on display as a file's bytes (base64 from the webview). */
    async exportImage(format: ExportFormat): Promise<Uint8Array> {
        const requestId = ++this.exportsSent;
        const base64 = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('The preview did not answer in time.')), exportTimeoutMs);
            this.exports.set(requestId, {
                resolve: value => { clearTimeout(timer); resolve(value); },
                reject: error => { clearTimeout(timer); reject(error); }
            });
            this.whenLive(() => this.post({ type: 'export', requestId, format }));
        }).finally(() => this.exports.delete(requestId));
        return Buffer.from(base64, 'base64');
    }

    dispose(): void {
        clearTimeout(this.debounce);
        for (const pending of this.exports.values()) {
            pending.reject(new Error('The preview was closed.'));
        }
        this.disposables.forEach(d => d.dispose());
        this.disposables.length = 0;
        this.panel.dispose();
        this.disposed.fire();
        this.disposed.dispose();
    }

    private async render(): Promise<void> {
        clearTimeout(this.debounce);
        this.stale = false;
        const view = this.currentView;
        const renderId = ++this.renders;
        const requestedAt = Date.now();
        const isCurrent = () => renderId === this.renders;
        let result: RenderResult | null;
        let pipelines: PipelineChoice[] = [];
        try {
            result = view.kind === 'pipeline'
                ? await this.context.client.sendRequest(PipelineMethods.renderPipeline, { uri: view.uri })
                : await this.context.client.sendRequest(FactoryMethods.render, view);
            // Only a diagram too large to read whole offers pipelines; the list costs one more request.
            if (result?.tooLarge && isCurrent()) {
                pipelines = await this.pipelines(view.uri);
            }
        } catch (error) {
            if (isCurrent()) {
                this.context.log.warn(`Preview of ${view.uri}: ${String(error)}`);
                this.send({ type: 'problem', message: `The language server could not render this view: ${error instanceof Error ? error.message : String(error)}` });
            }
            return;
        }
        if (!isCurrent()) {
            return;
        }
        if (!result) {
            return this.serverLacksDocument(view.uri);
        }
        this.result = result;
        if (!result.hasErrors) {
            this.lastGoodRanges = result.diagram.nodeRanges;
        }
        this.latestRequest = { renderId, at: requestedAt };
        this.context.log.trace(`Preview ${view.mode} of ${view.uri}: server answered in ${Date.now() - requestedAt} ms`);
        this.send({ type: 'render', renderId, view, mermaid: result.diagram.mermaid, hasErrors: result.hasErrors, tooLarge: result.tooLarge, pipelines });
        const editor = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === view.uri);
        if (editor) {
            this.cursorMoved(editor);
        }
    }

    /** The server only knows documents the client opened (or the workspace holds): open it, and render when it is built. */
    private serverLacksDocument(uri: string): void {
        this.send({ type: 'problem', message: 'Waiting for the language server to load this spec…' });
        if (!this.triedOpening) {
            this.triedOpening = true;
            vscode.workspace.openTextDocument(vscode.Uri.parse(uri)).then(undefined, error => {
                this.send({ type: 'problem', message: `Cannot open ${uri}: ${String(error)}` });
            });
        }
    }

    private async pipelines(uri: string): Promise<PipelineChoice[]> {
        const graph = await this.context.client.sendRequest(FactoryMethods.normalize, { uri });
        const seen = new Set<string>();
        return (graph?.nodes ?? [])
            .filter(node => node.kind === 'pipeline' && !seen.has(node.name) && seen.add(node.name))
            .map(node => ({ name: node.name, label: typeof node.attrs?.title === 'string' ? node.attrs.title : node.name }));
    }

    private receive(message: FromWebview): void {
        switch (message.type) {
            case 'ready':
                this.live = true;
                this.replay.forEach(replayed => this.post(replayed));
                this.post({ type: 'highlight', nodeId: this.highlighted });
                this.whenReady.splice(0).forEach(action => action());
                if (this.stale) {
                    void this.render();
                }
                return;
            case 'switchMode': return this.currentView.kind === 'pipeline' ? undefined : this.show({ uri: this.currentView.uri, mode: message.mode });
            case 'showPipeline': return this.currentView.kind === 'pipeline' ? undefined : this.show({ uri: this.currentView.uri, mode: 'flowchart', pipeline: message.pipeline ?? undefined });
            case 'reveal': {
                const range = this.result?.diagram.nodeRanges[message.nodeId] ?? this.lastGoodRanges?.[message.nodeId];
                if (range) {
                    revealSource(this.currentView.uri, range).catch(error => this.context.log.warn(`Cannot reveal ${message.nodeId}: ${String(error)}`));
                }
                return;
            }
            case 'exportRequest': return this.context.requestExport(this, message.format);
            case 'exported': return this.exports.get(message.requestId)?.resolve(message.base64);
            case 'exportFailed': return this.exports.get(message.requestId)?.reject(new Error(message.message));
            case 'rendered': {
                const total = this.latestRequest?.renderId === message.renderId ? `, ${Date.now() - this.latestRequest.at} ms from request to SVG` : '';
                return this.context.log.debug(`Preview rendered ${message.mode}: ${message.nodeCount} nodes, drawn in ${message.durationMs} ms${total}`);
            }
            case 'renderError':
                return this.context.log.warn(`Preview could not draw the ${this.currentView.mode}${message.tooLarge ? ' (too large)' : ''}: ${message.message}`);
        }
    }

    /** Posts and remembers a diagram or problem, so a reloaded webview gets it again. */
    private send(message: ToWebview): void {
        this.replay = message.type === 'render' ? [message] : [...this.replay.filter(m => m.type === 'render'), message];
        this.post(message);
    }

    /** Runs now if the webview is loaded; otherwise shows the panel (loading it) and runs once it is ready. */
    private whenLive(action: () => void): void {
        if (this.live) {
            action();
        } else {
            this.whenReady.push(action);
            this.panel.reveal(undefined, true);
        }
    }

    private post(message: ToWebview): void {
        if (this.live) {
            void this.panel.webview.postMessage(message);
        }
    }

    private updateTitle(): void {
        const { uri, mode, pipeline, kind } = this.currentView;
        const file = vscode.Uri.parse(uri).path.split('/').pop();
        this.panel.title = `${file} · ${kind === 'pipeline' ? 'Pipeline' : pipeline ?? modeTitles[mode]}`;
    }
}
