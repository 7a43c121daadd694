/**
 * *Factory: Run Pipeline*: runs the active `.dot` pipeline in the language server (its editor text,
 * LLM stages through the crew's model when one is configured, else simulated), with its stages in a
 * progress notification whose Cancel stops the run; the preview highlights the node running. Human
 * gates are asked here (ask-question.ts) as the server's `fspec/askQuestion`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { PipelineMethods, type PipelineEventParams, type PipelineRunEvent, type PipelineRunInfo } from '../../../language-server/src/protocol.js';
import type { Previews } from '../preview/preview-manager.js';
import { activePipelineUri, uriKey } from '../preview/preview-panels.js';
import { askInVsCode } from './ask-question.js';

/** A run this window started, waiting for its events. */
interface Watched {
    runId?: string;
    /** The first event named the run. */
    started(runId: string): void;
    report(event: PipelineRunEvent): void;
}

/** The progress line of an event; undefined for none. */
export function progressMessage(event: PipelineRunEvent): string | undefined {
    switch (event.kind) {
        case 'started':
            return event.simulated ? `LLM stages simulated${event.reason ? ` (${event.reason})` : ''}` : `LLM stages on ${event.model}`;
        case 'stage':
            return event.status === 'started' ? `${event.label}…` : event.status === 'retrying' ? `${event.label}: retrying (${event.detail})` : undefined;
        case 'question':
            return `Waiting for your answer: ${event.text}`;
        default:
            return undefined;
    }
}

export function registerPipelineRuns(context: vscode.ExtensionContext, client: LanguageClient, log: vscode.LogOutputChannel, previews: Previews): void {
    /** Runs by pipeline uri (the server's events name the uri at once, the run id with them). */
    const watched = new Map<string, Watched>();

    const run = async (target?: string | vscode.Uri, options: { simulate?: boolean } = {}): Promise<PipelineRunInfo | undefined> => {
        const uri = target === undefined ? activePipelineUri() : uriKey(target);
        if (uri === undefined) {
            void vscode.window.showInformationMessage('Open a .dot pipeline to run it.');
            return undefined;
        }
        if (watched.has(uri)) {
            void vscode.window.showInformationMessage('This pipeline is running already.');
            return undefined;
        }
        const file = vscode.Uri.parse(uri).path.split('/').pop();
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Running ${file}`, cancellable: true }, async (progress, token) => {
            let cancelRequested = false;
            const cancel = (runId: string) => void client.sendRequest(PipelineMethods.cancelPipeline, { runId }).then(undefined, error => log.warn(`Cannot cancel ${runId}: ${String(error)}`));
            const run: Watched = {
                started: runId => {
                    run.runId = runId;
                    if (cancelRequested) {
                        cancel(runId);
                    }
                },
                report: event => {
                    const message = progressMessage(event);
                    if (message) {
                        progress.report({ message });
                    }
                }
            };
            // Cancel before the run has started is sent once its first event names it.
            token.onCancellationRequested(() => {
                cancelRequested = true;
                if (run.runId) {
                    cancel(run.runId);
                }
            });
            watched.set(uri, run);
            try {
                const result = await client.sendRequest(PipelineMethods.runPipeline, { uri, ...(options.simulate !== undefined && { simulate: options.simulate }) });
                log.info(result.message);
                if (result.status === 'fail') {
                    void vscode.window.showWarningMessage(result.message);
                } else {
                    void vscode.window.showInformationMessage(result.message);
                }
                return result;
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                log.warn(`Run Pipeline ${uri}: ${message}`);
                void vscode.window.showErrorMessage(message);
                return undefined;
            } finally {
                watched.delete(uri);
            }
        });
    };

    context.subscriptions.push(
        vscode.commands.registerCommand('fspec.pipeline.run', run),
        client.onNotification(PipelineMethods.pipelineEvent, ({ runId, uri, event }: PipelineEventParams) => {
            const key = uriKey(uri);
            const watching = watched.get(key);
            if (watching && watching.runId === undefined) {
                watching.started(runId);
            }
            watching?.report(event);
            if (event.kind === 'stage' && event.status !== 'started') {
                log.info(`${runId} ${event.node}: ${event.status}${event.detail ? ` (${event.detail})` : ''}`);
            }
            previews.pipelineChanged(key);
        }),
        client.onRequest(PipelineMethods.askQuestion, ({ question }, token) => askInVsCode(question, token))
    );
}
