import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FactoryMethods, type CrewDeployment, type GrowthResult, type GrowthStatus, type MutationPr } from '../../../language-server/src/protocol.js';
import type { PrReview, ReviewDecision } from '../../../webviews/src/messages.js';
import { uriKey } from '../preview/preview-panels.js';
import type { CrewRuns } from './crew-runs.js';
import { MutationPrPanel } from './mutation-pr-panel.js';
import type { PrDocuments } from './pr-documents.js';
import { SpecNotices } from './spec-notices.js';

/** Who started a growth: a save only speaks up when there is something to review or something went wrong. */
export type GrowTrigger = 'save' | 'command';

/**
 * The growth of a spec from its new desires, as the user drives it: started on save (when
 * `fspec/plan` finds new desires and `fspec.crew.growOnSave` allows) or by `fspec.grow`; its
 * outcome told, or its mutation PR opened for review; the review's decision deployed.
 */
export class GrowController implements vscode.Disposable {
    /** The PR view of each spec (by uri); a newer PR of the spec replaces it. */
    private readonly panels = new Map<string, MutationPrPanel>();
    /** Why each spec is being saved (by uri), from onWillSaveTextDocument until its save lands. */
    private readonly saveReasons = new Map<string, vscode.TextDocumentSaveReason>();
    private readonly notices = new SpecNotices();
    private closing = false;

    constructor(
        private readonly client: LanguageClient, private readonly runs: CrewRuns, private readonly documents: PrDocuments,
        private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel
    ) {}

    /** A document is about to be saved: remember why, so that only a save the user asked for grows it. */
    willSave(document: vscode.TextDocument, reason: vscode.TextDocumentSaveReason): void {
        this.saveReasons.set(uriKey(document.uri), reason);
    }

    /**
     * A document was saved. A spec with new desires grows when the user saved it (Ctrl+S, File: Save; not
     * auto save, which saves while they type), unless the crew is already at work on it (the server's own
     * save during a deploy lands here too) or its PR awaits review.
     */
    async saved(document: vscode.TextDocument): Promise<void> {
        const uri = uriKey(document.uri);
        const reason = this.saveReasons.get(uri);
        this.saveReasons.delete(uri);
        if (reason !== vscode.TextDocumentSaveReason.Manual
            || document.languageId !== 'fspec' || document.uri.scheme !== 'file' || this.runs.isActive(uri) || this.panels.get(uri)?.review.phase === 'open'
            || !vscode.workspace.getConfiguration('fspec.crew', document.uri).get<boolean>('growOnSave', true)) {
            return;
        }
        try {
            const plan = await this.client.sendRequest(FactoryMethods.plan, { uri });
            if (plan?.input.new_desires.length) {
                await this.grow(uri, 'save');
            }
        } catch (error) {
            this.log.warn(`Planning the growth of ${uri} failed: ${errorText(error)}`);
        }
    }

    /** Runs a growth of the spec: progress while it runs, then its outcome or its PR. */
    async grow(uri: string, trigger: GrowTrigger): Promise<void> {
        const spec = specName(uri);
        if (this.runs.isActive(uri)) {
            if (trigger === 'command') {
                void vscode.window.showInformationMessage(`The crew is already at work on ${spec}.`);
            }
            return;
        }
        this.notices.close(uri);
        let result: GrowthResult | null;
        try {
            result = await this.runs.track(uri, spec, `Growing ${spec}`, { cancellable: true }, () => this.client.sendRequest(FactoryMethods.simulate, { uri }));
        } catch (error) {
            this.log.error(`Growing ${spec} failed`, error);
            void vscode.window.showErrorMessage(`Growing ${spec} failed: ${errorText(error)}`);
            return;
        }
        if (!result) {
            this.log.warn(`Growing ${spec}: the language server has not loaded ${uri}`);
            if (trigger === 'command') {
                void vscode.window.showWarningMessage(`The language server has not loaded ${spec} yet; try again in a moment.`);
            }
            return;
        }
        this.log.info(`${spec} (run ${result.runId}): ${result.status}: ${result.message}${result.logsRoot ? ` (logs: ${result.logsRoot})` : ''}`);
        if (result.status === 'awaiting-review' && result.pr) {
            await this.openPr(uri, result.pr, { phase: 'open' });
        } else if (result.status === 'vetoed' && result.pr) {
            const pr = result.pr;
            const review = ended(result, pr);
            void vscode.window.showErrorMessage(result.message, 'Show Details').then(choice => choice && this.openPr(uri, pr, review));
        } else if (result.repositoryMissing) {
            await this.offerRepository(uri, result.message, result.repositoryMissing);
        } else if (result.specErrors) {
            this.notices.showUntilErrorsFixed(uri, result.message);
        } else if (result.status !== 'nothing-to-grow' || trigger === 'command') {
            notify(result.status, result.message);
        }
    }

