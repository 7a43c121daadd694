import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import type { FspecServices } from '../fspec-module.js';
import { atomicWrite } from '../lineage/atomic-write.js';
import { ignoreDerivedFolder } from '../lineage/factory-ignore.js';
import type { CrewRunEvent } from '../protocol.js';
import { registerCrewHandlers, type CrewEnvironment } from './crew-handlers.js';
import { acquireGrowthLock } from './growth-lock.js';
import { crewPipelineSource, parseCrewPipeline } from './crew-pipeline.js';
import { CrewValues, mutationPr } from './crew-state.js';
import {
    CallbackInterviewer, Context, createDefaultRegistry, isExitNode, isStartNode, newRunId, resumePipeline, runPipeline, ValidationError,
    type Answer, type PipelineEvent, type PipelineGraph, type PipelineRunResult, type Question
} from './engine/index.js';
import type { CrewLlm } from './llm.js';
import type { GrowthResult, MutationPr } from './mutation-pr.js';
import { deploymentClause } from './release-handler.js';
import { failingRequiredTests, simulateGrowth } from './roles/tester.js';

/** The reviewer's answer to a mutation PR. */
export interface ReviewAnswer {
    decision: 'approve' | 'reject';
    reason?: string;
}

export interface GrowthRunOptions {
    specPath: string;
    /** The text to grow (the file, or the editor's saved buffer). */
    text: string;
    /** The model for the Planner; offline when absent. */
    llm?: CrewLlm;
    /** How long one model call may take. */
    llmTimeoutMs?: number;
    /** Shows the mutation PR and waits for the reviewer. */
    review(pr: MutationPr, signal: AbortSignal): Promise<ReviewAnswer>;
    /** Writes the grown (or, on a failed record, restored) spec text. */
    deploy(specPath: string, text: string): Promise<void>;
    signal?: AbortSignal;
    onEvent?(event: CrewRunEvent): void;
    /** The id of a new run (made here when absent). */
    runId?: string;
    /** Continue this interrupted run from its checkpoint instead of starting one. */
    resume?: string;
}

/** A run that stopped without a result (the server or CLI died): it can go on from its checkpoint. */
export interface InterruptedRun {
    runId: string;
    /** The last step that completed. */
    step: string;
    /** The spec text the run grows, and the grown text once the Compiler ran. */
    before: string;
    after?: string;
}

const resultFile = 'result.json';

/** Where a spec's runs are kept: `.factory/runs/<id>` beside it, never committed. */
export function runsFolder(specPath: string): string {
    return path.join(path.dirname(path.resolve(specPath)), '.factory', 'runs');
}

/**
 * One growth of one spec: the crew pipeline (crew.dot) run by the engine with the crew's steps,
 * the review gate answered through `review`, and the engine's result read back as a GrowthResult.
 */
export async function runGrowth(services: FspecServices, options: GrowthRunOptions): Promise<GrowthResult> {
    const specPath = path.resolve(options.specPath);
    const runId = options.resume ?? options.runId ?? newRunId();
    const logsRoot = path.join(runsFolder(specPath), runId);
    // Run folders hold checkpoints and logs, not spec history: git ignores them.
    ignoreDerivedFolder(runsFolder(specPath));
    const lock = acquireGrowthLock(runsFolder(specPath), runId);
    if (lock.holder) {
        const { pid, runId: held, since } = lock.holder;
        const result: GrowthResult = {
            runId, status: 'failed', logsRoot,
            message: `Another growth of ${path.basename(specPath)} is running (run ${held}, process ${pid}${since ? `, since ${since}` : ''}): it holds the spec until it ends; grow again then.`
        };
        options.onEvent?.({ kind: 'finished', result });
        return result;
    }
    try {
        return await growUnderLock(services, options, specPath, runId, logsRoot);
    } finally {
        lock.release();
    }
}

