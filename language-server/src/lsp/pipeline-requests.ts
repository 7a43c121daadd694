/**
 * Pipelines over LSP: `fspec/renderPipeline` (the flowchart, with a run's progress), and runs
 * started from the editor — `fspec/runPipeline` runs the pipeline's current text with the engine
 * (LLM stages through the configured model, or simulated), reports `fspec/pipelineEvent`, asks human
 * gates with `fspec/askQuestion` (clients that announce `initializationOptions.askQuestion`; others
 * get each question's default, else yes / the first option), and answers with how the run ended;
 * `fspec/cancelPipeline` stops it.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { CancellationTokenSource, ErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';
import { crewModel, type CrewSettings } from '../crew/crew-model.js';
import { crewNodeTypes } from '../crew/crew-vocabulary.js';
import {
    AutoApproveInterviewer, CallbackInterviewer, createDefaultRegistry, newRunId, runPipeline, ValidationError,
    type Answer, type CodergenBackend, type PipelineEvent, type PipelineGraph, type Question
} from '../crew/engine/index.js';
import { runsFolder } from '../crew/growth-run.js';
import { ignoreDerivedFolder } from '../lineage/factory-ignore.js';
import { createPiAiBackend } from '../crew/pi-ai-backend.js';
import {
    PipelineMethods, type PipelineRunEvent, type PipelineRunInfo, type PipelineRunState, type RenderPipelineParams,
    type RenderPipelineResult, type RunParams, type RunPipelineParams
} from '../protocol.js';
import { renderPipelineFlowchart, unparsedPipelineFlowchart } from '../render/pipeline-flowchart.js';
import type { PipelineLanguage } from './pipeline-language.js';

interface ActiveRun {
    readonly uri: string;
    readonly controller: AbortController;
}

const autoApprove = new AutoApproveInterviewer();
/** How long past a question's timeout the server waits for the client's own timeout answer. */
const CLIENT_GRACE_SECONDS = 2;

/** The run directory: `.factory/runs/<run id>` of the pipeline's project (its folder, or the `.factory` it is in). */
function runDirectory(uri: string, runId: string): string {
    const parsed = URI.parse(uri);
    if (parsed.scheme !== 'file') {
        return path.join(os.tmpdir(), 'fspec-pipeline-runs', runId);
    }
    const folder = path.dirname(parsed.fsPath);
    const runs = path.basename(folder) === '.factory' ? path.join(folder, 'runs') : runsFolder(parsed.fsPath);
    // Run folders hold checkpoints and logs, never committed.
    ignoreDerivedFolder(runs);
    return path.join(runs, runId);
}

function llmStages(graph: PipelineGraph): string[] {
    const registry = createDefaultRegistry();
    return [...graph.nodes.values()].filter(node => ['codergen', 'default'].includes(registry.resolve(node).type)).map(node => node.id);
}

export class PipelineRequests {
    private readonly runs = new Map<string, ActiveRun>();
    /** The latest run of each pipeline (by uri) started here, as the preview shows it. */
    private readonly lastRun = new Map<string, PipelineRunState>();
    private clientAsks = false;

    constructor(private readonly connection: Connection, private readonly shared: LangiumSharedServices, private readonly pipelines: PipelineLanguage) {
        shared.lsp.LanguageServer.onInitialize(params => {
            this.clientAsks = (params.initializationOptions as { askQuestion?: boolean } | undefined)?.askQuestion === true;
        });
    }

    render({ uri, text, run }: RenderPipelineParams): RenderPipelineResult | null {
        const analyzed = this.pipelines.analyze(uri, text);
        if (!analyzed) {
            return null;
        }
        const shown = run === undefined ? this.lastRun.get(uri) : run ?? undefined;
        const { graph, sourceMap } = analyzed.parsed;
        const diagram = graph ? renderPipelineFlowchart(graph, sourceMap, shown) : unparsedPipelineFlowchart();
        return { diagram, hasErrors: analyzed.hasErrors, tooLarge: false, ...(shown && { run: shown }) };
    }

