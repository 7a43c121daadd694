/**
 * Just enough of the `vscode` API for the preview's and the crew's extension side, in memory:
 * webview panels that record what they are sent, editors, documents, commands, settings, files,
 * progress and messages. Tests drive it like a user (open, type, click) and read what the
 * extension did. The real thing is tested in VS Code.
 */
import { URI, UriUtils } from 'langium';

type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
    private listeners: Array<Listener<T>> = [];
    readonly event = (listener: Listener<T>) => {
        this.listeners.push(listener);
        return { dispose: () => { this.listeners = this.listeners.filter(l => l !== listener); } };
    };
    fire(value: T): void {
        [...this.listeners].forEach(l => l(value));
    }
    dispose(): void {
        this.listeners = [];
    }
}

export const Uri = {
    parse: (value: string) => URI.parse(value), file: (path: string) => URI.file(path), joinPath: UriUtils.joinPath,
    from: (components: { scheme: string, path: string }) => URI.from(components)
};
export const ViewColumn = { One: 1, Two: 2, Beside: -2 } as const;
export const ProgressLocation = { Notification: 15 } as const;
export const TextDocumentSaveReason = { Manual: 1, AfterDelay: 2, FocusOut: 3 } as const;
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;

export const Disposable = {
    from: (...disposables: Array<{ dispose(): unknown }>) => ({ dispose: () => disposables.forEach(d => d.dispose()) })
};
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const TextEditorRevealType = { InCenterIfOutsideViewport: 2 } as const;

export class Range {
    constructor(readonly startLine: number, readonly startCharacter: number, readonly endLine: number, readonly endCharacter: number) {}
}

export class FakeWebviewPanel {
    readonly posted: unknown[] = [];
    title = '';
    /** Where and with which options the extension created it. */
    viewColumn?: number;
    createOptions?: { enableScripts?: boolean, retainContextWhenHidden?: boolean, localResourceRoots?: URI[] };
    visible = true;
    active = false;
    disposed = false;
    readonly received = new EventEmitter<unknown>();
    readonly viewState = new EventEmitter<unknown>();
    readonly disposal = new EventEmitter<void>();
    readonly webview = {
        options: {}, html: '', cspSource: 'vscode-resource:',
        asWebviewUri: (uri: URI) => uri,
        postMessage: async (message: unknown) => { this.posted.push(message); return true; },
        onDidReceiveMessage: this.received.event
    };
    readonly onDidChangeViewState = this.viewState.event;
    readonly onDidDispose = this.disposal.event;
    constructor(readonly viewType: string) {}
    reveal(): void {
        this.visible = true;
    }
    dispose(): void {
        if (!this.disposed) {
            this.disposed = true;
            this.disposal.fire();
        }
    }
    /** The webview script posts a message. */
    say(message: unknown): void {
        this.received.fire(message);
    }
    /** Messages of one type the extension posted to this webview. */
    sent<T extends string>(type: T): Array<{ type: T } & Record<string, unknown>> {
        return this.posted.filter(m => (m as { type: string }).type === type) as Array<{ type: T } & Record<string, unknown>>;
    }
    focus(active: boolean): void {
        this.active = active;
        this.viewState.fire({ webviewPanel: this });
    }
}

/** A `withProgress` notification: what it reported, whether it ended, and the user's Cancel. */
export class FakeProgress {
    readonly messages: string[] = [];
    done = false;
    private readonly cancellation = new EventEmitter<void>();
    readonly token = { isCancellationRequested: false, onCancellationRequested: this.cancellation.event };
    constructor(readonly options: { title?: string, cancellable?: boolean }) {}
    cancel(): void {
        this.token.isCancellationRequested = true;
        this.cancellation.fire();
    }
}

export class FakeStatusBarItem {
    text = '';
    tooltip = '';
    command?: string;
    visible = false;
    show(): void {
        this.visible = true;
    }
    hide(): void {
        this.visible = false;
    }
    dispose(): void {
        this.visible = false;
    }
}

