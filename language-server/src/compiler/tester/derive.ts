import { idName } from '../../model/spec-graph.js';
import { entityOf, type AppEntity, type AppField, type AppGuardrail, type AppModel, type AppPanel, type AppStage, type AppTest } from '../app-model.js';
import { gateCheckFor, type GateCheck } from '../toolsmith/gates.js';
import { rankingOf } from '../toolsmith/ordering.js';
import { a, listText } from '../ts-names.js';
import { namedValues, namesIn, weekdayValues, wordsOf } from './words.js';

/**
 * The Tester's derivation: from what an acceptance test covers and what its text names, the
 * checks that decide it over the app's records after its pipelines ran.
 *
 * - A covered **gate**, or a covered **guardrail** (every gate enforcing it): the guardrail holds
 *   past the gate — the Toolsmith's own check for it (the gate body's rule), run on what the gate
 *   reads as the store has it after the run.
 * - A covered **step** whose output references what it reads: every read row (those with the
 *   enum or weekday values the text names) has an output row referencing it, with one of the
 *   output's enum values the text names, and the output fields the text names filled.
 * - A covered **step** with an ordering strategy (`severity_then_due`): its output is in that order.
 * - A covered **panel**: the fields of what it shows that the text names are shown, in clear, on every row.
 *
 * Whatever a test covers that gives no check is listed, with why; a test no check comes from at all is not grown.
 */

export interface GuardrailCheckPlan {
    kind: 'guardrail';
    description: string;
    gate: AppStage;
    guardrail: AppGuardrail;
    check: GateCheck;
}

export interface CoverageCheckPlan {
    kind: 'coverage';
    description: string;
    step: string;
    entity: string;
    where: Record<string, string[]>;
    output: string;
    via: string;
    values: Record<string, string[]>;
    filled: string[];
}

export type OrderKeyPlan =
    | { kind: 'rank'; field: string; values: string[] }
    | { kind: 'first'; via: string; entity: string; field: string; value: string }
    | { kind: 'earliest'; field: string; via?: string; entity?: string };

export interface OrderingCheckPlan {
    kind: 'ordering';
    description: string;
    step: string;
    entity: string;
    keys: OrderKeyPlan[];
}

export interface PanelCheckPlan {
    kind: 'panel';
    description: string;
    panel: string;
    entity: string;
    fields: string[];
}

export type CheckPlan = GuardrailCheckPlan | CoverageCheckPlan | OrderingCheckPlan | PanelCheckPlan;

export interface TestPlan {
    name: string;
    title: string;
    covers: string[];
    /** Stages (pipeline.stage, in pipeline order) the checks depend on. */
    stages: string[];
    checks: CheckPlan[];
    unchecked: string[];
    notGrown?: string;
}

/** Every acceptance test of the app with the checks derived for it, in the spec's order. */
export function testPlans(app: AppModel): TestPlan[] {
    return app.tests.map(test => testPlan(app, test));
}

export function testPlan(app: AppModel, test: AppTest): TestPlan {
    const words = wordsOf(test.text);
    const checks: CheckPlan[] = [];
    const unchecked: string[] = [];
    const stages = new Set<string>();
    const addGuardrail = (gate: AppStage, guardrail: AppGuardrail) => {
        if (checks.some(c => c.kind === 'guardrail' && c.gate === gate && c.guardrail.name === guardrail.name)) {
            return;
        }
        const check = gateCheckFor({ app, stage: gate }, guardrail);
        if (!check) {
            unchecked.push(`guardrail ${guardrail.name} at ${gate.qualified}: the Toolsmith knows no check for it, so neither the gate nor the test has one`);
            return;
        }
        checks.push({ kind: 'guardrail', description: `${guardrail.name} ("${guardrail.text}") holds past ${gate.qualified}: ${check.rule}`, gate, guardrail, check });
        upstream(app, gate).forEach(s => stages.add(s));
    };

    for (const id of test.covers) {
        const kind = id.slice(0, id.indexOf(':'));
        const name = idName(id);
        const stage = kind === 'step' || kind === 'gate' ? stageOf(app, name) : undefined;
        if (kind === 'gate' && stage) {
            if (stage.enforces.length === 0) {
                unchecked.push(`gate ${name}: it enforces no guardrail`);
            }
            stage.enforces.forEach(g => addGuardrail(stage, g));
        } else if (kind === 'guardrail') {
            const guardrail = app.guardrails.find(g => g.name === name) ?? { name, text: name };
            const gates = app.pipelines.flatMap(p => p.stages).filter(s => s.kind === 'gate' && s.enforces.some(g => g.name === name));
            if (gates.length === 0) {
                unchecked.push(`guardrail ${name}: no gate enforces it, so there is no rule of it to check over the records`);
            }
            gates.forEach(gate => addGuardrail(gate, guardrail));
        } else if (kind === 'step' && stage) {
            const derived = [...coverageChecks(app, stage, words), ...orderingChecks(app, stage)];
            if (derived.length === 0) {
                unchecked.push(`step ${name}: ${stage.outputs.length ? `its output (${stage.outputs.join(', ')}) references nothing it reads` : 'it outputs nothing'}, and it has no ordering strategy`);
            }
            checks.push(...derived);
            if (derived.length) {
                upstream(app, stage).forEach(s => stages.add(s));
            }
        } else if (kind === 'panel') {
            const panel = app.panels.find(p => p.name === name);
            const derived = panel ? panelChecks(app, panel, words) : [];
            if (derived.length === 0) {
                unchecked.push(`panel ${name}: the test's text names none of the fields it shows`);
            }
            checks.push(...derived);
            for (const check of derived) {
                app.pipelines.flatMap(p => p.stages).filter(s => s.kind === 'step' && s.outputs.includes(check.entity))
                    .forEach(s => upstream(app, s).forEach(q => stages.add(q)));
            }
        } else {
            unchecked.push(`${kind} ${name}: the Tester derives no check from ${a(kind)}`);
        }
    }

    const order = app.pipelines.flatMap(p => p.stages.map(s => s.qualified));
    const plan: TestPlan = {
        name: test.name, title: test.text, covers: test.covers,
        stages: order.filter(s => stages.has(s)), checks, unchecked
    };
    if (checks.length === 0) {
        plan.notGrown = test.covers.length
            ? `No check could be derived from what it covers (${unchecked.join('; ')}).`
            : 'It covers nothing: name the steps, gates, guardrails or panels it tests with covers.';
    }
    return plan;
}

