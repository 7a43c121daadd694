import { createHash } from 'node:crypto';
import { graphIndex, outgoing } from '../../model/graph-index.js';
import { desireGaps, hasGaps, termName, type DesireGaps } from '../../model/desires.js';
import { uniqueName } from '../../model/names.js';
import { diffSpecGraphs } from '../../model/semantic-diff.js';
import { idName, serializeSpecGraph, type SpecGraph, type SpecNode } from '../../model/spec-graph.js';
import type { MorphProposal, NewDesire, PlannerInput, PlannerOutput } from '../contracts.js';

/** A content hash of the normalized graph: the plan is made against exactly this spec. */
export function specGraphId(graph: SpecGraph): string {
    return `sg-${createHash('sha256').update(serializeSpecGraph(graph)).digest('hex').slice(0, 12)}`;
}

/**
 * The Planner's input: every desire the spec does not fully realize yet, and the desires named in
 * `unplanned` (those a model can read from their goal alone: new or changed since the approved version).
 */
export function plannerInput(graph: SpecGraph, unplanned: readonly string[] = []): PlannerInput {
    const desires = graph.nodes.filter(n => n.kind === 'desire' && (unplanned.includes(n.name) || hasGaps(desireGaps(graph, n))));
    return { spec_graph_id: specGraphId(graph), new_desires: desires.map(newDesire) };
}

/** Desires new or changed since the approved version: what a model may plan from their goal alone. */
export function changedDesires(approved: SpecGraph | undefined, current: SpecGraph): string[] {
    return approved ? diffSpecGraphs(approved, current).filter(m => m.element === 'desire' && m.change !== 'remove').map(m => idName(m.target)) : [];
}

function newDesire(desire: SpecNode): NewDesire {
    const list = (key: string) => ((desire.attrs[key] ?? []) as unknown[]).filter((v): v is string => typeof v === 'string');
    const goal = list('goals')[0] ?? (typeof desire.attrs.title === 'string' ? desire.attrs.title : undefined);
    const cadence = list('cadence')[0];
    return {
        name: desire.name, ...(goal ? { goal } : {}), constraints: list('constraints'), trusted_sources: list('trustedSources'),
        outputs: list('outputs'), ...(cadence ? { cadence } : {})
    };
}

/** Output words that name a screen rather than data: such an output becomes a panel. */
const surfaceWords = /(^|_)(queue|panel|view|dashboard|tracker|board|screen|portal|inbox)s?$/;

/**
 * The deterministic Planner: closes each new desire's gap with the morphs the seed names — a
 * step or panel per output nothing produces, a gate per constraint no gate enforces (and the
 * guardrail when none matches), a source per trusted source the policy lacks — plus an acceptance
 * test for what it added. Its tests are those and the ones the morph rules require.
 */
export function planOffline(graph: SpecGraph, input: PlannerInput): PlannerOutput {
    const planner = new OfflinePlan(graph);
    for (const wanted of input.new_desires) {
        const desire = graphIndex(graph).nodes.get(`desire:${wanted.name}`);
        if (desire) {
            planner.closeGaps(wanted, desireGaps(graph, desire));
        }
    }
    return { morphs: planner.morphs, tests: requiredTests(graph, planner.morphs) };
}

class OfflinePlan {
    readonly morphs: MorphProposal[] = [];
    private readonly taken: Set<string>;

    constructor(private readonly graph: SpecGraph) {
        this.taken = new Set(graph.nodes.map(n => n.name));
    }