/** An open text document; `save()` counts the saves, made for `reason` (by default the user's Ctrl+S). */
export interface FakeDocument {
    uri: URI;
    languageId: string;
    isDirty: boolean;
    saves: number;
    getText(): string;
    save(reason?: number): Promise<boolean>;
}

export interface FakeEditor {
    document: { uri: URI, languageId: string };
    selection: { active: { line: number, character: number } };
    viewColumn: number;
    revealRange(): void;
}

export const fake = {
    panels: [] as FakeWebviewPanel[],
    commands: new Map<string, (...args: unknown[]) => unknown>(),
    context: new Map<string, unknown>(),
    settings: new Map<string, unknown>(),
    files: new Map<string, Uint8Array>(),
    shown: [] as Array<{ uri: string, options: { viewColumn?: number, selection?: Range } }>,
    serializer: undefined as undefined | { deserializeWebviewPanel(panel: FakeWebviewPanel, state: unknown): Promise<void> },
    activeEditorChanged: new EventEmitter<FakeEditor | undefined>(),
    selectionChanged: new EventEmitter<{ textEditor: FakeEditor }>(),
    textChanged: new EventEmitter<{ document: { uri: URI, languageId: string }, contentChanges: unknown[] }>(),
    documentWillSave: new EventEmitter<{ document: FakeDocument, reason: number }>(),
    documentSaved: new EventEmitter<FakeDocument>(),
    documentClosed: new EventEmitter<FakeDocument>(),
    /** The diagnostics of each document (by uri string), as the language server published them. */
    diagnostics: new Map<string, Array<{ severity: number, message: string }>>(),
    diagnosticsChanged: new EventEmitter<{ uris: URI[] }>(),
    progress: [] as FakeProgress[],
    statusBarItems: [] as FakeStatusBarItem[],
    contentProviders: new Map<string, { provideTextDocumentContent(uri: URI): string | undefined }>(),
    /** Information and warning messages shown (error messages throw unless a test expects them). */
    messages: [] as Array<{ kind: 'information' | 'warning', text: string }>,
    /** An open document, as `workspace.textDocuments` lists it. */
    document(path: string, text: string, languageId = 'fspec'): FakeDocument {
        const document: FakeDocument = {
            uri: URI.file(path), languageId, isDirty: false, saves: 0, getText: () => text,
            save: async (reason: number = TextDocumentSaveReason.Manual) => {
                fake.documentWillSave.fire({ document, reason });
                document.saves++;
                document.isDirty = false;
                fake.documentSaved.fire(document);
                return true;
            }
        };
        workspace.textDocuments.push(document);
        return document;
    },
    /** The language server published `diagnostics` for the document at `path`. */
    publishDiagnostics(path: string, diagnostics: Array<{ severity: number, message: string }>): void {
        this.diagnostics.set(URI.file(path).toString(), diagnostics);
        this.diagnosticsChanged.fire({ uris: [URI.file(path)] });
    },
    /** The user closed a document. */
    close(document: FakeDocument): void {
        workspace.textDocuments = workspace.textDocuments.filter(open => open !== document);
        this.documentClosed.fire(document);
    },
    /** The user typed in a document. */
    edit(uri: string, languageId = 'fspec'): void {
        this.textChanged.fire({ document: { uri: URI.parse(uri), languageId }, contentChanges: [{ text: 'x' }] });
    },
    editor(path: string, line = 0, character = 0): FakeEditor {
        return { document: { uri: URI.file(path), languageId: 'fspec' }, selection: { active: { line, character } }, viewColumn: 1, revealRange: () => undefined };
    },
    reset(): void {
        this.panels.length = 0;
        this.commands.clear();
        this.context.clear();
        this.settings.clear();
        this.files.clear();
        this.shown.length = 0;
        this.progress.length = 0;
        this.statusBarItems.length = 0;
        this.contentProviders.clear();
        this.messages.length = 0;
        this.diagnostics.clear();
        workspace.textDocuments = [];
        workspace.workspaceFolders = [];
        window.activeTextEditor = undefined;
        window.visibleTextEditors = [];
    }
};

