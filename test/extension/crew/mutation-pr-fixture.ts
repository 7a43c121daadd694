import type { MutationPr } from '../../../language-server/src/crew/mutation-pr.js';
import { compileGrowth } from '../../../language-server/src/crew/roles/compiler.js';
import { plannerInput, planOffline } from '../../../language-server/src/crew/roles/planner.js';
import { reviewSafety } from '../../../language-server/src/crew/roles/safety.js';
import { composePanels } from '../../../language-server/src/crew/roles/surface.js';
import { simulateGrowth } from '../../../language-server/src/crew/roles/tester.js';
import { adaptersNeeded } from '../../../language-server/src/crew/roles/toolsmith.js';
import { farmFile, loadAs, services, tuesdayDesire, withDesires } from '../../crew/example-specs.js';

/** The farmer's Tuesday desire plus a shortfall board: a source (an adapter), a step, a panel and tests. */
export const growingDesires = `${tuesdayDesire}    desire board {
      output shortfall_board
    }
`;

/** A constraint no growth plate accepts: Safety vetoes the guardrail it needs. */
export const vetoedDesire = `    desire organic {
      constraint "Only organic sprays"
    }
`;

/**
 * A mutation PR of the farm example made by the real offline roles, the way the crew assembles
 * one, so the views are tested against the shape the server sends.
 */
export async function farmPr(desires = growingDesires, runId = 'run-1'): Promise<MutationPr> {
    const detached = services.model.DetachedSpecs;
    const before = withDesires(farmFile, desires);
    const current = await loadAs(farmFile, before);
    const input = plannerInput(current.graph!);
    const plan = planOffline(current.graph!, input);
    const compiled = await compileGrowth(detached, current, plan.morphs, 'grown');
    const proposed = await loadAs(farmFile, compiled.text);
    const simulation = simulateGrowth(current.graph!, proposed.graph!, plan.tests);
    return {
        runId, spec: { name: current.graph!.name, path: farmFile }, planner: 'offline', desires: input.new_desires, plan,
        stage: compiled.stage, before, after: compiled.text, safety: await reviewSafety(detached, proposed), simulation,
        adapters: adaptersNeeded(proposed.graph!, simulation.added), panels: composePanels(proposed.graph!, simulation.added), bodies: []
    };
}