    closeGaps(desire: NewDesire, gaps: DesireGaps): void {
        const pipeline = this.pipelineFor(desire);
        const added: string[] = [];
        const reason = `desire ${desire.name}`;
        for (const source of gaps.sources) {
            this.morphs.push({
                type: 'add_source', name: this.name(source), title: humanize(source), tier: this.policyTier(),
                ...this.cadence(desire), reason: `${reason} trusts ${source}`
            });
        }
        for (const { constraint, guardrail } of gaps.constraints) {
            const enforced = guardrail ?? this.name(termName(constraint));
            if (!guardrail) {
                this.morphs.push({ type: 'add_guardrail', name: enforced, text: constraint, reason: `${reason} is constrained by "${constraint}"` });
            }
            if (pipeline) {
                const gate = this.name(`${enforced}_gate`);
                const first = this.steps(pipeline)[0];
                this.morphs.push({
                    type: 'insert_gate', pipeline: pipeline.name, name: gate, title: `${humanize(enforced)} gate`,
                    ...(first ? { after: first.name } : {}), enforces: [enforced], reason: `${reason} is constrained by "${constraint}"`
                });
                added.push(gate);
            }
        }
        for (const output of gaps.outputs) {
            const name = this.name(termName(output));
            const produced = pipeline ? this.lastOutputs(pipeline) : [];
            if (surfaceWords.test(name.toLowerCase()) || !pipeline) {
                const role = this.graph.nodes.find(n => n.kind === 'role');
                this.morphs.push({
                    type: 'add_surface', name, title: humanize(output), shows: produced,
                    ...(role ? { for: [role.name] } : {}), reason: `${reason} wants ${output}`
                });
            } else {
                this.morphs.push({
                    type: 'add_step', pipeline: pipeline.name, name, title: humanize(output),
                    ...(produced.length ? { reads: produced } : {}), reason: `${reason} wants ${output}`
                });
            }
            added.push(name);
        }
        if (added.length) {
            this.morphs.push({
                type: 'add_test', name: this.name(`${desire.name}_realized`), text: desire.goal ?? `Desire ${desire.name} is realized`,
                covers: added, reason: `checks that ${reason} is realized`
            });
        }
    }

    /** The pipeline already producing some of the desire's outputs, else the first one. */
    private pipelineFor(desire: NewDesire): SpecNode | undefined {
        const pipelines = this.graph.nodes.filter(n => n.kind === 'pipeline');
        const wanted = new Set(desire.outputs.map(o => termName(o).toLowerCase()));
        return pipelines.find(p => this.steps(p).some(s => wanted.has(s.name.toLowerCase()))) ?? pipelines[0];
    }

    private steps(pipeline: SpecNode): SpecNode[] {
        return graphIndex(this.graph).children.get(pipeline.id) ?? [];
    }

    /** What the pipeline's last producing step outputs: the natural input of a step appended to it. */
    private lastOutputs(pipeline: SpecNode): string[] {
        for (const step of [...this.steps(pipeline)].reverse()) {
            const outputs = outgoing(this.graph, step.id, 'outputs').map(e => idName(e.to));
            if (outputs.length) {
                return outputs;
            }
        }
        return [];
    }

    private policyTier(): 'high' | 'medium' | 'low' {
        const tier = (graphIndex(this.graph).nodes.get('policy')?.attrs.minimumTier as string[] | undefined)?.[0];
        return tier === 'high' || tier === 'low' ? tier : 'medium';
    }

    private cadence(desire: NewDesire): { cadence?: string } {
        const cadence = desire.cadence ?? (graphIndex(this.graph).nodes.get('policy')?.attrs.cadence as string[] | undefined)?.[0];
        return cadence ? { cadence } : {};
    }

    private name(base: string): string {
        const name = uniqueName(base, this.taken);
        this.taken.add(name);
        return name;
    }
}

/** The acceptance tests a plan must pass: the ones it adds and the ones the rules of its morphs require. */
export function requiredTests(graph: SpecGraph, morphs: MorphProposal[]): string[] {
    const tests = new Set<string>();
    for (const morph of morphs) {
        if (morph.type === 'add_test') {
            tests.add(morph.name);
        }
        for (const edge of outgoing(graph, `rule:${morph.type}`, 'requires')) {
            tests.add(idName(edge.to));
        }
    }
    return [...tests];
}

/** `shortfall_alerts` → `Shortfall alerts`. */
function humanize(name: string): string {
    const words = name.replace(/_/g, ' ').trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
}