    async run({ uri, simulate }: RunPipelineParams, token?: CancellationToken): Promise<PipelineRunInfo> {
        const analyzed = this.pipelines.analyze(uri);
        if (!analyzed) {
            throw new ResponseError(ErrorCodes.InvalidParams, `There is no pipeline at ${uri}.`);
        }
        const graph = analyzed.parsed.graph;
        const errors = analyzed.located.filter(l => l.diagnostic.severity === 'error')
            .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
        if (!graph || errors.length > 0) {
            const listed = errors.slice(0, 3).map(({ diagnostic, range }) => `line ${range.start.line + 1}: ${diagnostic.message}`).join('; ');
            const more = errors.length > 3 ? `; and ${errors.length - 3} more` : '';
            throw new ResponseError(ErrorCodes.InvalidRequest, `${graph?.id ?? 'The pipeline'} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}, so it cannot run: ${listed}${more} (see the Problems).`);
        }
        const crewTypes = new Set(crewNodeTypes());
        const crewNodes = [...graph.nodes.values()].filter(node => crewTypes.has(node.type));
        if (crewNodes.length > 0) {
            throw new ResponseError(ErrorCodes.InvalidRequest, `${graph.id} is a crew pipeline (${crewNodes.slice(0, 3).map(n => `${n.id}: ${n.type}`).join(', ')}${crewNodes.length > 3 ? ', …' : ''}): `
                + 'its steps grow a spec, so it runs when a spec grows (Grow Spec). Run Pipeline runs general pipelines (LLM, tool, human and routing nodes).');
        }
        if ([...this.runs.values()].some(r => r.uri === uri)) {
            throw new ResponseError(ErrorCodes.InvalidRequest, `${graph.id} is running already; cancel that run first.`);
        }

        // Tool nodes and the tools of LLM stages work beside the pipeline file.
        const workdir = URI.parse(uri).scheme === 'file' ? path.dirname(URI.parse(uri).fsPath) : os.tmpdir();
        const model = simulate || llmStages(graph).length === 0 ? undefined : await this.model();
        const backend: CodergenBackend | undefined = model?.llm && createPiAiBackend(model.llm, { timeoutMs: model.timeoutMs, settings: model.settings, workdir });
        const runId = newRunId();
        const logsRoot = runDirectory(uri, runId);
        const controller = new AbortController();
        token?.onCancellationRequested(() => controller.abort(new Error('cancelled by the client')));
        const state: PipelineRunState = { completed: [], failed: [] };
        this.lastRun.set(uri, state);
        this.runs.set(runId, { uri, controller });
        const send = (event: PipelineRunEvent) => void this.connection.sendNotification(PipelineMethods.pipelineEvent, { runId, uri, event, state: { ...state, completed: [...state.completed], failed: [...state.failed] } });
        const simulated = !backend;
        send({
            kind: 'started', name: graph.id, logsRoot, simulated, ...(backend && { model: model!.describe }),
            ...(simulated && !simulate && model && { reason: model.describe === 'offline' ? 'no model is configured' : model.describe })
        });
        const registry = createDefaultRegistry({
            backend,
            interviewer: new CallbackInterviewer((question, signal) => this.ask(runId, uri, question, signal)),
            toolWorkdir: workdir
        });
        const onEvent = (event: PipelineEvent) => {
            const stage = this.track(graph, state, event);
            if (stage) {
                send(stage);
            }
        };
        let info: PipelineRunInfo;
        try {
            const result = await runPipeline(graph, { logsRoot, runId, registry, signal: controller.signal, onEvent });
            const where = URI.parse(uri).scheme === 'file' ? path.relative(path.dirname(URI.parse(uri).fsPath), result.logs_root) || '.' : result.logs_root;
            const message = result.status === 'success'
                ? `${graph.id} succeeded: ${result.completed_nodes.join(' → ')}${simulated ? ' (LLM stages simulated)' : ''}; run directory ${where}.`
                : result.status === 'fail'
                    ? `${graph.id} failed: ${result.failure_reason ?? result.outcome.status}; run directory ${where}.`
                    : `${graph.id} was cancelled; run directory ${where}.`;
            info = {
                runId, uri, name: graph.id, status: result.status, message, completed: [...result.completed_nodes],
                ...(result.failure_reason !== undefined && { failureReason: result.failure_reason }),
                logsRoot: result.logs_root, simulated, ...(backend && { model: model!.describe })
            };
        } catch (error) {
            const reason = error instanceof ValidationError ? error.message : error instanceof Error ? error.message : String(error);
            info = { runId, uri, name: graph.id, status: 'fail', message: `${graph.id} stopped: ${reason}`, completed: [...state.completed], failureReason: reason, logsRoot, simulated };
        } finally {
            this.runs.delete(runId);
            state.current = undefined;
        }
        send({ kind: 'finished', result: info });
        return info;
    }

