import * as vscode from 'vscode';
import type { MutationPr } from '../../../language-server/src/protocol.js';
import { prTitle } from '../../../webviews/src/mutation-pr-summary.js';

/** The scheme of a mutation PR's read-only texts; the language client does not serve it, so the server never validates them. */
export const prScheme = 'fspec-pr';

type Side = 'before' | 'after';

/**
 * The spec before and after each PR as virtual documents (`fspec-pr:/<runId>/before/farm-ops.fspec`),
 * for VS Code's diff editor. Named like the spec, so they get its language and highlighting.
 */
export class PrDocuments implements vscode.TextDocumentContentProvider {
    private readonly texts = new Map<string, string>();

    provideTextDocumentContent(uri: vscode.Uri): string | undefined {
        return this.texts.get(uri.path);
    }

    add(pr: MutationPr): void {
        for (const side of ['before', 'after'] as const) {
            this.texts.set(this.uri(pr, side).path, pr[side]);
        }
    }

    forget(pr: MutationPr): void {
        for (const side of ['before', 'after'] as const) {
            this.texts.delete(this.uri(pr, side).path);
        }
    }

    /** Opens the text diff in a column; with a line (1-based), that line of the proposed spec is selected. */
    async openDiff(pr: MutationPr, show: { viewColumn: vscode.ViewColumn; preserveFocus: boolean; line?: number }): Promise<void> {
        this.add(pr);
        const selection = show.line === undefined ? undefined : new vscode.Range(show.line - 1, 0, show.line - 1, 0);
        const options: vscode.TextDocumentShowOptions = { viewColumn: show.viewColumn, preserveFocus: show.preserveFocus, preview: false, ...(selection ? { selection } : {}) };
        await vscode.commands.executeCommand('vscode.diff', this.uri(pr, 'before'), this.uri(pr, 'after'), prTitle(pr), options);
    }

    private uri(pr: MutationPr, side: Side): vscode.Uri {
        const file = pr.spec.path.split(/[\\/]/).pop() || `${pr.spec.name}.fspec`;
        return vscode.Uri.from({ scheme: prScheme, path: `/${pr.runId}/${side}/${file}` });
    }
}