function stageOf(app: AppModel, qualified: string): AppStage | undefined {
    return app.pipelines.flatMap(p => p.stages).find(s => s.qualified === qualified);
}

/**
 * The stage and the earlier stages of its pipeline its records depend on: steps that make what it
 * reads and gates that filter it, and so on back (their reads join what is needed).
 */
export function upstream(app: AppModel, stage: AppStage): string[] {
    const pipeline = app.pipelines.find(p => p.name === stage.pipeline)!;
    const needed = new Set(stage.reads);
    const found = [stage.qualified];
    for (let i = pipeline.stages.indexOf(stage) - 1; i >= 0; i--) {
        const earlier = pipeline.stages[i];
        const touches = earlier.kind === 'gate' ? earlier.reads.some(e => needed.has(e)) : earlier.outputs.some(e => needed.has(e));
        if (touches) {
            found.unshift(earlier.qualified);
            earlier.reads.forEach(e => needed.add(e));
        }
    }
    return found;
}

const single = (f: AppField) => !f.many && !f.ref;

/** The enum and weekday values of the entity the words name, per field. */
function namedFilters(entity: AppEntity, words: string[], except: AppField[] = []): Record<string, string[]> {
    const filters: Record<string, string[]> = {};
    for (const field of entity.fields.filter(f => single(f) && !except.includes(f))) {
        const values = field.base === 'enum' ? namedValues(words, field.values) : field.base === 'weekday' ? namedValues(words, weekdayValues) : [];
        if (values.length) {
            filters[field.name] = values;
        }
    }
    return filters;
}

function valuesText(filters: Record<string, string[]>): string {
    return listText(Object.entries(filters).map(([field, values]) => `${field} ${values.join(' or ')}`));
}

function coverageChecks(app: AppModel, stage: AppStage, words: string[]): CoverageCheckPlan[] {
    const plans: CoverageCheckPlan[] = [];
    for (const outputName of stage.outputs) {
        const output = entityOf(app, outputName);
        for (const readName of stage.reads.filter(r => r !== outputName)) {
            const via = output.fields.find(f => f.ref === readName && !f.many) ?? output.fields.find(f => f.ref === readName && f.many);
            if (!via) {
                continue;
            }
            const where = namedFilters(entityOf(app, readName), words);
            const values = namedFilters(output, words, [via]);
            const filled = output.fields.filter(f => f !== via && !(f.name in values) && namesIn(words, f.name)).map(f => f.name);
            const description = [
                `every ${readName}${Object.keys(where).length ? ` with ${valuesText(where)}` : ''} has ${a(outputName)} referencing it (${outputName}.${via.name})`,
                Object.keys(values).length ? ` with ${valuesText(values)}` : '',
                filled.length ? `, and each such ${outputName} has ${listText(filled)}` : '',
                ` (step ${stage.qualified})`
            ].join('');
            plans.push({ kind: 'coverage', description, step: stage.qualified, entity: readName, where, output: outputName, via: via.name, values, filled });
        }
    }
    return plans;
}

function orderingChecks(app: AppModel, stage: AppStage): OrderingCheckPlan[] {
    if (stage.strategy !== 'severity_then_due') {
        return [];
    }
    const ranking = rankingOf({ app, stage });
    if (!ranking) {
        return [];
    }
    const { entity, severity, boost, due } = ranking;
    const keys: OrderKeyPlan[] = [
        { kind: 'rank', field: severity.name, values: severity.values },
        ...boost ? [{ kind: 'first' as const, via: boost.via.name, entity: boost.target.name, field: boost.field.name, value: boost.value }] : [],
        { kind: 'earliest', field: due.field.name, ...due.via ? { via: due.via.name, entity: due.target!.name } : {} }
    ];
    const description = `${entity.name} is in the order of ${stage.qualified} (severity_then_due): ${severity.name} ${[...severity.values].reverse().join(', ')}`
        + `${boost ? `, then those whose ${boost.target.name} has ${boost.field.name} ${boost.value} (${boost.name})` : ''}`
        + `, then the ${due.field.name} date${due.target ? ` of their ${due.target.name}` : ''}, earliest first`;
    return [{ kind: 'ordering', description, step: stage.qualified, entity: entity.name, keys }];
}

function panelChecks(app: AppModel, panel: AppPanel, words: string[]): PanelCheckPlan[] {
    return panel.shows.flatMap(shown => {
        const fields = entityOf(app, shown.entity).fields.filter(f => namesIn(words, f.name)).map(f => f.name);
        return fields.length
            ? [{ kind: 'panel' as const, description: `panel ${panel.name} shows ${listText(fields.map(f => `${shown.entity}.${f}`))} in clear, on every row`, panel: panel.name, entity: shown.entity, fields }]
            : [];
    });
}
