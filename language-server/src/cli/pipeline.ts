/**
 * `fspec pipeline validate | run | answer`: Attractor pipelines (DOT files) from the command line.
 * validate lints a pipeline with every diagnostic located in its text; run executes it with the
 * engine (LLM stages through pi-ai, or simulated), writing the §5.6 run directory; answer answers a
 * human gate of a run waiting in another process (the file-backed question store).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { crewModel } from '../crew/crew-model.js';
import { crewNodeTypes, crewValidateOptions } from '../crew/crew-vocabulary.js';
import {
    AutoApproveInterviewer,
    ConsoleInterviewer,
    Context,
    createDefaultRegistry,
    loadCheckpoint,
    locateDiagnostics,
    newRunId,
    parseDuration,
    parsePipeline,
    resumePipeline,
    runPipeline,
    validate,
    ValidationError,
    CHECKPOINT_FILE,
    MANIFEST_FILE,
    type Diagnostic,
    type DotSourceMap,
    type Interviewer,
    type PipelineEvent,
    type PipelineGraph,
    type PipelineRunResult,
    type RunLimits,
    type CodergenBackend,
    type HandlerRegistry
} from '../crew/engine/index.js';
import { answerQuestion, FileQuestionInterviewer, QuestionStoreError, type StoredQuestion } from '../crew/engine/question-store.js';
import { runsFolder } from '../crew/growth-run.js';
import { CrewLlmError } from '../crew/llm-errors.js';
import { createPiAiBackend } from '../crew/pi-ai-backend.js';
import { ignoreDerivedFolder } from '../lineage/factory-ignore.js';
import type { CommandResult } from './commands.js';
import { displayPath } from './format.js';

/** Bad input (exit 2): a missing file, contradictory options, no model configured. */
export class PipelineInputError extends Error {}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function readPipeline(file: string): string {
    try {
        return fs.readFileSync(file, 'utf8');
    } catch (e) {
        throw new PipelineInputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
}

// ---------------------------------------------------------------------------------------------
// validate

/** One diagnostic as `validate` prints it; line and column 1-based, `range` 0-based (LSP). */
export interface PipelineDiagnosticRecord {
    file: string;
    line: number;
    column: number;
    severity: Diagnostic['severity'];
    rule: string;
    message: string;
    node_id?: string;
    edge?: { from: string; to: string };
    attribute?: string;
    fix?: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface CheckedPipeline {
    graph?: PipelineGraph;
    /** Where each node, edge and attribute is in the text. */
    sourceMap: DotSourceMap;
    records: PipelineDiagnosticRecord[];
}

/** Parses and lints one pipeline; crew node types and attributes count as known. */
export function checkPipeline(file: string, source: string): CheckedPipeline {
    const options = crewValidateOptions();
    const { graph, sourceMap, problems } = parsePipeline(source, { attributes: options.attributes });
    const diagnostics = [...problems, ...(graph ? validate(graph, options) : [])];
    return { graph, sourceMap, records: toRecords(displayPath(path.resolve(file)), diagnostics, sourceMap) };
}

function toRecords(file: string, diagnostics: readonly Diagnostic[], sourceMap: DotSourceMap): PipelineDiagnosticRecord[] {
    return locateDiagnostics(diagnostics, sourceMap)
        .map(({ diagnostic: d, range }) => ({
            file, line: range.start.line + 1, column: range.start.character + 1, severity: d.severity, rule: d.rule, message: d.message,
            ...(d.node_id !== undefined && { node_id: d.node_id }),
            ...(d.edge && { edge: { from: d.edge.from, to: d.edge.to } }),
            ...(d.attribute !== undefined && { attribute: d.attribute }),
            ...(d.fix !== undefined && { fix: d.fix }),
            range
        }))
        .sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `file:line:col severity [rule] subject: message`, the subject being the edge, the node, or `graph`. */
export function formatDiagnostic(r: PipelineDiagnosticRecord): string {
    const subject = r.edge ? `${r.edge.from} -> ${r.edge.to}` : r.node_id ?? 'graph';
    return `${r.file}:${r.line}:${r.column} ${r.severity} [${r.rule}] ${subject}: ${r.message}${r.fix ? `\n    fix: ${r.fix}` : ''}`;
}

function counts(records: readonly PipelineDiagnosticRecord[]): string {
    const errors = records.filter(r => r.severity === 'error').length;
    const warnings = records.filter(r => r.severity === 'warning').length;
    const infos = records.filter(r => r.severity === 'info').length;
    return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${infos ? `, ${plural(infos, 'info')}` : ''}`;
}

/** `fspec pipeline validate`: every diagnostic of every pipeline; exit 1 when any is an error. */
export function pipelineValidateCommand(files: readonly string[], options: { json?: boolean }): CommandResult {
    const records = files.flatMap(file => checkPipeline(file, readPipeline(file)).records);
    const errors = records.filter(r => r.severity === 'error').length;
    const stdout = options.json
        ? JSON.stringify(records, null, 2)
        : [...records.map(formatDiagnostic), `${plural(files.length, 'pipeline')} checked: ${counts(records)}.`].join('\n');
    return { stdout, exitCode: errors > 0 ? 1 : 0 };
}

// ---------------------------------------------------------------------------------------------
// run

export interface PipelineRunOptions {
    simulate?: boolean;
    autoApprove?: boolean;
    logs?: string;
    resume?: string;
    set?: string[];
    quiet?: boolean;
    maxTokens?: string;
    maxCost?: string;
    maxWallTime?: string;
    questionTimeout?: string;
    pollInterval?: string;
}

/** Where human gates are answered and progress is written. */
export interface PipelineTerminal {
    input: Readable;
    /** Progress and questions; stdout keeps only the final status line. */
    messages: Writable;
    /** Whether `input` is a terminal: gates are asked there; otherwise through the question store. */
    interactive: boolean;
    env: NodeJS.ProcessEnv;
    /** Aborted on Ctrl-C. */
    signal?: AbortSignal;
}

/** A duration as the engine writes them (`90s`, `15m`, `250ms`), or plain seconds. */
export function durationOption(flag: string, value: string): number {
    if (/^\d+(\.\d+)?$/.test(value.trim())) {
        return Number(value) * 1000;
    }
    let ms: number;
    try {
        ms = parseDuration(flag, value.trim());
    } catch {
        ms = -1;
    }
    // A duration the engine would accept may still be negative (`-5m`): no budget or timeout is.
    if (ms < 0) {
        throw new PipelineInputError(`${flag} ${value}: expected a duration such as 90s, 15m, 2h or plain seconds`);
    }
    return ms;
}

export function numberOption(flag: string, value: string, integer: boolean): number {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
        throw new PipelineInputError(`${flag} ${value}: expected ${integer ? 'a whole number' : 'a number'} ≥ 0`);
    }
    return n;
}

/** A run's budgets as given (flags, or a request's `limits`): numbers or their text; a wall time as a duration or plain seconds. */
export interface PipelineLimitValues {
    readonly max_tokens?: string | number;
    readonly max_cost?: string | number;
    readonly max_wall_time?: string | number;
}

/**
 * The budgets of a run, from `fspec pipeline run`'s flags or `fspec pipeline serve`'s `limits`; they
 * replace the graph's own (max_tokens, max_cost, max_wall_time) and the engine enforces them.
 * `name` says how an error names the value (`--max-tokens`, `limits.max_tokens`).
 */
export function pipelineLimits(values: PipelineLimitValues, name: (key: keyof PipelineLimitValues) => string): RunLimits {
    // A request's JSON may hold anything: null is left out; what is neither a number nor text is refused as written.
    const text = (value: unknown) => value === undefined || value === null ? undefined : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
    const tokens = text(values.max_tokens);
    const cost = text(values.max_cost);
    const wall = text(values.max_wall_time);
    return {
        max_tokens: tokens === undefined ? undefined : numberOption(name('max_tokens'), tokens, true),
        max_cost: cost === undefined ? undefined : numberOption(name('max_cost'), cost, false),
        max_wall_time_ms: wall === undefined ? undefined : durationOption(name('max_wall_time'), wall)
    };
}

function parseSets(sets: readonly string[]): Record<string, string> {
    const values: Record<string, string> = {};
    for (const set of sets) {
        const at = set.indexOf('=');
        if (at <= 0) {
            throw new PipelineInputError(`--set ${set}: expected key=value`);
        }
        values[set.slice(0, at).trim()] = set.slice(at + 1);
    }
    return values;
}

/** The LLM stages: nodes the default registry runs with the codergen handler. */
function llmStages(graph: PipelineGraph): string[] {
    const registry = createDefaultRegistry();
    return [...graph.nodes.values()].filter(node => ['codergen', 'default'].includes(registry.resolve(node).type)).map(node => node.id);
}

function formatMs(ms: number): string {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function progressLine(event: PipelineEvent): string | undefined {
    switch (event.kind) {
        case 'StageStarted':
            return `  ${event.node_id}: started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
        case 'StageCompleted':
            return `  ${event.node_id}: ${event.status} (${formatMs(event.duration_ms)})`;
        case 'StageFailed':
            return `  ${event.node_id}: failed: ${event.error}${event.will_retry ? ' (will retry)' : ''}`;
        case 'StageRetrying':
            return `  ${event.node_id}: retrying in ${formatMs(event.delay_ms)}`;
        case 'ParallelStarted':
            return `  ${event.node_id}: ${plural(event.branch_count, 'branch')} started`;
        case 'ParallelCompleted':
            return `  ${event.node_id}: branches done: ${event.success_count} succeeded, ${event.failure_count} failed`;
        case 'InterviewStarted':
            return `  ${event.stage}: asks "${event.question.text}"`;
        case 'InterviewCompleted':
            return `  ${event.question.stage}: answered ${event.answer.selected_option ? `${event.answer.selected_option.key} (${event.answer.selected_option.label})` : event.answer.value}`;
        case 'InterviewTimeout':
            return `  ${event.stage}: no answer within the question's timeout${event.question.default ? `; taking the default ${event.question.default.selected_option?.label ?? event.question.default.value}` : ''}`;
        default:
            return undefined;
    }
}

/** Resolves the run directory: a resumed run's, the one given, or `.factory/runs/<run-id>` beside the file. */
function runDirectory(file: string, graph: PipelineGraph, options: PipelineRunOptions): { logsRoot: string; runId: string; resuming: boolean } {
    if (options.resume !== undefined) {
        if (options.logs !== undefined) {
            throw new PipelineInputError('--resume continues the run in its own directory; leave out --logs');
        }
        if (options.set?.length) {
            throw new PipelineInputError('--set gives a new run its context; a resumed run continues with the context of its checkpoint');
        }
        const logsRoot = path.resolve(options.resume);
        if (!fs.existsSync(path.join(logsRoot, CHECKPOINT_FILE))) {
            throw new PipelineInputError(`${options.resume} holds no ${CHECKPOINT_FILE}: nothing to resume`);
        }
        const manifest = readManifestName(logsRoot);
        if (manifest !== undefined && manifest !== graph.id) {
            throw new PipelineInputError(`${options.resume} is a run of the pipeline ${manifest}, not ${graph.id}`);
        }
        return { logsRoot, runId: path.basename(logsRoot), resuming: true };
    }
    if (options.logs !== undefined) {
        const logsRoot = path.resolve(options.logs);
        if (fs.existsSync(path.join(logsRoot, CHECKPOINT_FILE))) {
            throw new PipelineInputError(`${options.logs} already holds a run; \`--resume ${options.logs}\` continues it, or choose another --logs directory`);
        }
        return { logsRoot, runId: path.basename(logsRoot), resuming: false };
    }
    const runId = newRunId();
    const folder = runsFolder(file);
    ensureRunsFolder(folder);
    return { logsRoot: path.join(folder, runId), runId, resuming: false };
}

/** Creates a folder of run directories; in a `.factory/` git ignores it: runs hold checkpoints and logs, never committed. */
export function ensureRunsFolder(folder: string): void {
    fs.mkdirSync(folder, { recursive: true });
    ignoreDerivedFolder(folder);
}

function readManifestName(logsRoot: string): string | undefined {
    try {
        return (JSON.parse(fs.readFileSync(path.join(logsRoot, MANIFEST_FILE), 'utf8')) as { name?: string }).name;
    } catch {
        return undefined;
    }
}

function answerHint(logsRoot: string, question: StoredQuestion): string {
    const example = question.options[0]?.key ?? (question.type === 'FREEFORM' ? '"your answer"' : 'yes');
    const choices = question.options.length ? `\n    options: ${question.options.map(o => `${o.key} (${o.label})`).join(', ')}` : '';
    const timeout = question.timeout_seconds === undefined ? '' : `\n    times out after ${question.timeout_seconds} s${question.default ? `, then takes ${question.default.selected_option?.label ?? question.default.value}` : ''}`;
    return `  ${question.node}: waiting for an answer to ${question.id} ("${question.text}")${choices}${timeout}\n    answer with: fspec pipeline answer ${displayPath(logsRoot)} ${question.id} ${example}\n`;
}

/** What runs a pipeline's LLM stages: a backend on the configured model, or none (simulated). */
export interface PipelineBackend {
    readonly backend?: CodergenBackend;
    /** The LLM stages' node ids. */
    readonly stages: readonly string[];
    /** The model, as `provider/model`, when there is a backend. */
    readonly describe?: string;
}

/**
 * The checks and the model every run of a general pipeline needs, from the command line or over
 * HTTP: a crew pipeline is refused (its steps grow a spec), and LLM stages need a usable model unless
 * simulated. Throws PipelineInputError saying what to do.
 */
export async function pipelineBackend(
    file: string, graph: PipelineGraph,
    options: { simulate?: boolean; env: NodeJS.ProcessEnv; workdir?: string; onRetry?: (node: string, detail: string) => void }
): Promise<PipelineBackend> {
    const crewTypes = new Set(crewNodeTypes());
    const crewNodes = [...graph.nodes.values()].filter(node => crewTypes.has(node.type));
    if (crewNodes.length > 0) {
        throw new PipelineInputError(`${file} is a crew pipeline (${crewNodes.slice(0, 3).map(n => `${n.id}: ${n.type}`).join(', ')}${crewNodes.length > 3 ? ', …' : ''}); `
            + 'crew steps grow a spec, so run them with `fspec grow <spec.fspec>`. `fspec pipeline run` runs general pipelines (LLM, tool, human and routing nodes).');
    }
    const stages = llmStages(graph);
    if (options.simulate || stages.length === 0) {
        return { stages };
    }
    let model: Awaited<ReturnType<typeof crewModel>>;
    try {
        model = await crewModel({}, options.env);
    } catch (e) {
        throw new PipelineInputError(e instanceof CrewLlmError ? e.message : String(e));
    }
    if (!model.llm) {
        const why = model.describe === 'offline' ? 'no model is configured' : `the model is not usable: ${model.describe.replace(/^offline \((.*)\)$/, '$1')}`;
        throw new PipelineInputError(`${graph.id} has LLM stages (${stages.slice(0, 5).join(', ')}${stages.length > 5 ? ', …' : ''}) and ${why}. `
            + 'Set FSPEC_CREW_PROVIDER and FSPEC_CREW_MODEL (with the provider\'s API key), or FSPEC_CREW_BASE_URL and FSPEC_CREW_MODEL for an OpenAI-compatible endpoint; or run with --simulate.');
    }
    const backend = createPiAiBackend(model.llm, {
        timeoutMs: model.timeoutMs,
        env: options.env,
        workdir: options.workdir,
        onEvent: (event, node) => {
            if (event.type === 'retry') {
                options.onRetry?.(node.id, `${event.kind === 'rate-limited' ? 'rate-limited' : 'provider error'} (${event.detail}); asking again in ${formatMs(event.delayMs)}`);
            }
        }
    });
    return { backend, stages, describe: model.describe };
}

/** How a run's human gates are answered. */
export interface PipelineGates {
    /** Every gate takes its first option. */
    readonly autoApprove?: boolean;
    /** Gates are asked on this terminal; without one (and without autoApprove) they go to the question store. */
    readonly terminal?: { readonly input: Readable; readonly output: Writable };
    /** How long a stored question waits for its answer (default: no limit). */
    readonly questionTimeoutSeconds?: number;
    /** How often a waiting gate looks for its answer file. */
    readonly pollMs?: number;
    /** Called when a question is stored, waiting for `fspec pipeline answer` (or the HTTP answer). */
    readonly onAsked?: (question: StoredQuestion) => void;
}

/**
 * The handlers of one run, from the command line or over HTTP: the LLM stages on the backend (or
 * simulated), tool stages and the tools of LLM stages in `workdir`, and human gates auto-approved,
 * asked on a terminal, or written to the file-backed question store of the run directory
 * (`<logsRoot>/questions/q-N.json`), so `fspec pipeline answer` answers them from any process.
 * `close()` releases the terminal once the run is over.
 */
export function pipelineRegistry(
    backend: PipelineBackend, logsRoot: string, gates: PipelineGates, workdir?: string
): { registry: HandlerRegistry; close(): void } {
    let interviewer: Interviewer;
    let consoleInterviewer: ConsoleInterviewer | undefined;
    if (gates.autoApprove) {
        interviewer = new AutoApproveInterviewer();
    } else if (gates.terminal) {
        interviewer = consoleInterviewer = new ConsoleInterviewer(gates.terminal.input, gates.terminal.output);
    } else {
        interviewer = new FileQuestionInterviewer(logsRoot, { timeoutSeconds: gates.questionTimeoutSeconds, pollMs: gates.pollMs, onAsked: gates.onAsked });
    }
    const registry = createDefaultRegistry({ backend: backend.backend, interviewer, ...(workdir !== undefined && { toolWorkdir: workdir }) });
    return { registry, close: () => consoleInterviewer?.close() };
}

/** Where a run's LLM stages run, as its first line says it: on the model, simulated, or there are none. */
export function llmStagesText({ backend, stages, describe }: PipelineBackend): string {
    return backend ? `LLM stages on ${describe}` : stages.length ? 'LLM stages simulated' : 'no LLM stages';
}

/**
 * `fspec pipeline run`: runs the pipeline to its exit. Exit 0 when it succeeds; 1 when it fails,
 * is invalid or exceeds a budget; 2 for bad input (no model for its LLM stages, a crew pipeline);
 * 130 when interrupted.
 */
export async function pipelineRunCommand(file: string, options: PipelineRunOptions, terminal: PipelineTerminal): Promise<CommandResult> {
    const source = readPipeline(file);
    const { graph, records } = checkPipeline(file, source);
    const say = (line: string) => {
        if (!options.quiet) {
            terminal.messages.write(`${line}\n`);
        }
    };
    if (!graph || records.some(r => r.severity === 'error')) {
        return {
            stdout: `${displayPath(path.resolve(file))} is not a valid pipeline (${counts(records)}); nothing ran.`,
            stderr: records.filter(r => r.severity === 'error').map(formatDiagnostic).join('\n'),
            exitCode: 1
        };
    }
    const limits = pipelineLimits(
        { max_tokens: options.maxTokens, max_cost: options.maxCost, max_wall_time: options.maxWallTime },
        key => `--${key.replace(/_/g, '-')}`
    );
    const questionTimeout = options.questionTimeout === undefined ? undefined : durationOption('--question-timeout', options.questionTimeout) / 1000;
    const pollMs = options.pollInterval === undefined ? undefined : durationOption('--poll-interval', options.pollInterval);
    const initial = parseSets(options.set ?? []);

    const setup = await pipelineBackend(file, graph, {
        simulate: options.simulate,
        env: terminal.env,
        onRetry: (node, detail) => say(`  ${node}: ${detail}`)
    });

    const { logsRoot, runId, resuming } = runDirectory(file, graph, options);

    const { registry, close } = pipelineRegistry(setup, logsRoot, {
        autoApprove: options.autoApprove,
        terminal: terminal.interactive ? { input: terminal.input, output: terminal.messages } : undefined,
        questionTimeoutSeconds: questionTimeout,
        pollMs,
        // Shown even with --quiet: someone has to answer.
        onAsked: question => terminal.messages.write(answerHint(logsRoot, question))
    });
    const where = displayPath(logsRoot);
    say(`${resuming ? 'Resuming' : 'Running'} ${graph.id} (${llmStagesText(setup)}); run directory ${where}`);
    if (resuming) {
        const checkpoint = loadCheckpoint(logsRoot);
        say(`  continuing after ${checkpoint.current_node || 'the start'} (${plural(checkpoint.completed_nodes.length, 'node')} done)`);
    }
    let result: PipelineRunResult;
    try {
        const runOptions = { logsRoot, runId, registry, signal: terminal.signal, limits, onEvent: (event: PipelineEvent) => {
            const line = progressLine(event);
            if (line) {
                say(line);
            }
        } };
        result = resuming
            ? await resumePipeline(graph, runOptions)
            : await runPipeline(graph, { ...runOptions, context: new Context(initial) });
    } catch (error) {
        if (error instanceof ValidationError) {
            return { stdout: `${graph.id} is not a valid pipeline; nothing ran.`, stderr: error.message, exitCode: 1 };
        }
        return { stdout: `${graph.id} stopped: ${(error as Error).message}; run directory ${where}`, exitCode: 1 };
    } finally {
        close();
    }
    const { total_tokens, cost } = result.usage;
    const tokens = setup.backend ? `; ${plural(total_tokens, 'token')}${cost > 0 ? `, $${cost.toFixed(4)}` : ''}` : '';
    const resume = `\`fspec pipeline run ${file} --resume ${where}\` continues it`;
    switch (result.status) {
        case 'success':
            return { stdout: `${graph.id} succeeded: ${result.completed_nodes.join(' → ')}${tokens}; run directory ${where}`, exitCode: 0 };
        case 'fail':
            return result.budget_exceeded
                ? { stdout: `${graph.id} stopped: ${result.failure_reason}${tokens}; run directory ${where}; ${resume} (with a larger budget)`, exitCode: 1 }
                : { stdout: `${graph.id} failed: ${result.failure_reason ?? result.outcome.status}${tokens}; run directory ${where}`, exitCode: 1 };
        case 'cancelled':
            return { stdout: `${graph.id} was interrupted${tokens}; ${resume}`, exitCode: 130 };
    }
}

// ---------------------------------------------------------------------------------------------
// answer

/** `fspec pipeline answer`: answers an open question of a run waiting in another process. */
export function pipelineAnswerCommand(logsDir: string, questionId: string, answer: readonly string[]): CommandResult {
    if (!fs.existsSync(logsDir)) {
        throw new PipelineInputError(`${logsDir}: no such run directory`);
    }
    try {
        const stored = answerQuestion(logsDir, questionId, answer.join(' '));
        const given = stored.selected_option ? `${stored.selected_option.key} (${stored.selected_option.label})` : stored.value;
        return { stdout: `Answered ${questionId.startsWith('q-') ? questionId : `q-${questionId}`}: ${given}.`, exitCode: 0 };
    } catch (e) {
        if (e instanceof QuestionStoreError) {
            return { stdout: '', stderr: `fspec: ${e.message}`, exitCode: 1 };
        }
        throw e;
    }
}

// ---------------------------------------------------------------------------------------------
// registration

function finish(result: CommandResult): void {
    if (result.stdout) {
        process.stdout.write(result.stdout + '\n');
    }
    if (result.stderr) {
        process.stderr.write(result.stderr + '\n');
    }
    process.exitCode = result.exitCode;
}

async function guarded(command: () => CommandResult | Promise<CommandResult>): Promise<void> {
    try {
        finish(await command());
    } catch (error) {
        if (error instanceof PipelineInputError) {
            process.stderr.write(`fspec: ${error.message}\n`);
            process.exitCode = 2;
        } else {
            throw error;
        }
    }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `fspec pipeline validate | run | answer` to the CLI; returns the `pipeline` command. */
export function registerPipelineCommands(program: Command): Command {
    const pipeline = program.command('pipeline')
        .description('validate and run Attractor pipelines (DOT files): LLM, tool and human-gate stages, a run directory per run');

    pipeline.command('validate')
        .description('lint pipelines: each diagnostic as file:line:col severity [rule] node: message; exit 1 on errors')
        .argument('<files...>', '.dot pipeline files')
        .option('--json', 'print the diagnostics as a JSON array, with 0-based ranges')
        .action((files: string[], options: { json?: boolean }) => guarded(() => pipelineValidateCommand(files, options)));

    pipeline.command('run')
        .description('run a pipeline to its exit node; progress on stderr, the result on stdout')
        .argument('<file>', 'a .dot pipeline')
        .option('--simulate', 'LLM stages answer "[Simulated] Response for stage: <id>"; no model is needed')
        .option('--auto-approve', 'human gates take their first option')
        .option('--logs <dir>', 'the run directory (default: .factory/runs/<run-id>/ beside the file)')
        .option('--resume <dir>', 'continue the run in this run directory from its checkpoint')
        .option('--set <key=value>', 'an initial context value, e.g. --set env=staging (repeatable)', collect)
        .option('--quiet', 'no progress lines (questions waiting for an answer are still shown)')
        .option('--max-tokens <n>', 'stop the run once its LLM stages used more tokens than this, resumed parts included (replaces the graph\'s max_tokens)')
        .option('--max-cost <usd>', 'stop the run once its LLM stages cost more than this (USD, as pi-ai prices the model; replaces the graph\'s max_cost)')
        .option('--max-wall-time <duration>', 'stop the run after this long, e.g. 30m (replaces the graph\'s max_wall_time)')
        .option('--question-timeout <duration>', 'how long a human gate waits for `fspec pipeline answer` (default: no limit); then it takes human.default_choice')
        .option('--poll-interval <duration>', 'how often a waiting gate looks for the answer file (default 250ms)')
        .addHelpText('after', `
Human gates: --auto-approve takes the first option; on a terminal the question is asked there; otherwise it
is written to <run dir>/questions/q-<N>.json and the run waits for \`fspec pipeline answer <run dir> q-<N> <answer>\`.
LLM stages use FSPEC_CREW_PROVIDER/MODEL (or FSPEC_CREW_BASE_URL/MODEL/API_KEY) and FSPEC_CREW_TIMEOUT_SECONDS.
Exit 0 success; 1 the run failed, the pipeline is invalid or a budget was exceeded; 2 bad input (no model, a crew pipeline); 130 interrupted.`)
        .action((file: string, options: PipelineRunOptions) => guarded(async () => {
            const controller = new AbortController();
            const interrupt = () => controller.abort(new Error('interrupted'));
            process.once('SIGINT', interrupt);
            try {
                return await pipelineRunCommand(file, options, {
                    input: process.stdin, messages: process.stderr, interactive: process.stdin.isTTY === true, env: process.env, signal: controller.signal
                });
            } finally {
                process.off('SIGINT', interrupt);
            }
        }));

    pipeline.command('answer')
        .description('answer a question of a run waiting for a human (an option key or label, yes/no, or free text)')
        .argument('<run-dir>', 'the run directory (as `pipeline run` printed it)')
        .argument('<question>', 'the question id, e.g. q-1')
        .argument('<answer...>', 'the answer')
        .addHelpText('after', '\nExit 1 when there is no such question, it is already answered or timed out, or the answer does not fit it.')
        .action((logsDir: string, question: string, answer: string[]) => guarded(() => pipelineAnswerCommand(logsDir, question, answer)));
    return pipeline;
}
