import * as fs from 'node:fs';
import { URI } from 'langium';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { crewModel, type CrewSettings } from '../crew/crew-model.js';
import { newRunId } from '../crew/engine/index.js';
import { interruptedRun, runGrowth, type ReviewAnswer } from '../crew/growth-run.js';
import type { GrowthResult } from '../crew/mutation-pr.js';
import { changedDesires, plannerInput, planOffline } from '../crew/roles/planner.js';
import type { FspecServices } from '../fspec-module.js';
import { atomicWrite } from '../lineage/atomic-write.js';
import { FactoryMethods, type GrowParams, type PlanResult, type ReviewParams, type RunParams } from '../protocol.js';

/** A growth run the server is running for a client. */
interface ActiveRun {
    uri: string;
    controller: AbortController;
    /** Set while the run waits for the review. */
    answer?: (answer: ReviewAnswer) => void;
    /** The result the review was opened with, to reopen it. */
    awaiting?: GrowthResult;
    done?: Promise<GrowthResult>;
}

/**
 * The crew over LSP: `fspec/plan`, `fspec/simulate` (a run up to its review), `fspec/deploy` (the
 * review's answer), `fspec/cancel`, with progress as `fspec/runEvent`. The JSON is the CLI's `--json`.
 */
export class CrewRequests {
    private readonly runs = new Map<string, ActiveRun>();
    /** Whether the client saves documents on `fspec/save` (announced in initializationOptions). */
    private clientSaves = false;

    constructor(private readonly connection: Connection, private readonly services: FspecServices) {
        services.shared.lsp.LanguageServer.onInitialize(params => {
            this.clientSaves = (params.initializationOptions as { saveRequest?: boolean } | undefined)?.saveRequest === true;
        });
    }

    async plan({ uri, text }: GrowParams): Promise<PlanResult | null> {
        const { specPath, current } = this.spec(uri, text);
        const spec = await this.services.model.DetachedSpecs.load(current, URI.file(specPath));
        if (!spec.graph) {
            return null;
        }
        // With a model, desires new or changed since the approved version grow from their goal alone, as the run's refine step decides.
        const { llm } = await crewModel(await this.crewSettings(), process.env, process.env.FSPEC_CREW_API_KEY);
        const approved = llm && (await this.services.model.ApprovedVersions.find(spec.graph.name, spec.document.uri.toString()))?.graph;
        const input = plannerInput(spec.graph, changedDesires(approved, spec.graph));
        return { input, output: planOffline(spec.graph, input), planner: 'offline' };
    }

    async simulate({ uri, text }: GrowParams): Promise<GrowthResult | null> {
        const { specPath, current } = this.spec(uri, text);
        const running = [...this.runs.values()].find(run => run.uri === uri);
        if (running?.awaiting) {
            return running.awaiting;
        }
        if (running) {
            throw new ResponseError(ErrorCodes.InvalidRequest, 'A growth of this spec is already running.');
        }
        // A run cut short by a restart goes on from its checkpoint when the spec is still what it left.
        const interrupted = interruptedRun(specPath);
        const resume = interrupted && (interrupted.before === current || interrupted.after === current) ? interrupted.runId : undefined;
        const { llm, timeoutMs } = await crewModel(await this.crewSettings(), process.env, process.env.FSPEC_CREW_API_KEY);
        const controller = new AbortController();
        const runId = resume ?? newRunId();
        let opened: (result: GrowthResult) => void = () => undefined;
        const reviewOpened = new Promise<GrowthResult>(resolve => opened = resolve);
        const run: ActiveRun = { uri, controller };
        this.runs.set(runId, run);
        const done = runGrowth(this.services, {
            specPath, text: current, llm, llmTimeoutMs: timeoutMs, runId, resume, signal: controller.signal,
            deploy: (file, grown) => this.deploySpec(uri, file, grown),
            onEvent: event => void this.connection.sendNotification(FactoryMethods.runEvent, { runId, uri, event }),
            review: (pr, signal) => new Promise<ReviewAnswer>((resolve, reject) => {
                run.answer = resolve;
                run.awaiting = { runId, status: 'awaiting-review', pr, logsRoot: '', message: `The growth of ${pr.spec.name} to ${pr.stage.version} waits for review.` };
                signal.addEventListener('abort', () => {
                    // A cancelled review is over: a later simulate must start afresh, not reopen it.
                    run.answer = undefined;
                    run.awaiting = undefined;
                    reject(signal.reason);
                }, { once: true });
                void this.connection.sendNotification(FactoryMethods.runEvent, { runId, uri, event: { kind: 'review', result: run.awaiting } });
                opened(run.awaiting);
            })
        }).finally(() => this.runs.delete(runId));
        run.done = done;
        return Promise.race([reviewOpened, done]);
    }

