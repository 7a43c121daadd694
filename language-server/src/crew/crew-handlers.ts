import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { defaultBuildFolder } from '../compiler/build-app.js';
import { runAcceptance } from '../compiler/tester/index.js';
import { toolsmith } from '../compiler/toolsmith/index.js';
import { withAcceptedBodies } from '../compiler/toolsmith/model-toolsmith.js';
import type { FspecServices } from '../fspec-module.js';
import type { DetachedSpec } from '../language/detached-specs.js';
import { SpecRepository, type OpenedRepository } from '../lineage/spec-repository.js';
import { atomicWrite, replaceFiles, type FileChange } from '../lineage/atomic-write.js';
import { diffSpecGraphs } from '../model/semantic-diff.js';
import type { SpecGraph } from '../model/spec-graph.js';
import { PlannerOutputSchema, type PlannerOutput } from './contracts.js';
import { CrewValues, type CrewState } from './crew-state.js';
import type { HandlerRegistry, NodeHandler, Outcome } from './engine/index.js';
import type { CrewLlm } from './llm.js';
import { compileGrowth } from './roles/compiler.js';
import { committedWithSpec, growthBodies, settleCurrentBuild } from './roles/historian.js';
import { currentTexts, planMigration, prepareMigration, type PreparedMigration } from './roles/migrator.js';
import { changedDesires, plannerInput, planOffline } from './roles/planner.js';
import { reviewSafety } from './roles/safety.js';
import { composePanels } from './roles/surface.js';
import { failingRequiredTests, simulateGrowth, withResults, type TestStatus } from './roles/tester.js';
import { registerReleaseHandler } from './release-handler.js';
import { adaptersNeeded, growStepBodies } from './roles/toolsmith.js';
import { MigrationError } from './stored-records.js';

/** What the crew's steps need from where the run happens (server or CLI). */
export interface CrewEnvironment {
    services: FspecServices;
    /** The model filling the Planner's contract; offline when absent. */
    llm?: CrewLlm;
    /** How long one model call may take. */
    llmTimeoutMs?: number;
    /** Writes the grown spec where the user sees it (an atomic file write, or the editor's applyEdit and save). */
    deploy(specPath: string, text: string): Promise<void>;
    /** Called when the run reaches review, with the context so far. */
    onSimulated?(values: Readonly<Record<string, unknown>>): void;
    /** The reviewer's reason for the last rejection. */
    rejectionReason(): string | undefined;
}

/** How the Tester says a required test did not pass. */
const notPassing: Record<TestStatus['status'], string> = {
    'pass': 'passes', 'fail': 'fails', 'not-grown': 'is not grown', 'missing': 'is missing', 'not-run': 'did not run'
};

type CrewHandler = (crew: CrewValues, logsRoot: string, signal: AbortSignal, prompt: string) => Promise<Partial<CrewState> | Outcome>;

/** A crew step as an engine handler: it reads `crew.*` from the context and writes its results back. */
function step(run: CrewHandler): NodeHandler {
    return async (node, context, _graph, logsRoot, signal) => {
        const result = await run(new CrewValues(context.snapshot()), logsRoot, signal, node.prompt || node.label);
        return 'status' in result ? result as Outcome : { status: 'success', context_updates: result };
    };
}

function failed(failure_reason: string): Outcome {
    return { status: 'fail', failure_reason };
}