    /**
     * The spec is in no git repository, so its growth could not be recorded: offer to initialize one
     * (in the spec's workspace folder, as VS Code's own Initialize Repository does), then grow again.
     */
    private async offerRepository(uri: string, message: string, specFolder: string): Promise<void> {
        const initialize = 'Initialize Repository';
        if (await vscode.window.showErrorMessage(message, initialize) !== initialize) {
            return;
        }
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(uri))?.uri ?? vscode.Uri.file(specFolder);
        try {
            const { root } = await this.client.sendRequest(FactoryMethods.initRepository, { folder: folder.toString() });
            this.log.info(`Initialized a git repository in ${root}`);
            void vscode.window.showInformationMessage(`Initialized a git repository in ${root} for the spec's lineage.`);
        } catch (error) {
            void vscode.window.showErrorMessage(`Initializing a git repository in ${folder.fsPath} failed: ${errorText(error)}`);
            return;
        }
        await this.grow(uri, 'command');
    }

    dispose(): void {
        this.closing = true;
        this.notices.dispose();
        [...this.panels.values()].forEach(panel => panel.dispose());
    }

    private async openPr(uri: string, pr: MutationPr, review: PrReview): Promise<void> {
        const shown = this.panels.get(uri);
        // The server answers a growth of a spec whose PR awaits review with that PR: show it again.
        if (shown?.pr.runId === pr.runId) {
            return shown.reveal();
        }
        shown?.dispose();
        const panel = await MutationPrPanel.open(pr, review, {
            extensionUri: this.extensionUri, documents: this.documents, log: this.log,
            decide: (decided, decision, reason) => void this.decide(uri, decided, decision, reason)
        });
        this.panels.set(uri, panel);
        panel.onDidDispose(() => {
            if (this.panels.get(uri) === panel) {
                this.panels.delete(uri);
            }
            // Closing a PR without a decision abandons it: its waiting run is cancelled, so the next save
            // or Grow Spec grows afresh from the current text (the server would answer with this PR again).
            if (panel.review.phase === 'open' && !this.closing) {
                this.log.info(`${pr.spec.name} (run ${pr.runId}): the mutation PR was closed without a review; cancelling the run`);
                this.client.sendRequest(FactoryMethods.cancel, { runId: pr.runId }).then(undefined, error => this.log.warn(`Cancelling run ${pr.runId} failed: ${errorText(error)}`));
            }
        });
    }

    /** The reviewer's decision: `fspec/deploy` under a progress notification, then the outcome in the view and a message. */
    private async decide(uri: string, panel: MutationPrPanel, decision: ReviewDecision, reason?: string): Promise<void> {
        const { pr } = panel;
        panel.setReview({ phase: 'deploying', decision });
        const title = `${decision === 'approve' ? 'Approving' : 'Rejecting'} the growth of ${pr.spec.name}`;
        try {
            const result = await this.runs.track(uri, pr.spec.name, title, { cancellable: false, runId: pr.runId },
                () => this.client.sendRequest(FactoryMethods.deploy, { runId: pr.runId, decision, ...(reason ? { reason } : {}) }));
            this.log.info(`${pr.spec.name} (run ${pr.runId}): ${decision}: ${result.status}: ${result.message}`);
            const review = ended(result, pr);
            panel.setReview(review);
            if (result.deployment?.status === 'failed') {
                // Recorded all the same, but the deployed app is still the version deployed before: worth a warning.
                void vscode.window.showWarningMessage(review.message);
            } else {
                notify(review.status, review.message);
            }
        } catch (error) {
            const message = `The ${decision === 'approve' ? 'approval' : 'rejection'} of ${pr.spec.name}'s growth failed: ${errorText(error)}`;
            this.log.error(message);
            panel.setReview({ phase: 'ended', status: 'failed', message });
            notify('failed', message);
        }
    }
}

/**
 * How a run ended, as the view and the notification say it: a growth names its version, commit and
 * tag, and whether the crew deployed it.
 */
function ended(result: GrowthResult, pr: MutationPr): Extract<PrReview, { phase: 'ended' }> {
    if (result.status !== 'grown') {
        return { phase: 'ended', status: result.status, message: result.message };
    }
    const recorded = [result.commit && `commit ${result.commit.slice(0, 7)}`, result.tag && `tag ${result.tag}`].filter(Boolean);
    const deployment = result.deployment ? `; ${deployed(result.deployment)}` : '';
    return { phase: 'ended', status: 'grown', message: `${pr.spec.name} grown to ${pr.stage.version}${recorded.length ? ` — ${recorded.join(', ')}` : ''}${deployment}` };
}

/** The crew's deploy of the grown version in a clause: deployed, or why not and what stays deployed. */
function deployed(deployment: CrewDeployment): string {
    if (deployment.status === 'deployed') {
        const passed = deployment.summary?.passed;
        return `deployed${passed === undefined ? '' : ` (${passed} acceptance test${passed === 1 ? '' : 's'} passed)`}`;
    }
    if (deployment.status === 'refused' && deployment.previous !== undefined && deployment.previous === deployment.version) {
        return 'deployed already';
    }
    const stays = deployment.previous ? `${deployment.previous} stays deployed` : 'nothing is deployed';
    return `not deployed: ${deployment.reason ?? deployment.message} (${stays}; Factory: Deploy Approved Version tries again)`;
}

function notify(status: GrowthStatus, message: string): void {
    switch (status) {
        case 'failed':
        case 'vetoed':
            void vscode.window.showErrorMessage(message);
            return;
        case 'cancelled':
            void vscode.window.showWarningMessage(message);
            return;
        default:
            void vscode.window.showInformationMessage(message);
    }
}

/** The spec's name from its header in the open document (`spec FarmOps version …`), else the file's name. */
function specName(uri: string): string {
    const document = vscode.workspace.textDocuments.find(d => uriKey(d.uri) === uri);
    const header = document && /^\s*spec\s+([A-Za-z_]\w*)/m.exec(document.getText());
    return header?.[1] ?? vscode.Uri.parse(uri).path.split('/').pop()!.replace(/\.fspec$/, '');
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