    async deploy({ runId, decision, reason }: ReviewParams): Promise<GrowthResult> {
        const run = this.runs.get(runId);
        if (!run?.answer) {
            throw new ResponseError(ErrorCodes.InvalidParams, `No growth run ${runId} is waiting for review (if the server restarted, grow again: the run resumes from its checkpoint).`);
        }
        const answer = run.answer;
        run.answer = undefined;
        run.awaiting = undefined;
        answer({ decision, reason });
        return run.done!;
    }

    cancel({ runId }: RunParams): void {
        this.runs.get(runId)?.controller.abort(new Error('cancelled by the user'));
    }

    private async crewSettings(): Promise<CrewSettings> {
        return await this.services.shared.workspace.ConfigurationProvider.getConfiguration('fspec', 'crew') ?? {};
    }

    /** The spec file behind a uri, and the text to grow: the given one, the editor's, or the file's. */
    private spec(uri: string, text: string | undefined): { specPath: string, current: string } {
        const parsed = URI.parse(uri);
        if (parsed.scheme !== 'file') {
            throw new ResponseError(ErrorCodes.InvalidParams, 'Save the spec to a file first: its growth is recorded in the git repository holding it.');
        }
        const documents = this.services.shared.workspace.LangiumDocuments;
        const current = text ?? (documents.hasDocument(parsed) ? documents.getDocument(parsed)!.textDocument.getText() : fs.readFileSync(parsed.fsPath, 'utf8'));
        return { specPath: parsed.fsPath, current };
    }

    /**
     * The Deployer's write: through the client (`workspace/applyEdit`, then `fspec/save`) so the
     * editor shows it and can undo it; straight to the file for clients that cannot save on request.
     */
    private async deploySpec(uri: string, file: string, text: string): Promise<void> {
        const documents = this.services.shared.workspace.LangiumDocuments;
        const parsed = URI.parse(uri);
        const open = documents.hasDocument(parsed) ? documents.getDocument(parsed)!.textDocument : undefined;
        if (open && open.getText() !== fs.readFileSync(file, 'utf8')) {
            throw new Error(`${file} has unsaved edits in the editor; save or revert them, then grow again.`);
        }
        if (this.clientSaves && open) {
            const applied = await this.connection.workspace.applyEdit({
                label: 'Grow spec',
                edit: { changes: { [uri]: [{ range: { start: { line: 0, character: 0 }, end: open.positionAt(open.getText().length) }, newText: text }] } }
            });
            if (applied.applied && await this.connection.sendRequest(FactoryMethods.save, { uri })) {
                return;
            }
        }
        await atomicWrite(file, text);
    }
}

export function registerCrewRequests(connection: Connection, services: FspecServices): void {
    const crew = new CrewRequests(connection, services);
    connection.onRequest(FactoryMethods.plan, params => crew.plan(params));
    connection.onRequest(FactoryMethods.simulate, params => crew.simulate(params));
    connection.onRequest(FactoryMethods.deploy, params => crew.deploy(params));
    connection.onRequest(FactoryMethods.cancel, params => crew.cancel(params));
}
