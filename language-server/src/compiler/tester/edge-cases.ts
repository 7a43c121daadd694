import { entityOf, type AppField, type AppModel, type AppStage } from '../app-model.js';
import type { GateCheck } from '../toolsmith/gates.js';
import { a, listText, str } from '../ts-names.js';
import type { TestPlan } from './derive.js';

/**
 * Generated edge cases: for each guardrail check the tests derive, a data set that would break
 * the guardrail if the gate let it through. Rows of an entity no step makes are added to a copy of
 * the records; rows of one a step makes are put into the flow just before the gate. Either way
 * they reach the gate, and whatever it lets past is in the store after the run, where the
 * test's check finds it. Deterministic: dates count from the run date, values are fixed.
 */

export interface EdgeRows {
    entity: string;
    /** An arrow function `(load, ctx) => rows` in the generated app. */
    code: string;
}

export interface EdgeCasePlan {
    name: string;
    description: string;
    records: EdgeRows[];
    inject: Array<EdgeRows & { before: string }>;
}

export interface EdgeCases {
    cases: EdgeCasePlan[];
    /** Guardrail checks no edge case could be made for, and why. */
    none: string[];
}

/** How many days before the run date a generated interval starts, and how long it lasts: it holds every date within a month of the run date. */
export const edgeIntervalStart = -31;
export const edgeIntervalDays = 62;

export function edgeCases(app: AppModel, plans: TestPlan[]): EdgeCases {
    const cases: EdgeCasePlan[] = [];
    const none: string[] = [];
    const seen = new Set<string>();
    for (const check of plans.flatMap(p => p.checks)) {
        if (check.kind !== 'guardrail') {
            continue;
        }
        const name = `edge:${check.guardrail.name}@${check.gate.qualified}`;
        if (seen.has(name)) {
            continue;
        }
        seen.add(name);
        const made = edgeCase(app, check.gate, check.check);
        if (typeof made === 'string') {
            none.push(`${check.guardrail.name} at ${check.gate.qualified}: ${made}`);
        } else {
            cases.push({ name, ...made });
        }
    }
    return { cases, none };
}

function madeByStep(app: AppModel, entity: string): boolean {
    return app.pipelines.some(p => p.stages.some(s => s.kind === 'step' && s.outputs.includes(entity)));
}

/** Where the rows go: into the flow before the gate when a step makes the entity, else into the records. */
function placed(app: AppModel, gate: AppStage, rows: EdgeRows[]): Pick<EdgeCasePlan, 'records' | 'inject'> {
    return {
        records: rows.filter(r => !madeByStep(app, r.entity)),
        inject: rows.filter(r => madeByStep(app, r.entity)).map(r => ({ ...r, before: gate.qualified }))
    };
}

function edgeCase(app: AppModel, gate: AppStage, check: GateCheck): Omit<EdgeCasePlan, 'name'> | string {
    const { facts } = check;
    if (facts.skill === 'window') {
        const events = entityOf(app, facts.events);
        const set = new Map<string, string>([
            [facts.subjectRef, 'x.id'],
            [facts.start, `kit.addDays(ctx.today, ${edgeIntervalStart})`],
            [facts.days, String(edgeIntervalDays)]
        ]);
        for (const field of events.fields.filter(f => !set.has(f.name) && f.name !== 'id' && !f.optional && f.default === undefined)) {
            set.set(field.name, placeholder(field));
        }
        const row = [...set].map(([field, value]) => `${field}: ${value}`).join(', ');
        const rows = { entity: events.name, code: `(load, ctx) => load(${str(facts.subject)}).map(x => ({ ${row} }))` };
        return {
            description: `${a(events.name)} on every ${facts.subject}, from ${-edgeIntervalStart} days before the run date for ${edgeIntervalDays} days (${facts.days}): `
                + `every ${listText(facts.targets)} row dated within 30 days of the run date is inside an interval, and ${gate.name} must block it`,
            ...placed(app, gate, [rows])
        };
    }
    if (facts.skill === 'approval') {
        const rows = { entity: facts.rows, code: `(load) => load(${str(facts.rows)}).map(({ id: _id, ...row }) => ({ ...row, ${facts.approver}: "auto" }))` };
        return {
            description: `every ${facts.rows} row again, claiming approval by "auto" (the app itself) in ${facts.approver}: ${gate.name} must block each copy`,
            ...placed(app, gate, [rows])
        };
    }
    const carriers = facts.checked.filter(c => c.fields.length > 0);
    if (carriers.length === 0) {
        return `${listText(facts.checked.map(c => c.entity))} ${facts.checked.length === 1 ? 'has' : 'have'} no unprotected text field to carry a protected value`;
    }
    // The copy carries the value in its longest kind of text (a letter's body before its language).
    const carrier = (c: { entity: string; fields: string[] }) =>
        entityOf(app, c.entity).fields.find(f => f.base === 'text' && c.fields.includes(f.name))?.name ?? c.fields[0];
    const rows = carriers.map(c => ({
        entity: c.entity,
        code: `(load, ctx) => { const value = ctx.protectedValues().find(p => p.value.length >= 4)?.value; `
            + `return value === undefined ? [] : load(${str(c.entity)}).map(({ id: _id, ...row }) => ({ ...row, ${carrier(c)}: String(row.${carrier(c)} ?? '') + ' ' + value })); }`
    }));
    return {
        description: `every ${listText(carriers.map(c => c.entity))} row again with a pii/phi value from the store added to its ${listText(carriers.map(c => `${c.entity}.${carrier(c)}`))}: ${gate.name} must block each copy`,
        ...placed(app, gate, rows)
    };
}

/** A fixed value of the field's type, for required fields an edge case's rows must have. */
function placeholder(field: AppField): string {
    if (field.many) {
        return '[]';
    }
    if (field.ref) {
        return `load(${str(field.ref)})[0]?.id ?? null`;
    }
    switch (field.base) {
        case 'enum': return str(field.values[0] ?? '');
        case 'weekday': return '"monday"';
        case 'date': return 'ctx.today';
        case 'datetime': return "ctx.today + 'T00:00:00Z'";
        case 'int': case 'number': case 'money': return '1';
        case 'bool': return 'false';
        default: return '"edge case"';
    }
}
