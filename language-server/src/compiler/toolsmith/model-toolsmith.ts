import type { AppModel, AppStage } from '../app-model.js';
import type { GeneratedFile } from '../compile.js';
import { stageFile } from '../emit-steps.js';
import { failedChecksText, type AcceptanceReport } from '../tester/report.js';
import { modelSkillPrefix, type BodyGrower, type GrownBody } from './shape.js';

/**
 * The Toolsmith with a model: for each step the deterministic Toolsmith has no body for, a model
 * writes one, and the body is accepted only when the app compiles with it and runs it on the
 * sample records without the step failing or any acceptance test covering it failing. A refused
 * answer goes back to the model with the reasons (the compiler's errors, the failed checks with
 * their first offending row) until it has had its attempts; a step with no accepted body stays
 * not yet grown, so its tests fail honestly. The model, the type checker and the sandbox are
 * given by the caller: this file decides only what is accepted.
 */

/** The Toolsmith's answer for one step, as the model gives it. */
export interface ModelBodyAnswer {
    summary: string;
    code: string;
}

/** The app's type errors, as `tsc -p tsconfig.json` reports them. */
export interface BodyTypeError {
    file: string;
    line: number;
    column: number;
    message: string;
}

export interface ModelToolsmithOptions {
    /** Who writes the bodies, as recorded with them: `openai/gpt-x`. */
    model: string;
    /** Asks the model once for the step's body. */
    ask(request: { stage: string; system: string; prompt: string }): Promise<ModelBodyAnswer>;
    /** The app's files as the build would write them with this grower (bodies kept by hand included). */
    files(grow: BodyGrower): GeneratedFile[];
    typecheck(files: readonly GeneratedFile[]): Promise<BodyTypeError[]>;
    /** Runs the app's acceptance tests with this grower on the stored records. */
    test(grow: BodyGrower): Promise<AcceptanceReport>;
    /** Answers per step before it stays not grown (default 3). */
    attempts?: number;
    /** The run's cancellation: an ask failing after it is aborted ends the growing (rethrown). */
    signal?: AbortSignal;
    onEvent?(event: ModelBodyEvent): void;
}

export type ModelBodyEvent =
    | { type: 'asking'; stage: string; attempt: number }
    | { type: 'refused'; stage: string; attempt: number; problems: string[] }
    | { type: 'accepted'; stage: string; attempt: number };

/** What became of one step. */
export interface ModelBodyOutcome {
    stage: string;
    status: 'grown' | 'not-grown';
    attempts: number;
    /** The accepted body (with its summary), for the build and the reviewer. */
    body?: GrownBody;
    /** Why the last answer was refused, when none was accepted. */
    problems?: string[];
}

const DEFAULT_ATTEMPTS = 3;
/** Problems quoted back to the model per refusal. */
const PROBLEMS_SHOWN = 8;

export const toolsmithSystemPrompt = [
    'You are the Toolsmith of a spec-driven app factory. The app is generated TypeScript; you write the body of one step: the statements inside its function, which must return the declared output.',
    'Rules: plain TypeScript that Node runs by stripping types (no enum, namespace or parameter properties); no import or require (the module already has `T` for the entity types, `rt` for the runtime types, `NotYetGrown` and `kit`); no file, network, clock or randomness (use ctx.today for the run date); deterministic for the same input.',
    'Read records from `input.reads.<Entity>` (and `input.earlier.<Entity>`); resolve references with ctx as its type shows. Rows you output get an id from the runner when they have none.',
    'Do what the step\'s name, title, strategy, heuristics and the acceptance tests covering it say. Answer with a one-sentence summary and the code.'
].join('\n');

/** `base`, with the bodies the model wrote that were accepted. */
export function withAcceptedBodies(outcomes: readonly ModelBodyOutcome[], base: BodyGrower): BodyGrower {
    const accepted = new Map(outcomes.flatMap(o => o.body ? [[o.stage, o.body] as const] : []));
    return accepted.size ? shape => accepted.get(shape.stage.qualified) ?? base(shape) : base;
}

/** Grows the given steps (by qualified name, in pipeline order) on top of `base`, each tested with the bodies accepted before it. */
export async function growWithModel(app: AppModel, stages: readonly string[], base: BodyGrower, options: ModelToolsmithOptions): Promise<ModelBodyOutcome[]> {
    const outcomes: ModelBodyOutcome[] = [];
    const growerWith = (trial: { stage: string; body: GrownBody }): BodyGrower =>
        withAcceptedBodies([...outcomes, { stage: trial.stage, status: 'grown', attempts: 0, body: trial.body }], base);
    const byName = new Map(app.pipelines.flatMap(p => p.stages).map(s => [s.qualified, s]));
    for (const qualified of stages) {
        const stage = byName.get(qualified);
        if (!stage) {
            throw new Error(`No step ${qualified} in ${app.spec}.`);
        }
        try {
            outcomes.push(await growOne(app, stage, growerWith, options));
        } catch (error) {
            if (!(error instanceof ModelUnavailable)) {
                throw error;
            }
            // The model cannot answer (down, out of quota, misconfigured): the steps left stay not grown, saying why.
            const problems = [`The model could not answer: ${error.message}`];
            const left = stages.slice(stages.indexOf(qualified));
            outcomes.push(...left.map(stage => ({ stage, status: 'not-grown' as const, attempts: stage === qualified ? error.attempt : 0, problems })));
            break;
        }
    }
    return outcomes;
}

