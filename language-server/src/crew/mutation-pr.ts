import type { ModelBodyOutcome } from '../compiler/toolsmith/model-toolsmith.js';
import type { NewDesire, PlannerOutput } from './contracts.js';
import type { CrewDeployment } from './release-handler.js';
import type { GrowthStage } from './roles/compiler.js';
import type { MigrationSummary } from './roles/migrator.js';
import type { SafetyVerdict } from './roles/safety.js';
import type { AdapterNeed } from './roles/toolsmith.js';
import type { PanelLayout } from './roles/surface.js';
import type { Simulation } from './roles/tester.js';

/**
 * A growth step as the user reviews it: the spec before and after, the morphs with their risk and
 * required tests, Safety's verdict, the flowchart before and after. The same JSON goes to the
 * editor's mutation PR view and out of `fspec grow --json`.
 */
export interface MutationPr {
    runId: string;
    spec: { name: string, path: string };
    /** Who filled the Planner's contract: `offline`, or the model (`openai/gpt-4.1`). */
    planner: string;
    desires: NewDesire[];
    plan: PlannerOutput;
    stage: GrowthStage;
    before: string;
    after: string;
    safety: SafetyVerdict;
    simulation: Simulation;
    adapters: AdapterNeed[];
    panels: PanelLayout[];
    /** Step bodies the crew's model wrote, each with whether it was accepted (compiled, passed its tests) and why not; empty offline. */
    bodies: ModelBodyOutcome[];
    /** How the stored records migrate (no ops when the data contracts keep their shape); absent when Safety vetoed before the Migrator planned. */
    migration?: MigrationSummary;
}

/** How a growth run ended (or where it waits). */
export type GrowthStatus = 'nothing-to-grow' | 'awaiting-review' | 'grown' | 'rejected' | 'vetoed' | 'failed' | 'cancelled';

export interface GrowthResult {
    runId: string;
    status: GrowthStatus;
    /** One sentence for the user: what happened, or what went wrong and what to do. */
    message: string;
    pr?: MutationPr;
    /** After approval: the lineage commit and tag. */
    commit?: string;
    tag?: string;
    /** After the record: the Deployer's deploy of the approved version (a failed one leaves the growth grown). */
    deployment?: CrewDeployment;
    /** Why the reviewer rejected the growth. */
    reason?: string;
    /** How many errors in the spec kept the growth from starting (fixing them is what the user has to do). */
    specErrors?: number;
    /** The spec's folder when no git repository holds it: the growth could be recorded after initializing one there. */
    repositoryMissing?: string;
    /** Where the run's checkpoint and per-step logs are (`.factory/runs/<id>`). */
    logsRoot: string;
}