async function growUnderLock(services: FspecServices, options: GrowthRunOptions, specPath: string, runId: string, logsRoot: string): Promise<GrowthResult> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    let pr: MutationPr | undefined;
    let rejection: string | undefined;
    // The crew's human gates are answered by the review: approve and reject pick the options labelled so.
    const registry = createDefaultRegistry({ interviewer: new CallbackInterviewer(async (question, questionSignal) => {
        if (!pr) {
            throw new Error(`The crew asked "${question.text}" before any mutation PR existed; check the order of steps in crew.dot.`);
        }
        const answer = await options.review(pr, questionSignal ?? signal);
        rejection = answer.decision === 'reject' ? answer.reason : undefined;
        return answerFor(question, answer.decision);
    }) });
    const env: CrewEnvironment = {
        services, llm: options.llm, llmTimeoutMs: options.llmTimeoutMs, deploy: options.deploy,
        onSimulated: values => { pr = mutationPr(runId, new CrewValues(values), new CrewValues(values).require('crew.simulation')); },
        rejectionReason: () => rejection
    };
    registerCrewHandlers(registry, env);
    const finish = async (result: GrowthResult) => {
        if (fs.existsSync(logsRoot)) {
            await atomicWrite(path.join(logsRoot, resultFile), JSON.stringify(result, null, 2));
        }
        options.onEvent?.({ kind: 'finished', result });
        return result;
    };
    let graph: PipelineGraph;
    try {
        graph = parseCrewPipeline(crewPipelineSource(specPath));
    } catch (error) {
        return finish({ runId, status: 'failed', message: errorMessage(error), logsRoot });
    }
    const engineOptions = {
        logsRoot, registry, signal, runId,
        onEvent: (event: PipelineEvent) => {
            const stage = stageEvent(graph, event);
            if (stage) {
                options.onEvent?.(stage);
            }
        },
        context: new Context({ 'crew.spec_path': specPath, 'crew.before': options.text })
    };
    try {
        if (options.resume) {
            // A resumed run asks for review again from its checkpoint, so the PR is rebuilt from there.
            const values = new CrewValues(JSON.parse(fs.readFileSync(path.join(logsRoot, 'checkpoint.json'), 'utf8')).context);
            const simulation = values.get('crew.simulation');
            pr = simulation && mutationPr(runId, values, simulation);
        }
        const result = options.resume ? await resumePipeline(graph, engineOptions) : await runPipeline(graph, engineOptions);
        return finish(await growthResult(services, runId, result));
    } catch (error) {
        const message = error instanceof ValidationError ? `The crew pipeline is invalid: ${error.message}` : errorMessage(error);
        return finish({ runId, status: 'failed', message, logsRoot });
    }
}

/** The newest run of this spec that has a checkpoint but no result, if any. */
export function interruptedRun(specPath: string): InterruptedRun | undefined {
    const folder = runsFolder(specPath);
    const runIds = fs.existsSync(folder) ? fs.readdirSync(folder).filter(id => !id.startsWith('.')).sort().reverse() : [];
    for (const runId of runIds) {
        const checkpointFile = path.join(folder, runId, 'checkpoint.json');
        if (!fs.existsSync(checkpointFile) || fs.existsSync(path.join(folder, runId, resultFile))) {
            continue;
        }
        const checkpoint = JSON.parse(fs.readFileSync(checkpointFile, 'utf8')) as { current_node: string, context: Record<string, unknown> };
        const crew = new CrewValues(checkpoint.context);
        const before = crew.get('crew.before');
        if (before !== undefined && path.resolve(crew.get('crew.spec_path') ?? '') === path.resolve(specPath)) {
            return { runId, step: checkpoint.current_node, before, after: crew.get('crew.after') };
        }
    }
    return undefined;
}

