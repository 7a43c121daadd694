import { URI, type LangiumSharedCoreServices } from 'langium';
import { DefaultDocumentUpdateHandler, type LangiumSharedServices } from 'langium/lsp';
import { FileChangeType, type DidChangeWatchedFilesParams, type FileEvent } from 'vscode-languageserver';
import type { TextDocumentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * Files under `.factory/` are no workspace documents (fspec-workspace-manager.ts), yet what the
 * spec's validation says depends on some of them: its build (drift) and its approved copy (the
 * cross-version checks). Langium watches every workspace file (`**\/*`, registered when the client
 * supports it); a change to one of those makes the specs they belong to validate again:
 *
 * - `<folder>/.factory/build/<version>/…` (but not the app's own `data/`): the specs in `<folder>`;
 * - `<folder>/.factory/approved/…`: the specs in `<folder>` and below (the approved store looks upward);
 * - `<folder>/.factory` itself (created or deleted whole): both.
 *
 * Documents of other languages the same server serves (Attractor pipelines, `.dot`) are not Langium's:
 * their changes never reach the DocumentBuilder, which has no services to build them with.
 */
export class FspecDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    private readonly sharedServices: LangiumSharedCoreServices;

    constructor(services: LangiumSharedServices) {
        super(services);
        this.sharedServices = services;
    }

    override didChangeContent(change: TextDocumentChangeEvent<TextDocument>): void {
        if (this.isLangiumDocument(change.document.uri)) {
            super.didChangeContent(change);
        }
    }

    override didChangeWatchedFiles(params: DidChangeWatchedFilesParams): void {
        const reported = new Set(params.changes.map(c => c.uri));
        const specs = specsDependingOn(params.changes.map(c => URI.parse(c.uri)), this.sharedServices.workspace.LangiumDocuments.all.map(d => d.uri).toArray())
            .filter(uri => !reported.has(uri));
        const extra: FileEvent[] = specs.map(uri => ({ uri, type: FileChangeType.Changed }));
        // An open document of another language would be built (the builder builds every open document it is told of).
        const own = params.changes.filter(c => c.type === FileChangeType.Deleted || this.isLangiumDocument(c.uri) || !this.isOpen(c.uri));
        if (own.length === params.changes.length && extra.length === 0) {
            super.didChangeWatchedFiles(params);
        } else if (own.length + extra.length > 0) {
            super.didChangeWatchedFiles({ changes: [...own, ...extra] });
        }
    }

    /** Whether a language of this server's Langium services (the spec language) owns the document. */
    private isLangiumDocument(uri: string): boolean {
        return this.sharedServices.ServiceRegistry.hasServices(URI.parse(uri));
    }

    private isOpen(uri: string): boolean {
        return this.sharedServices.workspace.TextDocuments?.get(uri) !== undefined;
    }
}

/** The documents (of `documents`) whose validation reads one of the changed files under `.factory/`. */
export function specsDependingOn(changed: URI[], documents: URI[]): string[] {
    const own = new Set<string>();
    const below = new Set<string>();
    for (const uri of changed) {
        if (uri.scheme !== 'file') {
            continue;
        }
        const parts = uri.path.split('/');
        const at = parts.lastIndexOf('.factory');
        if (at < 0) {
            continue;
        }
        const folder = parts.slice(0, at).join('/');
        const area = parts[at + 1];
        if (area === undefined || area === 'build' && parts[at + 3] !== 'data') {
            own.add(folder);
        }
        if (area === undefined || area === 'approved') {
            below.add(folder);
        }
    }
    if (own.size === 0 && below.size === 0) {
        return [];
    }
    return documents
        .filter(doc => {
            if (doc.scheme !== 'file') {
                return false;
            }
            const folder = doc.path.slice(0, doc.path.lastIndexOf('/'));
            return own.has(folder) || [...below].some(f => folder === f || folder.startsWith(`${f}/`));
        })
        .map(doc => doc.toString());
}
