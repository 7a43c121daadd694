/**
 * The factory's custom LSP methods, typed once for the server, the extension and any other client
 * (the seed's API sketch as requests: normalize, render, diff, lineage). Imports nothing but
 * protocol types, so the extension can use it without pulling in the server.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { PlannerInput, PlannerOutput } from './crew/contracts.js';
import type { AcceptanceReport } from './compiler/tester/report.js';
import type { GrowthResult } from './crew/mutation-pr.js';
import type { DeployResult } from './crew/roles/deployer.js';
import type { RecordedVersion } from './lineage/recorded-versions.js';
import type { Deployment, Variant } from './lineage/spec-repository.js';
import type { StartedVariant } from './lineage/start-variant.js';
import type { Morph } from './model/morphs.js';
import type { NormalizedSpecGraph, SourceRange } from './model/spec-graph.js';
import type { Diagram, DiagramMode } from './render/diagram.js';

export interface DocumentParams {
    uri: string;
}

export interface RenderParams extends DocumentParams {
    mode: DiagramMode;
    /** Flowchart only: one pipeline, for specs too large to show whole. */
    pipeline?: string;
}

export interface RenderResult {
    diagram: Diagram;
    /** The spec has errors: the diagram shows what parsed; a preview may keep its last good one. */
    hasErrors: boolean;
    /** The diagram exceeds Mermaid's default limits; offer the per-pipeline view. */
    tooLarge: boolean;
}

export interface DiffParams extends DocumentParams {
    /** The earlier version; without it, the spec's last approved version. */
    against?: string;
}

export interface DiffResult {
    /** Where the earlier version came from; absent when there is none to compare with. */
    against?: string;
    morphs: Morph[];
}

export interface LineageEntryInfo {
    name: string;
    version: string;
    variant: boolean;
    from?: string;
    /** Applied morphs as written: `add_source contracts_feed`. */
    by: string[];
    /** The stage the spec header says the spec is at. */
    current: boolean;
    range?: SourceRange;
}

export interface LineageResult {
    spec: string;
    version: string;
    entries: LineageEntryInfo[];
    /** The last approved version, when one is found. */
    approved?: { location: string, version?: string };
    /** Versions the Historian recorded in git (tags `fspec/<Spec>/v<version>`), newest first. */
    recorded: RecordedVersion[];
    /** The spec's variant branches (`fspec/<Spec>/<variant>`); `current` marks the one HEAD is on. */
    variants: Variant[];
    /** The deployed version (tag `fspec/<Spec>/deployed/v<version>`) HEAD descends from, if any. */
    deployed?: Deployment;
}

export interface ModelChangedParams {
    /** Documents whose model was rebuilt and validated. */
    uris: string[];
}

export type { GrowthResult, GrowthStatus, MutationPr } from './crew/mutation-pr.js';

export interface GrowParams extends DocumentParams {
    /** The spec text to grow; without it, the server's current text of the document. */
    text?: string;
}

export interface PlanResult {
    input: PlannerInput;
    output: PlannerOutput;
    /** Who filled the Planner's contract: `offline`, or the model. */
    planner: string;
}

export interface ReviewParams {
    runId: string;
    decision: 'approve' | 'reject';
    /** Why, for a rejection; recorded with the run. */
    reason?: string;
}

export interface RunParams {
    runId: string;
}

/** Progress of a crew run, as the status bar and the mutation PR view show it. */
export type CrewRunEvent =
    | { kind: 'stage', node: string, label: string, role?: string, status: 'started' | 'completed' | 'failed' | 'retrying', detail?: string }
    | { kind: 'review', result: GrowthResult }
    | { kind: 'finished', result: GrowthResult };

export interface StartVariantParams extends DocumentParams {
    /** The variant's name: a letter, then letters, digits or underscores. */
    name: string;
    /** The approved version to start from; the approved baseline when absent. */
    from?: string;
}

export type { StartedVariant } from './lineage/start-variant.js';

export interface InitRepositoryParams {
    /** The folder (a file uri) to make a git repository. */
    folder: string;
}

export interface TestParams extends DocumentParams {
    /** Where the app runs: `local` (default) or `daytona` (the server needs DAYTONA_API_KEY). */
    sandbox?: 'local' | 'daytona';
    /** The run date, YYYY-MM-DD; default the server's FSPEC_TODAY, else the sandbox's date. */
    today?: string;
    /** Only these acceptance tests; all when absent. */
    tests?: string[];
}

export type { AcceptanceReport, CheckResult, TestResult, Violation } from './compiler/tester/report.js';

export interface DeployVersionParams extends DocumentParams {
    /** Where the app's acceptance tests run: `local` (default) or `daytona` (the server needs DAYTONA_API_KEY). */
    sandbox?: 'local' | 'daytona';
    /** The run date, YYYY-MM-DD; default the server's FSPEC_TODAY, else the sandbox's date. */
    today?: string;
}

export type { DeployResult } from './crew/roles/deployer.js';
export type { CrewDeployment } from './crew/release-handler.js';

export interface RunEventParams {
    runId: string;
    uri: string;
    event: CrewRunEvent;
}

