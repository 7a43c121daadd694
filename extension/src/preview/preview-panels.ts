import * as vscode from 'vscode';
import { diagramModes, pipelineLanguageId, previewFocusContextKey, previewViewType, type DiagramMode, type PreviewState, type PreviewView } from '../../../webviews/src/messages.js';
import { PreviewPanel, webviewOptions, type PreviewContext } from './preview-panel.js';

/** The same document's uri always as the same string (the server's and VS Code's spellings agree after this). */
export function uriKey(uri: string | vscode.Uri): string {
    return (typeof uri === 'string' ? vscode.Uri.parse(uri) : uri).toString();
}

/**
 * The open previews: one panel per spec or pipeline file. The most recently active panel that is
 * not locked to a pipeline follows the active editor, like the Markdown preview: switching to
 * another .fspec (or .dot) editor shows that document in it (unless it already has a panel).
 */
export class PreviewPanels implements vscode.Disposable {
    /** Least recently active first. */
    private readonly panels: PreviewPanel[] = [];
    /** When each spec was last edited, and any spec: previews count their debounce from the last edit. */
    private readonly edits = new Map<string, number>();
    private lastEdit?: number;
    private readonly context: PreviewContext;

    constructor(context: Omit<PreviewContext, 'lastEdit'>) {
        this.context = { ...context, lastEdit: uri => uri === undefined ? this.lastEdit : this.edits.get(uri) };
    }

    /** A spec's text changed in an editor (before the server has rebuilt it). */
    edited(uri: string | vscode.Uri): void {
        this.lastEdit = Date.now();
        this.edits.set(uriKey(uri), this.lastEdit);
    }

    /** Shows the preview of a spec (or a pipeline file), creating its panel beside the editor if it has none. */
    open(uri: string, options: { mode?: DiagramMode; pipeline?: string } = {}): PreviewPanel {
        const key = uriKey(uri);
        const existing = this.forUri(key);
        const kind = isPipelineDocument(key) ? { kind: 'pipeline' as const } : {};
        if (existing) {
            const mode = options.pipeline !== undefined || kind.kind ? 'flowchart' : options.mode ?? existing.view.mode;
            existing.show({ uri: key, mode, pipeline: options.pipeline, ...kind });
            existing.panel.reveal(undefined, true);
            return existing;
        }
        const panel = vscode.window.createWebviewPanel(previewViewType, 'Preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.context.extensionUri));
        return this.add(panel, { uri: key, mode: options.pipeline !== undefined || kind.kind ? 'flowchart' : options.mode ?? 'flowchart', pipeline: options.pipeline, ...kind });
    }

    /** A panel VS Code restored after a reload, with the state its webview saved. */
    revive(panel: vscode.WebviewPanel, state: unknown): void {
        const saved = state as Partial<PreviewState> | undefined;
        const uri = typeof saved?.uri === 'string' ? saved.uri : activeSpecUri();
        if (uri === undefined || this.forUri(uriKey(uri))) {
            panel.dispose();
            return;
        }
        const mode = diagramModes.includes(saved?.mode as DiagramMode) ? saved!.mode! : 'flowchart';
        const kind = saved?.kind === 'pipeline' || isPipelineDocument(uri) ? { kind: 'pipeline' as const } : {};
        this.add(panel, { uri: uriKey(uri), mode: kind.kind ? 'flowchart' : mode, pipeline: typeof saved?.pipeline === 'string' ? saved.pipeline : undefined, ...kind });
    }

    forUri(uri: string): PreviewPanel | undefined {
        return this.panels.find(p => p.view.uri === uri);
    }

    /** The preview a command acts on: the focused one, else the active editor's, else the last one used. */
    target(): PreviewPanel | undefined {
        const editorUri = activePreviewUri();
        return this.panels.find(p => p.panel.active) ?? (editorUri === undefined ? undefined : this.forUri(editorUri)) ?? this.panels.at(-1);
    }

    /** The active editor changed: the following preview shows its spec or pipeline. */
    follow(editor: vscode.TextEditor | undefined): void {
        if (editor === undefined || !isPreviewable(editor.document)) {
            return;
        }
        const uri = uriKey(editor.document.uri);
        const follower = this.panels.findLast(p => !p.locked);
        if (!this.forUri(uri) && follower) {
            const pipeline = editor.document.languageId === pipelineLanguageId;
            // A spec takes the mode the panel last showed a spec in; a pipeline has its flowchart only.
            follower.show(pipeline ? { uri, mode: 'flowchart', kind: 'pipeline' } : { uri, mode: follower.specMode });
        }
    }

    modelChanged(uris: readonly string[]): void {
        const changed = new Set(uris.map(uriKey));
        this.panels.filter(p => changed.has(p.view.uri)).forEach(p => p.modelChanged());
    }

    /** A run of this pipeline moved on: its preview redraws at once (no edit to wait for). */
    pipelineChanged(uri: string): void {
        this.forUri(uriKey(uri))?.refresh();
    }

    cursorMoved(editor: vscode.TextEditor): void {
        this.forUri(uriKey(editor.document.uri))?.cursorMoved(editor);
    }

    dispose(): void {
        [...this.panels].forEach(p => p.dispose());
    }

    private add(webviewPanel: vscode.WebviewPanel, view: PreviewView): PreviewPanel {
        const panel = new PreviewPanel(webviewPanel, view, this.context);
        this.panels.push(panel);
        webviewPanel.onDidChangeViewState(() => {
            if (webviewPanel.active) {
                this.panels.push(...this.panels.splice(this.panels.indexOf(panel), 1));
            }
            this.updateFocusContext();
        });
        panel.onDidDispose(() => {
            this.panels.splice(this.panels.indexOf(panel), 1);
            this.updateFocusContext();
        });
        this.updateFocusContext();
        return panel;
    }

    private updateFocusContext(): void {
        void vscode.commands.executeCommand('setContext', previewFocusContextKey, this.panels.some(p => p.panel.active));
    }
}

/** The uri of the active editor's spec, if it shows one. */
export function activeSpecUri(): string | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'fspec' ? uriKey(document.uri) : undefined;
}

/** The uri of the active editor's pipeline (`.dot`), if it shows one. */
export function activePipelineUri(): string | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === pipelineLanguageId ? uriKey(document.uri) : undefined;
}

/** The uri of the active editor's spec or pipeline, whichever it shows. */
export function activePreviewUri(): string | undefined {
    return activeSpecUri() ?? activePipelineUri();
}

/** Whether the preview draws a document: a spec or a pipeline. */
export function isPreviewable(document: { languageId: string }): boolean {
    return document.languageId === 'fspec' || document.languageId === pipelineLanguageId;
}

/** Whether a uri is a pipeline file: an open document VS Code calls a pipeline, else a `.dot` file. */
export function isPipelineDocument(uri: string): boolean {
    const document = vscode.workspace.textDocuments.find(d => uriKey(d.uri) === uriKey(uri));
    return document ? document.languageId === pipelineLanguageId : /\.dot$/i.test(vscode.Uri.parse(uri).path);
}
