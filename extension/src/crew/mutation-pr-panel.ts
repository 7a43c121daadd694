import * as vscode from 'vscode';
import type { MutationPr } from '../../../language-server/src/protocol.js';
import { isFromPrWebview, mutationPrViewType, type FromPrWebview, type PrReview, type ReviewDecision, type ToPrWebview } from '../../../webviews/src/messages.js';
import { prVersions } from '../../../webviews/src/mutation-pr-summary.js';
import { createNonce, previewHtml } from '../preview/preview-html.js';
import type { PrDocuments } from './pr-documents.js';

/** What a PR panel needs from the extension around it. */
export interface PrPanelContext {
    extensionUri: vscode.Uri;
    documents: PrDocuments;
    log: vscode.LogOutputChannel;
    /** The reviewer approved or rejected in the webview. */
    decide(panel: MutationPrPanel, decision: ReviewDecision, reason?: string): void;
}

/**
 * The mutation PR view of one run: the text diff of the spec (virtual documents) and a webview
 * with the rest of the PR, both in one editor group beside the spec, the webview in front. The
 * webview is kept alive while hidden (the user switches to the diff tab and back, maybe halfway
 * through typing a reason); the panel is short-lived, so the memory is worth it.
 */
export class MutationPrPanel implements vscode.Disposable {
    private live = false;
    private readonly disposables: vscode.Disposable[] = [];
    private readonly disposed = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposed.event;

    /** Opens the diff beside the active editor, then the PR webview in front of it. */
    static async open(pr: MutationPr, review: PrReview, context: PrPanelContext): Promise<MutationPrPanel> {
        await context.documents.openDiff(pr, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
        const panel = vscode.window.createWebviewPanel(mutationPrViewType, '', vscode.ViewColumn.Beside, {
            enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'out', 'webviews')]
        });
        return new MutationPrPanel(panel, pr, review, context);
    }

    private constructor(readonly panel: vscode.WebviewPanel, readonly pr: MutationPr, private currentReview: PrReview, private readonly context: PrPanelContext) {
        const webview = panel.webview;
        const file = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'out', 'webviews', name)).toString();
        // The preview's page and Content Security Policy, with the mutation PR's script and stylesheet.
        webview.html = previewHtml({ cspSource: webview.cspSource, scriptUri: file('mutation-pr.js'), styleUri: file('mutation-pr.css'), nonce: createNonce() });
        const { from, to } = prVersions(pr);
        panel.title = `Review: ${pr.spec.name} ${from} → ${to}`;
        this.disposables.push(
            webview.onDidReceiveMessage(message => isFromPrWebview(message) && this.receive(message)),
            panel.onDidDispose(() => this.dispose())
        );
    }

    get review(): PrReview {
        return this.currentReview;
    }

    setReview(review: PrReview): void {
        this.currentReview = review;
        this.post({ type: 'review', runId: this.pr.runId, review });
    }

    reveal(): void {
        this.panel.reveal();
    }

    dispose(): void {
        this.disposables.forEach(d => d.dispose());
        this.disposables.length = 0;
        this.panel.dispose();
        this.context.documents.forget(this.pr);
        this.disposed.fire();
        this.disposed.dispose();
    }

    private receive(message: FromPrWebview): void {
        const { log } = this.context;
        switch (message.type) {
            case 'ready':
                this.live = true;
                return this.post({ type: 'pr', pr: this.pr, review: this.currentReview });
            case 'approve':
            case 'reject':
                // A click from a page that had not yet heard the review moved on is dropped.
                if (message.runId === this.pr.runId && this.currentReview.phase === 'open') {
                    return this.context.decide(this, message.type, message.type === 'reject' ? message.reason : undefined);
                }
                return this.post({ type: 'review', runId: this.pr.runId, review: this.currentReview });
            case 'showDiff':
                void this.context.documents.openDiff(this.pr, { viewColumn: this.panel.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: false, line: message.line })
                    .then(undefined, error => log.warn(`Cannot open the diff of run ${this.pr.runId}: ${String(error)}`));
                return;
            case 'rendered': return log.debug(`Mutation PR ${this.pr.runId}: flowcharts drawn in ${message.durationMs} ms`);
            case 'renderError': return log.warn(`Mutation PR ${this.pr.runId}: the ${message.side} flowchart could not be drawn: ${message.message}`);
        }
    }

    private post(message: ToPrWebview): void {
        if (this.live) {
            void this.panel.webview.postMessage(message);
        }
    }
}