export const FactoryMethods = {
    normalize: new RequestType<DocumentParams, NormalizedSpecGraph | null, void>('fspec/normalize'),
    render: new RequestType<RenderParams, RenderResult | null, void>('fspec/render'),
    diff: new RequestType<DiffParams, DiffResult | null, void>('fspec/diff'),
    lineage: new RequestType<DocumentParams, LineageResult | null, void>('fspec/lineage'),
    modelChanged: new NotificationType<ModelChangedParams>('fspec/modelChanged'),
    /** The Planner's contract for the spec's new desires, without starting a run. */
    plan: new RequestType<GrowParams, PlanResult | null, void>('fspec/plan'),
    /** Starts a growth run; answers when it waits for review (`awaiting-review`, with the mutation PR) or has ended. */
    simulate: new RequestType<GrowParams, GrowthResult | null, void>('fspec/simulate'),
    /** The review's answer: approve applies, migrates and records; reject ends the run with the reason. Answers when the run has ended. */
    deploy: new RequestType<ReviewParams, GrowthResult, void>('fspec/deploy'),
    cancel: new RequestType<RunParams, void, void>('fspec/cancel'),
    runEvent: new NotificationType<RunEventParams>('fspec/runEvent'),
    /** Server → client: save the document the crew just edited, so the lineage commit holds it (clients that announce `saveRequest`). */
    save: new RequestType<DocumentParams, boolean, void>('fspec/save'),
    /** Starts a variant: its branch at an approved version, checked out. Refusals are errors whose message says why; nothing changed then. */
    startVariant: new RequestType<StartVariantParams, StartedVariant, void>('fspec/startVariant'),
    /** Makes a folder a git repository (with an empty first commit) so growths can be recorded; answers with its root. */
    initRepository: new RequestType<InitRepositoryParams, { root: string }, void>('fspec/initRepository'),
    /**
     * Runs the spec's acceptance tests on its current text: the app compiled in memory (bodies edited by hand in its
     * build folder kept), its pipelines run on the records/ beside it and on generated edge cases in the sandbox, then
     * every check. Null when the server does not know the document; a report with `errors` when the spec has errors.
     */
    test: new RequestType<TestParams, AcceptanceReport | null, void>('fspec/test'),
    /**
     * The Deployer, as `fspec deploy --json` answers: builds the spec's approved version (its newest approved tag),
     * runs its acceptance tests in the sandbox and only when all pass marks it deployed. `failed` and `refused`
     * (deployed already, no approved version) leave the deployed version as it was. Null when the server does not
     * know the document. (Not `fspec/deploy`, which is the review's answer to a growth.)
     */
    deployVersion: new RequestType<DeployVersionParams, DeployResult | null, void>('fspec/deployVersion')
} as const;

// Attractor pipelines (`.dot`, `.factory/crew.dot`) in the same server: their diagram, and runs started from the editor.

/** Where a run of a pipeline is: the node running now, the nodes done, the nodes that failed (node ids). */
export interface PipelineRunState {
    current?: string;
    completed: string[];
    failed: string[];
}

export interface RenderPipelineParams extends DocumentParams {
    /** The pipeline's text; without it, the editor's text of the document, else the file's. */
    text?: string;
    /** The run to show; without it, the latest run of this pipeline started through `fspec/runPipeline` (if any); null for none. */
    run?: PipelineRunState | null;
}

/** The flowchart of a pipeline, in the shape of `fspec/render`'s answer (`tooLarge` is always false). */
export type RenderPipelineResult = RenderResult & {
    /** The run the diagram shows, if any. */
    run?: PipelineRunState;
};

export interface RunPipelineParams extends DocumentParams {
    /** LLM stages answer `[Simulated] …` without calling a model; also what happens when no model is configured. */
    simulate?: boolean;
}

export interface PipelineRunInfo {
    runId: string;
    uri: string;
    /** The graph's name (`digraph <name>`). */
    name: string;
    status: 'success' | 'fail' | 'cancelled';
    /** One sentence for the user: how it ended, and where its run directory is. */
    message: string;
    completed: string[];
    failureReason?: string;
    /** The run directory (checkpoint, manifest, one folder per node). */
    logsRoot: string;
    /** Whether LLM stages were simulated; `model` says which model answered them otherwise. */
    simulated: boolean;
    model?: string;
}

/** Progress of a pipeline run started from an editor. */
export type PipelineRunEvent =
    | { kind: 'started'; name: string; logsRoot: string; simulated: boolean; model?: string; reason?: string }
    | { kind: 'stage'; node: string; label: string; status: 'started' | 'completed' | 'failed' | 'retrying'; detail?: string }
    | { kind: 'question'; node: string; text: string }
    | { kind: 'answered'; node: string; answer: string }
    | { kind: 'finished'; result: PipelineRunInfo };

export interface PipelineEventParams {
    runId: string;
    uri: string;
    event: PipelineRunEvent;
    /** The run's state after the event. */
    state: PipelineRunState;
}

/** A human gate of a run started from the editor (a `wait.human` node), asked of the client. */
export interface AskQuestionParams {
    runId: string;
    uri: string;
    question: import('./crew/engine/interviewer.js').Question;
}

export type PipelineAnswer = import('./crew/engine/interviewer.js').Answer;

export const PipelineMethods = {
    /** The pipeline as a Mermaid flowchart, a node per pipeline node, with a run's current, completed and failed nodes. Null for an unknown document. */
    renderPipeline: new RequestType<RenderPipelineParams, RenderPipelineResult | null, void>('fspec/renderPipeline'),
    /** Runs the pipeline (the editor's text) to its end; progress as `fspec/pipelineEvent`, human gates as `fspec/askQuestion`. */
    runPipeline: new RequestType<RunPipelineParams, PipelineRunInfo, void>('fspec/runPipeline'),
    cancelPipeline: new RequestType<RunParams, void, void>('fspec/cancelPipeline'),
    pipelineEvent: new NotificationType<PipelineEventParams>('fspec/pipelineEvent'),
    /**
     * Server → client: a human gate's question, answered with an engine Answer; sent to clients that announce
     * `initializationOptions.askQuestion: true` (others get the question's default, else the first option / yes).
     * Cancelled (`$/cancelRequest`) when the run is cancelled.
     */
    askQuestion: new RequestType<AskQuestionParams, PipelineAnswer, void>('fspec/askQuestion')
} as const;