async function growOne(
    app: AppModel, stage: AppStage, growerWith: (trial: { stage: string; body: GrownBody }) => BodyGrower, options: ModelToolsmithOptions
): Promise<ModelBodyOutcome> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    const refusals: Array<{ code: string; problems: string[] }> = [];
    const file = stageFile(stage);
    for (let attempt = 1; attempt <= attempts; attempt++) {
        options.onEvent?.({ type: 'asking', stage: stage.qualified, attempt });
        const prompt = bodyPrompt(app, stage, options.files(growerWith({ stage: stage.qualified, body: placeholder })), refusals);
        const answer = await askModel(options, { stage: stage.qualified, system: toolsmithSystemPrompt, prompt }, attempt);
        const body: GrownBody = { skill: `${modelSkillPrefix}${options.model}`, summary: oneLine(answer.summary), code: answer.code.trim() };
        const grow = growerWith({ stage: stage.qualified, body });
        const typeErrors = (await options.typecheck(options.files(grow))).filter(e => e.file === file);
        const problems = typeErrors.length
            ? typeErrors.map(e => `${e.file}:${e.line}:${e.column} ${e.message}`)
            : testProblems(await options.test(grow), stage);
        if (problems.length === 0) {
            options.onEvent?.({ type: 'accepted', stage: stage.qualified, attempt });
            return { stage: stage.qualified, status: 'grown', attempts: attempt, body };
        }
        options.onEvent?.({ type: 'refused', stage: stage.qualified, attempt, problems });
        refusals.push({ code: body.code, problems });
    }
    return { stage: stage.qualified, status: 'not-grown', attempts, problems: refusals.at(-1)?.problems ?? [] };
}

/** The model failed to answer at all (not a refused answer). */
class ModelUnavailable extends Error {
    constructor(message: string, readonly attempt: number) {
        super(message);
    }
}

async function askModel(options: ModelToolsmithOptions, request: Parameters<ModelToolsmithOptions['ask']>[0], attempt: number): Promise<ModelBodyAnswer> {
    try {
        return await options.ask(request);
    } catch (error) {
        if (options.signal?.aborted) {
            throw error;
        }
        throw new ModelUnavailable(error instanceof Error ? error.message : String(error), attempt);
    }
}

/** Shown to the model in place of the body it is asked for. */
const placeholder: GrownBody = { skill: 'placeholder', summary: '', code: '// YOUR BODY GOES HERE' };

/**
 * Why the acceptance run refuses the step's body: the app did not run at all, the step threw on a
 * data set, or a test covering the step (or naming it as the reason it failed) did not pass.
 */
export function testProblems(report: AcceptanceReport, stage: AppStage): string[] {
    if (report.errors?.length) {
        return report.errors;
    }
    const thrown = report.datasets.flatMap(d => d.runs
        .filter(r => r.pipeline === stage.pipeline && r.error?.startsWith(`${stage.name}:`))
        .map(r => `On the ${d.name} records the step threw ${r.error!.slice(stage.name.length + 1).trim()}`));
    const ids = judgedBy(stage);
    const failing = report.tests
        .filter(t => t.status !== 'pass' && (t.covers.some(id => ids.includes(id)) || t.reason?.includes(stage.qualified)))
        .map(t => `Acceptance test ${t.name} ("${t.title}") ${t.status === 'fail' ? 'fails' : 'is not grown'}: ${t.reason ?? failedChecksText(t) ?? 'no check passed'}`);
    return [...thrown, ...failing];
}

/** What a test covering the stage names: the stage, or (for a gate) a guardrail it enforces. */
function judgedBy(stage: AppStage): string[] {
    return [`${stage.kind}:${stage.qualified}`, ...stage.enforces.map(g => `guardrail:${g.name}`)];
}

/** The prompt for one step: the module it goes in, the types and runtime it can use, the tests that judge it, earlier refusals. */
export function bodyPrompt(app: AppModel, stage: AppStage, files: readonly GeneratedFile[], refusals: ReadonlyArray<{ code: string; problems: string[] }>): string {
    const text = (path: string) => files.find(f => f.path === path)?.text ?? '';
    const ids = judgedBy(stage);
    const tests = app.tests.filter(t => t.covers.some(id => ids.includes(id)));
    const sections = [
        `Write the body of ${stage.kind} ${stage.qualified} in the app of ${app.spec} ${app.version}. Its module, with the body to replace marked:`,
        fenced(stageFile(stage), text(stageFile(stage))),
        'The entity types:',
        fenced('src/types.ts', text('src/types.ts')),
        'The runtime types (StepContext is `ctx`):',
        fenced('src/runtime/records.ts', text('src/runtime/records.ts')),
        'Helpers you may call as kit.<name>:',
        fenced('src/runtime/kit.ts', text('src/runtime/kit.ts')),
        tests.length
            ? `The acceptance tests covering it, which your body must pass:\n${tests.map(t => `- ${t.name}: ${t.text}`).join('\n')}`
            : 'No acceptance test covers it: the app must still run it on the sample records without failing.',
        ...refusals.map((r, index) => `Your answer ${index + 1} was refused:\n${r.problems.slice(0, PROBLEMS_SHOWN).map(p => `- ${p}`).join('\n')}\nIt was:\n${fenced('body', r.code)}`)
    ];
    return sections.join('\n\n');
}

function fenced(label: string, code: string): string {
    return `${label}:\n\`\`\`ts\n${code.trimEnd()}\n\`\`\``;
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, ' ').trim();
}