/** Registers the crew's steps under the node types crew.dot uses. */
export function registerCrewHandlers(registry: HandlerRegistry, env: CrewEnvironment): void {
    const detached = env.services.model.DetachedSpecs;
    // Most steps read the same two texts (before and after): each is parsed and linked once per run.
    const loaded = new Map<string, Promise<DetachedSpec>>();
    const loadText = (text: string, specPath: string): Promise<DetachedSpec> => {
        let spec = loaded.get(text);
        if (!spec) {
            spec = detached.load(text, URI.file(specPath));
            loaded.set(text, spec);
        }
        return spec;
    };
    const load = (crew: CrewValues, key: 'crew.before' | 'crew.after'): Promise<DetachedSpec> =>
        loadText(crew.require(key), crew.require('crew.spec_path'));
    // Opening a repository costs git processes: once per run (a resumed run opens it again).
    let repository: Promise<OpenedRepository> | undefined;
    const openRepository = (specPath: string) => repository ??= SpecRepository.open(specPath);

    registry.register('crew.refine', step(async crew => {
        const specPath = crew.require('crew.spec_path');
        const current = await load(crew, 'crew.before');
        const errors = (await detached.validate(current)).filter(d => d.severity === 1);
        if (!current.graph || errors.length) {
            const first = errors[0];
            return {
                status: 'fail', context_updates: { 'crew.spec_errors': Math.max(errors.length, 1) },
                failure_reason: `${path.basename(specPath)} has ${errors.length || 'syntax'} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before growing`
                    + (first ? ` (line ${first.range.start.line + 1}: ${String(first.message).replace(/\.$/, '')}).` : '.')
            };
        }
        // Refuse now, not after review, when the growth could not be recorded.
        const opened = await openRepository(specPath);
        if (opened.kind === 'git-missing') {
            return failed(opened.message);
        }
        if (opened.kind === 'not-a-repository') {
            return {
                status: 'fail', context_updates: { 'crew.repository_missing': opened.folder },
                failure_reason: `${opened.folder} is not in a git repository, so the growth could not be recorded in the lineage; initialize one there (\`git init\`, or \`fspec grow --init\`) and grow again.`
            };
        }
        const { repository } = opened;
        const [variant, recorded] = await Promise.all([repository.currentVariant(current.graph.name), repository.versions(current.graph.name)]);
        // Only a model reads free-text goals: with one, desires new or changed since the approved version count too.
        const approved = env.llm && (await env.services.model.ApprovedVersions.find(current.graph.name, current.document.uri.toString()))?.graph;
        const input = plannerInput(current.graph, changedDesires(approved, current.graph));
        return {
            'crew.spec_name': current.graph.name, 'crew.input': input, 'crew.has_desires': input.new_desires.length > 0,
            'crew.taken_versions': recorded.map(r => r.version), ...(variant ? { 'crew.variant': variant } : {})
        };
    }));

    registry.register('crew.plan', step(async (crew, _logs, signal, prompt) => {
        const current = await load(crew, 'crew.before');
        const input = crew.require('crew.input');
        if (!env.llm) {
            return { 'crew.plan': planOffline(current.graph!, input), 'crew.planner': 'offline' };
        }
        const { askStructured } = await import('./llm.js');
        const { value } = await askStructured(env.llm, {
            role: 'planner', system: prompt, schema: PlannerOutputSchema,
            prompt: `The spec:\n\n${crew.require('crew.before')}\n\nPlanner input:\n${JSON.stringify(input, null, 2)}\n\nAnswer with the morphs and the acceptance tests that must pass.`
        }, { signal, timeoutMs: env.llmTimeoutMs });
        return { 'crew.plan': value as PlannerOutput, 'crew.planner': env.llm.describe };
    }));

    registry.register('crew.compile', step(async crew => {
        const current = await load(crew, 'crew.before');
        const desires = crew.require('crew.input').new_desires;
        const variant = crew.get('crew.variant');
        const compiled = await compileGrowth(detached, current, crew.require('crew.plan').morphs, desires.length === 1 ? `${desires[0].name}_grown` : 'grown',
            { takenVersions: new Set(crew.require('crew.taken_versions')), ...(variant ? { variant } : {}) });
        const proposed = await loadText(compiled.text, crew.require('crew.spec_path'));
        const added = proposed.graph ? diffSpecGraphs(current.graph!, proposed.graph).filter(m => m.change === 'add').map(m => m.target) : [];
        return { 'crew.after': compiled.text, 'crew.stage': compiled.stage, 'crew.added': added };
    }));

    // With a model, the Toolsmith also writes the bodies of steps it has no skill for, tested against
    // the current app's build folder as the Tester's simulation is (offline those stay not grown).
    registry.register('crew.toolsmith', step(async (crew, _logs, signal) => {
        const after = (await load(crew, 'crew.after')).graph!;
        const adapters = adaptersNeeded(after, crew.require('crew.added'));
        if (!env.llm) {
            return { 'crew.adapters': adapters };
        }
        const specPath = crew.require('crew.spec_path');
        const bodies = await growStepBodies({
            services: env.services, specPath, text: crew.require('crew.after'), graph: after, llm: env.llm, signal, timeoutMs: env.llmTimeoutMs,
            out: defaultBuildFolder(specPath, (await load(crew, 'crew.before')).graph!.version)
        });
        return { 'crew.adapters': adapters, 'crew.bodies': bodies };
    }));

    registry.register('crew.surface', step(async crew => ({
        'crew.panels': composePanels((await load(crew, 'crew.after')).graph!, crew.require('crew.added'))
    })));

    registry.register('crew.safety', async (_node, context) => {
        const crew = new CrewValues(context.snapshot());
        const verdict = await reviewSafety(detached, await load(crew, 'crew.after'));
        if (verdict.verdict === 'vetoed') {
            const [first] = verdict.vetoes;
            const more = verdict.vetoes.length > 1 ? ` (and ${verdict.vetoes.length - 1} more)` : '';
            return { status: 'fail', failure_reason: `Safety vetoed the growth: ${first.message}${more}`, context_updates: { 'crew.safety': verdict } };
        }
        return { status: 'success', context_updates: { 'crew.safety': verdict } };
    });

    /** The migration of the stored records from the growth's data-contract morphs, or why the Migrator cannot run it. */
    const migration = (crew: CrewValues, before: SpecGraph, after: SpecGraph): PreparedMigration | Outcome => {
        try {
            return prepareMigration(crew.require('crew.spec_path'), planMigration(before, after, crew.require('crew.plan').morphs));
        } catch (error) {
            if (error instanceof MigrationError) {
                return failed(error.message);
            }
            throw error;
        }
    };

    registry.register('crew.simulate', async (_node, context) => {
        const crew = new CrewValues(context.snapshot());
        const [before, after] = [(await load(crew, 'crew.before')).graph!, (await load(crew, 'crew.after')).graph!];
        const planned = simulateGrowth(before, after, crew.require('crew.plan').tests);
        // The reviewer sees how the stored records migrate; a migration that cannot run stops the growth before review.
        const migrated = migration(crew, before, after);
        if ('status' in migrated) {
            return migrated;
        }
        // The proposed spec's app runs its tests on the stored records: a required test that does not pass makes the growth not approvable.
        const toRun = planned.tests.filter(t => t.status !== 'missing').map(t => t.name);
        // Against the current app's build folder, so bodies edited there by hand are what is tested.
        const specPath = crew.require('crew.spec_path');
        const report = toRun.length
            ? await runAcceptance(env.services, specPath, crew.require('crew.after'), {
                tests: toRun, out: defaultBuildFolder(specPath, before.version), grow: withAcceptedBodies(crew.get('crew.bodies') ?? [], toolsmith)
            })
            : undefined;
        const simulation = report ? { ...planned, tests: withResults(planned.tests, report) } : planned;
        const updates: Partial<CrewState> = { 'crew.simulation': simulation, 'crew.migration': migrated.summary };
        const failing = failingRequiredTests(simulation.tests);
        if (failing.length) {
            const [first] = failing;
            const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : '';
            return {
                status: 'fail', context_updates: updates,
                failure_reason: `The Tester refused the growth: required test ${first.name} ${notPassing[first.status]}${first.detail ? ` (${first.detail})` : ''}${more}.`
            };
        }
        env.onSimulated?.({ ...context.snapshot(), ...updates });
        return { status: 'success', context_updates: updates };
    });

    // Prepared again from the records as they are after the review; the Historian writes them with the
    // commit, so a deploy that fails leaves them untouched.
    registry.register('crew.migrate', step(async crew => {
        const migrated = migration(crew, (await load(crew, 'crew.before')).graph!, (await load(crew, 'crew.after')).graph!);
        return 'status' in migrated ? migrated
            : { 'crew.migration': migrated.summary, 'crew.migration_files': { write: migrated.files, restore: currentTexts(migrated.files) } };
    }));

    registry.register('crew.deploy', step(async crew => {
        const specPath = crew.require('crew.spec_path');
        const onDisk = fs.readFileSync(specPath, 'utf8');
        if (onDisk !== crew.require('crew.before')) {
            return failed(`${path.basename(specPath)} changed on disk while the growth was under review; nothing was applied. Save your edits and grow again.`);
        }
        await env.deploy(specPath, crew.require('crew.after'));
        return {};
    }));

    registry.register('crew.record', step(async crew => {
        const specPath = crew.require('crew.spec_path');
        const stage = crew.require('crew.stage');
        // A folder keeping its approved version as a file gets it updated in the same commit.
        const approvedFile = path.join(path.dirname(specPath), '.factory', 'approved', `${crew.require('crew.spec_name')}.fspec`);
        const approvedBefore = fs.existsSync(approvedFile) ? fs.readFileSync(approvedFile, 'utf8') : undefined;
        const records = crew.get('crew.migration_files') ?? { write: [], restore: [] };
        const before = (await load(crew, 'crew.before')).graph!;
        let bodies: { write: FileChange[], restore: FileChange[] } = { write: [], restore: [] };
        let recorded: Partial<CrewState>;
        try {
            const opened = await openRepository(specPath);
            if (opened.kind !== 'repository') {
                throw new Error(opened.kind === 'git-missing' ? opened.message : `${opened.folder} is no longer in a git repository.`);
            }
            if (approvedBefore !== undefined) {
                await atomicWrite(approvedFile, crew.require('crew.after'));
            }
            await replaceFiles(records.write);
            bodies = growthBodies(specPath, before, (await load(crew, 'crew.after')).graph!, crew.get('crew.bodies') ?? []);
            await replaceFiles(bodies.write);
            const desires = crew.require('crew.input').new_desires.map(d => d.name).join(', ');
            const { commit, tag } = await opened.repository.recordGrowth({
                specPath, specName: crew.require('crew.spec_name'), version: stage.version, stage: stage.name, morphs: stage.by,
                files: [...approvedBefore === undefined ? [] : [approvedFile], ...records.write.map(f => f.file), ...committedWithSpec(specPath)],
                message: `Grow ${crew.require('crew.spec_name')} to ${stage.version} (${stage.name}): ${desires}\n\nPlanner: ${crew.require('crew.planner')}`
            });
            recorded = { 'crew.commit': commit, 'crew.tag': tag };
        } catch (error) {
            // The lineage could not take the growth: put the spec, approved file, records and bodies back as they were before the deploy.
            if (approvedBefore !== undefined) {
                await atomicWrite(approvedFile, approvedBefore);
            }
            await replaceFiles(records.restore);
            await replaceFiles(bodies.restore);
            await env.deploy(specPath, crew.require('crew.before'));
            const restored = records.write.length ? 'the spec and its stored records were' : 'the spec was';
            return failed(`The growth was not recorded, so ${restored} restored: ${error instanceof Error ? error.message : String(error)}`);
        }
        settleCurrentBuild(specPath, before);
        return recorded;
    }));

    registry.register('crew.reject', step(async (_crew, logsRoot) => {
        const reason = env.rejectionReason() ?? 'no reason given';
        await atomicWrite(path.join(logsRoot, 'rejection.json'), JSON.stringify({ reason, at: new Date().toISOString() }, null, 2));
        return { 'crew.rejection': reason };
    }));

    registerReleaseHandler(registry, env);
}