export const window = {
    activeTextEditor: undefined as FakeEditor | undefined,
    visibleTextEditors: [] as FakeEditor[],
    createWebviewPanel: (viewType: string, _title?: string, viewColumn?: number, options?: FakeWebviewPanel['createOptions']) => {
        const panel = new FakeWebviewPanel(viewType);
        Object.assign(panel, { viewColumn, createOptions: options });
        fake.panels.push(panel);
        return panel;
    },
    registerWebviewPanelSerializer: (_viewType: string, serializer: typeof fake.serializer) => {
        fake.serializer = serializer;
        return { dispose: () => undefined };
    },
    showTextDocument: async (document: { uri: URI }, options: { viewColumn?: number, selection?: Range }) => {
        fake.shown.push({ uri: document.uri.toString(), options });
        return { ...fake.editor(document.uri.path), revealRange: () => undefined };
    },
    onDidChangeActiveTextEditor: fake.activeEditorChanged.event,
    onDidChangeTextEditorSelection: fake.selectionChanged.event,
    showQuickPick: async () => undefined,
    showSaveDialog: async () => undefined,
    showInformationMessage: async (text: string) => { fake.messages.push({ kind: 'information', text }); return undefined; },
    showWarningMessage: async (text: string) => { fake.messages.push({ kind: 'warning', text }); return undefined; },
    showErrorMessage: async (message: string, ..._items: string[]): Promise<string | undefined> => { throw new Error(`unexpected error message: ${message}`); },
    showInputBox: async (_options?: { password?: boolean, ignoreFocusOut?: boolean }): Promise<string | undefined> => undefined,
    withProgress: async <T>(options: FakeProgress['options'], task: (progress: { report(value: { message?: string }): void }, token: FakeProgress['token']) => Promise<T>) => {
        const progress = new FakeProgress(options);
        fake.progress.push(progress);
        try {
            return await task({ report: ({ message }) => void (message && progress.messages.push(message)) }, progress.token);
        } finally {
            progress.done = true;
        }
    },
    createStatusBarItem: () => {
        const item = new FakeStatusBarItem();
        fake.statusBarItems.push(item);
        return item;
    },
    createOutputChannel: () => ({ trace() {}, debug() {}, info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
    setStatusBarMessage: () => ({ dispose: () => undefined })
};

export const workspace = {
    textDocuments: [] as FakeDocument[],
    workspaceFolders: [] as Array<{ uri: URI, name: string }>,
    getWorkspaceFolder: (uri: URI) => workspace.workspaceFolders.find(folder => uri.path.startsWith(`${folder.uri.path}/`)),
    onDidChangeTextDocument: fake.textChanged.event,
    onWillSaveTextDocument: fake.documentWillSave.event,
    onDidSaveTextDocument: fake.documentSaved.event,
    onDidCloseTextDocument: fake.documentClosed.event,
    registerTextDocumentContentProvider: (scheme: string, provider: { provideTextDocumentContent(uri: URI): string | undefined }) => {
        fake.contentProviders.set(scheme, provider);
        return { dispose: () => fake.contentProviders.delete(scheme) };
    },
    getConfiguration: (section: string) => ({ get: <T>(key: string, fallback: T) => (fake.settings.get(`${section}.${key}`) as T) ?? fallback }),
    openTextDocument: async (uri: URI) => ({ uri, languageId: 'fspec' }),
    asRelativePath: (uri: URI) => uri.path,
    fs: { writeFile: async (uri: URI, bytes: Uint8Array) => { fake.files.set(uri.toString(), bytes); } }
};

export const languages = {
    getDiagnostics: (uri: URI) => fake.diagnostics.get(uri.toString()) ?? [],
    onDidChangeDiagnostics: fake.diagnosticsChanged.event
};

export const commands = {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
        fake.commands.set(id, handler);
        return { dispose: () => fake.commands.delete(id) };
    },
    executeCommand: async (id: string, ...args: unknown[]) => {
        if (id === 'setContext') {
            fake.context.set(args[0] as string, args[1]);
            return undefined;
        }
        return fake.commands.get(id)?.(...args);
    }
};
