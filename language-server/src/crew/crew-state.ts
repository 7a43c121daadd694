import type { ModelBodyOutcome } from '../compiler/toolsmith/model-toolsmith.js';
import type { FileChange } from '../lineage/atomic-write.js';
import type { NewDesire, PlannerInput, PlannerOutput } from './contracts.js';
import type { MutationPr } from './mutation-pr.js';
import type { CrewDeployment } from './release-handler.js';
import type { GrowthStage } from './roles/compiler.js';
import type { MigrationSummary } from './roles/migrator.js';
import type { SafetyVerdict } from './roles/safety.js';
import type { PanelLayout } from './roles/surface.js';
import type { Simulation } from './roles/tester.js';
import type { AdapterNeed } from './roles/toolsmith.js';

/**
 * What the crew's steps leave in the run context, under `crew.*`. The context is checkpointed
 * after every step, so a resumed run (after a restart) has all of it without re-running anything.
 */
export interface CrewState {
    'crew.spec_path': string;
    'crew.spec_name': string;
    /** The spec text the run grows. */
    'crew.before': string;
    'crew.has_desires': boolean;
    /** How many errors stopped the growth before it began (the editor's notice about them closes once they are fixed). */
    'crew.spec_errors': number;
    /** The folder the spec is in when no git repository holds it (the editor offers to initialize one). */
    'crew.repository_missing': string;
    /** The variant HEAD's branch is of; absent on the main line. */
    'crew.variant': string;
    /** Versions the lineage has recorded, so a growth never reuses one. */
    'crew.taken_versions': string[];
    'crew.input': PlannerInput;
    'crew.planner': string;
    'crew.plan': PlannerOutput;
    'crew.after': string;
    'crew.stage': GrowthStage;
    /** Graph ids the growth adds. */
    'crew.added': string[];
    'crew.adapters': AdapterNeed[];
    /** Bodies the crew's model wrote for steps the deterministic Toolsmith has none for (none offline). */
    'crew.bodies': ModelBodyOutcome[];
    'crew.panels': PanelLayout[];
    'crew.safety': SafetyVerdict;
    'crew.simulation': Simulation;
    /** The migration of the stored records, planned for the review. */
    'crew.migration': MigrationSummary;
    /**
     * The migrated records files and the migration record (`write`), prepared after the review with
     * the texts they had then (`restore`); the Historian writes them with the commit, or restores them.
     */
    'crew.migration_files': { write: FileChange[], restore: FileChange[] };
    'crew.commit': string;
    'crew.tag': string;
    'crew.rejection': string;
    /**
     * What the Deployer's release after the record answered: the DeployResult without its acceptance
     * report (status, version, previous, tag, message, the report's counts, why not). A deploy that
     * failed or was refused leaves the growth grown and the version deployed before deployed.
     */
    'crew.deployment': CrewDeployment;
}

export type CrewKey = keyof CrewState;

/** Typed reads of the run context's snapshot. */
export class CrewValues {
    constructor(private readonly values: Readonly<Record<string, unknown>>) {}

    get<K extends CrewKey>(key: K): CrewState[K] | undefined {
        return this.values[key] as CrewState[K] | undefined;
    }

    require<K extends CrewKey>(key: K): CrewState[K] {
        const value = this.get(key);
        if (value === undefined) {
            throw new Error(`The crew step needs ${key}, which no earlier step produced (is .factory/crew.dot missing a step?).`);
        }
        return value;
    }
}

/** The mutation PR of a run whose steps reached simulation (or Safety, for a vetoed one). */
export function mutationPr(runId: string, crew: CrewValues, simulation: Simulation): MutationPr {
    return {
        runId,
        spec: { name: crew.require('crew.spec_name'), path: crew.require('crew.spec_path') },
        planner: crew.require('crew.planner'),
        desires: crew.require('crew.input').new_desires as NewDesire[],
        plan: crew.require('crew.plan'),
        stage: crew.require('crew.stage'),
        before: crew.require('crew.before'),
        after: crew.require('crew.after'),
        safety: crew.require('crew.safety'),
        simulation,
        adapters: crew.get('crew.adapters') ?? [],
        panels: crew.get('crew.panels') ?? [],
        bodies: crew.get('crew.bodies') ?? [],
        ...(crew.get('crew.migration') ? { migration: crew.get('crew.migration') } : {})
    };
}