/** The engine's result in the user's terms. */
async function growthResult(services: FspecServices, runId: string, result: PipelineRunResult): Promise<GrowthResult> {
    const crew = new CrewValues(result.context);
    const base = { runId, logsRoot: result.logs_root };
    const name = crew.get('crew.spec_name') ?? 'The spec';
    // Cancelled after the record (during the release): the growth is in the lineage, only its deploy was not.
    if (result.status === 'cancelled' && !crew.get('crew.tag')) {
        return { ...base, status: 'cancelled', message: `The growth of ${name} was cancelled; the spec and its lineage are unchanged.` };
    }
    const safety = crew.get('crew.safety');
    if (result.status === 'fail') {
        if (safety?.verdict === 'vetoed') {
            const simulation = await vetoedSimulation(services, crew);
            return { ...base, status: 'vetoed', message: result.failure_reason ?? 'Safety vetoed the growth.', pr: mutationPr(runId, crew, simulation) };
        }
        const simulation = crew.get('crew.simulation');
        if (simulation && failingRequiredTests(simulation.tests).length) {
            return { ...base, status: 'vetoed', message: result.failure_reason ?? 'The Tester refused the growth.', pr: mutationPr(runId, crew, simulation) };
        }
        const repositoryMissing = crew.get('crew.repository_missing');
        const specErrors = crew.get('crew.spec_errors');
        return {
            ...base, status: 'failed', message: result.failure_reason ?? 'The growth failed.',
            ...(repositoryMissing ? { repositoryMissing } : {}), ...(specErrors ? { specErrors } : {})
        };
    }
    if (crew.get('crew.has_desires') === false) {
        return { ...base, status: 'nothing-to-grow', message: `${name} has no new desires: every desire's outputs, constraints and sources are realized.` };
    }
    const stage = crew.require('crew.stage');
    const pr = mutationPr(runId, crew, crew.require('crew.simulation'));
    const rejection = crew.get('crew.rejection');
    if (rejection !== undefined) {
        return { ...base, status: 'rejected', pr, reason: rejection, message: `The growth of ${name} to ${stage.version} was rejected (${rejection}); the spec is unchanged.` };
    }
    const commit = crew.require('crew.commit');
    const tag = crew.require('crew.tag');
    const deployment = crew.get('crew.deployment');
    const deployed = deployment ? `; ${deploymentClause(deployment)}` : result.status === 'cancelled' ? '; its deploy was cancelled, so it is not deployed' : '';
    return {
        ...base, status: 'grown', pr, commit, tag, ...(deployment ? { deployment } : {}),
        message: `${name} grew to ${stage.version} (${stage.name}): commit ${commit.slice(0, 7)}, tag ${tag}${deployed}.`
    };
}

/** A vetoed growth never reaches the Tester; its PR still shows what was proposed, simulated here. */
async function vetoedSimulation(services: FspecServices, crew: CrewValues) {
    const uri = URI.file(crew.require('crew.spec_path'));
    const before = await services.model.DetachedSpecs.load(crew.require('crew.before'), uri);
    const after = await services.model.DetachedSpecs.load(crew.require('crew.after'), uri);
    return simulateGrowth(before.graph!, after.graph!, crew.require('crew.plan').tests);
}

function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** Engine events as the crew's progress: a step of a role started, finished, failed or is retried. */
function stageEvent(graph: PipelineGraph, event: PipelineEvent): CrewRunEvent | undefined {
    const status = ({ StageStarted: 'started', StageCompleted: 'completed', StageFailed: 'failed', StageRetrying: 'retrying' } as const)[event.kind as string];
    if (!status || !('node_id' in event)) {
        return undefined;
    }
    const node = graph.nodes.get(event.node_id);
    // Start and exit are the engine's bookkeeping, not crew work.
    if (!node || isStartNode(node) || isExitNode(node)) {
        return undefined;
    }
    const role = node?.attrs.role;
    const detail = event.kind === 'StageFailed' ? event.error : undefined;
    return { kind: 'stage', node: event.node_id, label: node.label || event.node_id, ...(role ? { role } : {}), status, ...(detail ? { detail } : {}) };
}

function answerFor(question: Question, decision: ReviewAnswer['decision']): Answer {
    const option = question.options.find(o => o.label.toLowerCase().includes(decision)) ?? question.options[0];
    return { value: option.key, selected_option: option };
}
