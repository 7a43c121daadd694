/**
 * The mutation PR view's behaviour: shows the PR the extension sends, draws its flowchart before
 * and after (redrawn when the theme changes), and turns Approve and Reject into messages. DOM and
 * Mermaid come in from outside, so jsdom tests can drive it.
 */
import { annotateNodes } from './diagram-nodes.js';
import type { DiagramRenderer } from './diagram-renderer.js';
import type { FromPrWebview, PrReview, PrView, ToPrWebview } from './messages.js';
import { createPrPage, showDiagramError, showReview, showSvg, toggleActualSize, type PrPage, type Side } from './mutation-pr-dom.js';
import { themeKindOf, watchTheme, type ThemeKind } from './theme.js';

/** The webview side of `acquireVsCodeApi()`, typed with the mutation PR's messages. */
export interface PrWebviewHost {
    postMessage(message: FromPrWebview): void;
}

export class MutationPrApp {
    private shown?: { pr: PrView; page: PrPage };
    private review: PrReview = { phase: 'open' };
    /** The reason form is open. */
    private rejecting = false;
    private theme: ThemeKind;
    private draws = 0;

    constructor(private readonly host: PrWebviewHost, private readonly renderer: DiagramRenderer, private readonly document: Document) {
        this.theme = themeKindOf(document.body);
        watchTheme(document.body, theme => {
            this.theme = theme;
            void this.drawFlowcharts();
        });
        document.body.addEventListener('click', event => this.click(event));
        document.body.addEventListener('input', () => this.showReview());
        // Scroll events do not bubble: caught on the way down.
        document.addEventListener('scroll', event => this.scrolled(event.target), true);
        document.body.addEventListener('keydown', event => {
            if (event.target === this.shown?.page.review.reason) {
                if (event.key === 'Enter') {
                    this.confirmReject();
                } else if (event.key === 'Escape') {
                    this.setRejecting(false);
                }
            }
        });
    }

    /** Handles one message from the extension; resolves once it is fully handled (tests await it). */
    async receive(message: ToPrWebview): Promise<void> {
        switch (message.type) {
            case 'pr': {
                this.review = message.review;
                // The same PR again (the extension answers every `ready`): only its review may have moved on.
                if (this.shown?.pr.runId === message.pr.runId) {
                    return this.showReview();
                }
                this.shown = { pr: message.pr, page: createPrPage(this.document, message.pr) };
                this.rejecting = false;
                this.showReview();
                return this.drawFlowcharts();
            }
            case 'review':
                if (message.runId === this.shown?.pr.runId) {
                    this.review = message.review;
                    this.showReview();
                }
                return;
        }
    }

    private showReview(): void {
        if (this.shown) {
            showReview(this.shown.page, this.shown.pr, this.review, this.rejecting);
        }
    }

    /** Draws both flowcharts in the current theme; a draw overtaken by a newer one (a theme change) stops. */
    private async drawFlowcharts(): Promise<void> {
        const shown = this.shown;
        if (!shown) {
            return;
        }
        const draw = ++this.draws;
        const started = performance.now();
        for (const side of ['before', 'after'] as const satisfies readonly Side[]) {
            const { mermaid } = shown.pr.simulation.diagrams[side];
            const container = shown.page.diagrams[side];
            try {
                const svgText = await this.renderer(mermaid, this.theme);
                if (draw !== this.draws) {
                    return;
                }
                // Marks nodes with their ids (`data-fspec-node`), as in the preview.
                annotateNodes(showSvg(container, svgText), 'flowchart', mermaid);
            } catch (error) {
                if (draw !== this.draws) {
                    return;
                }
                const message = error instanceof Error ? error.message : String(error);
                showDiagramError(container, message);
                this.host.postMessage({ type: 'renderError', runId: shown.pr.runId, side, message });
            }
        }
        this.host.postMessage({ type: 'rendered', runId: shown.pr.runId, durationMs: Math.round(performance.now() - started) });
    }

    private click(event: Event): void {
        const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
        switch (target?.dataset.action) {
            case 'approve': return this.decide({ type: 'approve', runId: this.shown!.pr.runId });
            case 'reject': return this.setRejecting(true);
            case 'cancel-reject': return this.setRejecting(false);
            case 'confirm-reject': return this.confirmReject();
            case 'show-diff': return this.host.postMessage({ type: 'showDiff' });
            case 'show-line': return this.host.postMessage({ type: 'showDiff', line: Number(target.dataset.line) });
            case 'toggle-size': return toggleActualSize(this.shown!.page);
        }
    }

    /** At actual size the two flowcharts scroll together, so the same region stays side by side. */
    private scrolled(target: EventTarget | null): void {
        const { before, after } = this.shown?.page.diagrams ?? {};
        const other = target === before ? after : target === after ? before : undefined;
        if (other) {
            const source = target as HTMLElement;
            other.scrollLeft = source.scrollLeft;
            other.scrollTop = source.scrollTop;
        }
    }

    private setRejecting(rejecting: boolean): void {
        this.rejecting = rejecting;
        this.showReview();
        if (rejecting) {
            this.shown?.page.review.reason.focus();
        }
    }

    private confirmReject(): void {
        const reason = this.shown?.page.review.reason.value.trim();
        if (reason) {
            this.decide({ type: 'reject', runId: this.shown!.pr.runId, reason });
        }
    }

    /** Sends the decision once: the buttons are disabled at once, before the extension confirms. */
    private decide(decision: Extract<FromPrWebview, { type: 'approve' | 'reject' }>): void {
        if (this.review.phase !== 'open' || (decision.type === 'approve' && this.shown?.pr.safety.verdict !== 'approved')) {
            return;
        }
        this.review = { phase: 'deploying', decision: decision.type };
        this.showReview();
        this.host.postMessage(decision);
    }
}
