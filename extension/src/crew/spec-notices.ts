import * as vscode from 'vscode';
import { uriKey } from '../preview/preview-panels.js';

/**
 * Notices about a spec's state, such as "has 1 error; fix it before growing". A message from
 * `showErrorMessage` stays until dismissed, long after the state it describes has ended (the edit
 * undone, the error fixed); a notice closes by itself once the spec has no errors or is closed. It
 * is a progress notification because that is the only one an extension can close.
 */
export class SpecNotices implements vscode.Disposable {
    /** The close function of each spec's open notice (by uri). */
    private readonly open = new Map<string, () => void>();

    /** Shows `message` about the errors of the spec at `uri` until they are fixed, it is closed, or the user closes the notice. */
    showUntilErrorsFixed(uri: string, message: string): void {
        this.close(uri);
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: message, cancellable: true }, (progress, token) =>
            new Promise<void>(resolve => {
                // A determinate bar at 0: nothing is in progress, and an indeterminate bar would say otherwise.
                progress.report({ increment: 0 });
                const done = () => {
                    subscriptions.dispose();
                    if (this.open.get(uri) === done) {
                        this.open.delete(uri);
                    }
                    resolve();
                };
                const subscriptions = vscode.Disposable.from(
                    vscode.languages.onDidChangeDiagnostics(event => {
                        if (event.uris.some(changed => uriKey(changed) === uri) && !hasErrors(uri)) {
                            done();
                        }
                    }),
                    vscode.workspace.onDidCloseTextDocument(document => {
                        if (uriKey(document.uri) === uri) {
                            done();
                        }
                    }),
                    token.onCancellationRequested(done)
                );
                this.open.set(uri, done);
            }));
    }

    /** Closes the spec's notice, if one is open (a new growth of it says what is true now). */
    close(uri: string): void {
        this.open.get(uri)?.();
    }

    dispose(): void {
        [...this.open.values()].forEach(close => close());
    }
}

function hasErrors(uri: string): boolean {
    return vscode.languages.getDiagnostics(vscode.Uri.parse(uri)).some(diagnostic => diagnostic.severity === vscode.DiagnosticSeverity.Error);
}