    cancel({ runId }: RunParams): void {
        this.runs.get(runId)?.controller.abort(new Error('cancelled by the user'));
    }

    /** The configured model (the crew's settings), or why there is none; a misconfiguration is the client's error. */
    private async model() {
        const settings: CrewSettings = await this.shared.workspace.ConfigurationProvider.getConfiguration('fspec', 'crew') ?? {};
        try {
            return { ...await crewModel(settings, process.env, process.env.FSPEC_CREW_API_KEY), settings };
        } catch (error) {
            throw new ResponseError(ErrorCodes.InvalidRequest, error instanceof Error ? error.message : String(error));
        }
    }

    /**
     * A human gate: asked of the client when it can ask; otherwise its default, else yes or the first
     * option. The client closes a question at its `timeout_seconds`; should it not answer by then (and
     * a little more), the question is withdrawn and answered TIMEOUT, and the gate takes its default.
     */
    private async ask(runId: string, uri: string, question: Question, signal?: AbortSignal): Promise<Answer> {
        if (!this.clientAsks) {
            return question.default ?? autoApprove.ask(question);
        }
        const source = new CancellationTokenSource();
        const abort = () => source.cancel();
        signal?.addEventListener('abort', abort, { once: true });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const expired = question.timeout_seconds === undefined ? undefined : new Promise<Answer>(resolve => {
            timer = setTimeout(() => {
                source.cancel();
                resolve({ value: 'TIMEOUT' });
            }, (question.timeout_seconds! + CLIENT_GRACE_SECONDS) * 1000);
        });
        try {
            const asked = this.connection.sendRequest(PipelineMethods.askQuestion, { runId, uri, question }, source.token);
            return await (expired ? Promise.race([asked, expired]) : asked);
        } finally {
            clearTimeout(timer);
            signal?.removeEventListener('abort', abort);
            source.dispose();
        }
    }

    /** Updates the run's state with an engine event; returns the progress event to send, if any. */
    private track(graph: PipelineGraph, state: PipelineRunState, event: PipelineEvent): PipelineRunEvent | undefined {
        const label = (id: string) => graph.nodes.get(id)?.label ?? id;
        switch (event.kind) {
            case 'StageStarted':
                state.current = event.node_id;
                return { kind: 'stage', node: event.node_id, label: label(event.node_id), status: 'started', ...(event.attempt > 1 && { detail: `attempt ${event.attempt}` }) };
            case 'StageCompleted':
                state.completed.push(event.node_id);
                state.current = undefined;
                return { kind: 'stage', node: event.node_id, label: label(event.node_id), status: 'completed', detail: event.status };
            case 'StageFailed':
                if (event.will_retry) {
                    return undefined;
                }
                state.failed.push(event.node_id);
                state.current = undefined;
                return { kind: 'stage', node: event.node_id, label: label(event.node_id), status: 'failed', detail: event.error };
            case 'StageRetrying':
                return { kind: 'stage', node: event.node_id, label: label(event.node_id), status: 'retrying', detail: `attempt ${event.attempt + 1} in ${Math.round(event.delay_ms)} ms` };
            case 'InterviewStarted':
                return { kind: 'question', node: event.stage, text: event.question.text };
            case 'InterviewCompleted':
                return { kind: 'answered', node: event.question.stage, answer: event.answer.selected_option?.label ?? event.answer.text ?? event.answer.value };
            case 'InterviewTimeout':
                return { kind: 'answered', node: event.stage, answer: event.question.default?.selected_option?.label ?? 'timed out' };
            default:
                return undefined;
        }
    }
}

export function registerPipelineRequests(connection: Connection, shared: LangiumSharedServices, pipelines: PipelineLanguage): void {
    const requests = new PipelineRequests(connection, shared, pipelines);
    connection.onRequest(PipelineMethods.renderPipeline, params => requests.render(params));
    connection.onRequest(PipelineMethods.runPipeline, (params, token) => requests.run(params, token));
    connection.onRequest(PipelineMethods.cancelPipeline, params => requests.cancel(params));
}
