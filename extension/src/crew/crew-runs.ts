import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FactoryMethods, type CrewRunEvent, type RunEventParams } from '../../../language-server/src/protocol.js';
import { uriKey } from '../preview/preview-panels.js';

/** A request of the crew in flight for one spec: a growth, or the deploy of a review. */
interface ActiveRun {
    /** The spec's uri, as uriKey spells it. */
    uri: string;
    spec: string;
    /** Known from the first `fspec/runEvent` of a growth; given for a deploy. */
    runId?: string;
    /** The user pressed Cancel before the run id was known: cancel as soon as it is. */
    cancelRequested: boolean;
    stage?: string;
    progress: vscode.Progress<{ message?: string }>;
}

type Stage = Extract<CrewRunEvent, { kind: 'stage' }>;

/**
 * The crew's runs as the user sees them while they work: a progress notification per run showing
 * the stage the crew is at (from the server's `fspec/runEvent`), Cancel sending `fspec/cancel`, and
 * a status bar item while any run is active.
 */
export class CrewRuns implements vscode.Disposable {
    private readonly runs = new Set<ActiveRun>();
    private readonly statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left);

    constructor(private readonly client: LanguageClient, private readonly log: vscode.LogOutputChannel) {
        this.statusItem.command = 'fspec.showOutput';
    }

    isActive(uri: string): boolean {
        const key = uriKey(uri);
        return [...this.runs].some(run => run.uri === key);
    }

    /**
     * Runs a crew request for a spec under a progress notification titled `title`; cancellable
     * ones send `fspec/cancel` and still wait for the request's answer (the run says it was cancelled).
     */
    track<T>(uri: string, spec: string, title: string, options: { cancellable: boolean; runId?: string }, request: () => Promise<T>): Promise<T> {
        return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: options.cancellable }, async (progress, token) => {
            const run: ActiveRun = { uri: uriKey(uri), spec, runId: options.runId, cancelRequested: false, progress };
            this.runs.add(run);
            this.showStatus();
            const cancellation = token.onCancellationRequested(() => {
                run.cancelRequested = true;
                run.stage = 'Cancelling…';
                progress.report({ message: run.stage });
                this.showStatus();
                this.cancel(run);
            });
            try {
                return await request();
            } finally {
                cancellation.dispose();
                this.runs.delete(run);
                this.showStatus();
            }
        }));
    }

    /**
     * The server's `fspec/runEvent`: the stages a run goes through. A growth learns its run id from
     * the first event of an unknown run on its spec (then cancels, if the user already asked to).
     */
    runEvent({ runId, uri, event }: RunEventParams): void {
        const runs = [...this.runs];
        const run = runs.find(r => r.runId === runId) ?? runs.find(r => r.runId === undefined && r.uri === uriKey(uri));
        if (!run) {
            return;
        }
        if (run.runId === undefined) {
            run.runId = runId;
            this.cancel(run);
        }
        if (event.kind === 'stage' && event.status !== 'completed' && !run.cancelRequested) {
            run.stage = stageText(event);
            this.log.info(`${run.spec} (run ${runId}): ${run.stage}${event.detail ? ` (${event.detail})` : ''}`);
            run.progress.report({ message: run.stage });
            this.showStatus();
        }
    }

    dispose(): void {
        this.statusItem.dispose();
    }

    /** Sends `fspec/cancel` once both the user's Cancel and the run id are there. */
    private cancel(run: ActiveRun): void {
        if (run.cancelRequested && run.runId !== undefined) {
            const runId = run.runId;
            this.client.sendRequest(FactoryMethods.cancel, { runId }).then(undefined, error => this.log.warn(`Cancelling run ${runId} failed: ${String(error)}`));
        }
    }

    private showStatus(): void {
        const runs = [...this.runs.values()];
        if (runs.length === 0) {
            return this.statusItem.hide();
        }
        const [only] = runs;
        this.statusItem.text = runs.length === 1 ? `$(sync~spin) ${only.spec}${only.stage ? `: ${only.stage}` : ''}` : `$(sync~spin) Crew: ${runs.length} runs`;
        this.statusItem.tooltip = runs.map(run => `${run.spec}: ${run.stage ?? 'starting'}`).join('\n');
        this.statusItem.show();
    }
}

/** `Planner: Propose morphs`, and what went wrong or is tried again. */
function stageText(event: Stage): string {
    const text = event.role ? `${event.role}: ${event.label}` : event.label;
    switch (event.status) {
        case 'retrying': return `${text} (retrying)`;
        case 'failed': return `${text} (failed)`;
        default: return text;
    }
}
