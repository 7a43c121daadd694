import type { AppEntity, AppField, AppGuardrail } from '../app-model.js';
import { a, commentText, str } from '../ts-names.js';
import { dated, entities, pathTo, pick, refTo, resolvePath, textual, type StepShape } from './shape.js';

/**
 * Gate checks, one per guardrail a gate enforces. Each returns statements that push Blocked rows
 * onto `blocked`, or undefined when it does not fit the guardrail and what the gate reads. The
 * gate's body and the Tester's acceptance check are generated from the same GateCheck: one rule.
 */
export interface GateCheck {
    skill: string;
    code: string;
    /** One sentence: what no row that passes the gate may do (for test reports). */
    rule: string;
    /** What the check reads, by name: the Tester derives its edge cases from these. */
    facts: GateCheckFacts;
}

export type GateCheckFacts =
    /** Rows of `targets` referencing a `subject` inside the interval (`start`, `days` days) of an `events` row. */
    | { skill: 'window'; events: string; subject: string; subjectRef: string; start: string; days: string; targets: string[] }
    /** Rows of `rows` naming an approver (`approver`) other than the responsible person. */
    | { skill: 'approval'; rows: string; approver: string }
    /** Rows of `checked` entities whose unprotected text `fields` carry a protected value. */
    | { skill: 'keep-in'; checked: Array<{ entity: string; fields: string[] }> };

const windowWords = /phi|interval|window|lock|withdrawal|withhold|quarantine|harvest/i;

/**
 * The interval window, for a guardrail that speaks of one (PHI, interval, lock, harvest…): a read
 * entity with an int field flagged `phi`, a date and a reference to X tells, per X, a window from
 * the date for that many days; rows of the other read entities referencing an X inside its window
 * (on their own date, else the run date) are blocked.
 */
function windowCheck(shape: StepShape, guardrail: AppGuardrail): GateCheck | undefined {
    if (!windowWords.test(guardrail.text) && !windowWords.test(guardrail.name)) {
        return undefined;
    }
    const reads = entities(shape, shape.stage.reads);
    for (const events of reads) {
        const days = events.fields.find(f => f.phi && (f.base === 'int' || f.base === 'number') && !f.many && !f.optional);
        const start = pick(events, f => dated(f) && !f.optional, /date|applied|start/);
        const subjectRef = events.fields.find(f => f.ref && !f.many && !f.optional);
        if (!days || !start || !subjectRef) {
            continue;
        }
        const X = subjectRef.ref!;
        const targets = reads.filter(e => e !== events && refTo(e, X));
        if (!targets.length) {
            continue;
        }
        const code = [
            `// ${guardrail.name} ("${commentText(guardrail.text)}"): ${targets.map(t => a(t.name)).join(' or ')} row is blocked when its ${X} is inside`,
            `// the ${days.name} interval of ${a(events.name)}: from its ${start.name} until ${days.name} days later. ${events.name} rows are indexed by ${X} first.`,
            '{',
            `    const intervals = new Map<string, rt.Stored<T.${events.name}>[]>();`,
            `    for (const e of input.reads.${events.name}) {`,
            `        const id = ctx.resolve(${str(X)}, e.${subjectRef.name})?.id;`,
            '        const known = id === undefined ? undefined : intervals.get(id);',
            '        if (known) {',
            '            known.push(e);',
            '        } else if (id !== undefined) {',
            '            intervals.set(id, [e]);',
            '        }',
            '    }',
            ...targets.flatMap(target => {
                const ref = refTo(target, X)!;
                const on = pick(target, f => dated(f) && !f.optional, /week|date|harvest|day/);
                return [
                    `    // ${a(target.name)} row is checked on ${on ? `its ${on.name}` : 'the run date'}.`,
                    `    for (const row of input.reads.${target.name}) {`,
                    `        const on = ${on ? `row.${on.name}` : 'ctx.today'};`,
                    `        const subject = ctx.resolve(${str(X)}, row.${ref.name});`,
                    `        const locked = subject && intervals.get(subject.id)?.find(e => e.${start.name} <= on && on < kit.addDays(e.${start.name}, e.${days.name}));`,
                    '        if (subject && locked) {',
                    `            blocked.push({ entity: ${str(target.name)}, key: row.id, guardrail: ${str(guardrail.name)}, reason: ctx.label(${str(X)}, subject.id) + ' is inside the ${days.name} interval of ' + locked.id`,
                    `                + ' (from ' + locked.${start.name} + ' until ' + kit.addDays(locked.${start.name}, locked.${days.name}) + '); ' + row.id + ' is for ' + on + '.' });`,
                    '        }',
                    '    }'
                ];
            }),
            '}'
        ];
        return {
            skill: 'window', code: code.join('\n'),
            rule: `no ${targets.map(t => t.name).join(' or ')} row references ${a(X)} inside the ${days.name} interval of ${a(events.name)}`,
            facts: { skill: 'window', events: events.name, subject: X, subjectRef: subjectRef.name, start: start.name, days: days.name, targets: targets.map(t => t.name) }
        };
    }
    return undefined;
}

const reviewWords = /review|approv|sign[- ]?off/i;
const ownerName = /attorney|owner|reviewer|assignee|responsible|lawyer|manager/;

/** Review: rows that name who approved them must name the person responsible for them (reached through references). */
function approvalCheck(shape: StepShape, guardrail: AppGuardrail): GateCheck | undefined {
    if (!reviewWords.test(guardrail.text) && !reviewWords.test(guardrail.name)) {
        return undefined;
    }
    for (const rows of entities(shape, shape.stage.reads)) {
        const approver = rows.fields.find(f => textual(f) && /approv|review|sign/.test(f.name));
        if (!approver) {
            continue;
        }
        const owner = ownerOf(shape, rows);
        const resolved = owner && resolvePath('row', owner.path);
        const code = [
            `// ${guardrail.name} ("${commentText(guardrail.text)}"): ${a(rows.name)} that names who approved it (${approver.name}) must name`,
            `// ${owner ? `its ${owner.entity.name}'s ${owner.field.name}` : 'a person, not the app'}; rows awaiting review (no ${approver.name}) pass as drafts.`,
            `for (const row of input.reads.${rows.name}) {`,
            `    const approver = row.${approver.name};`,
            "    if (approver === null || approver === undefined || approver === '') {",
            '        continue;',
            '    }',
            ...resolved ? resolved.lines.map(l => `    ${l}`) : [],
            `    const owner = ${resolved ? `${resolved.variable}?.${owner!.field.name}` : 'undefined'};`,
            '    if (owner !== undefined ? approver !== owner : /^(auto|system|app|bot|fspec)$/i.test(approver)) {',
            `        blocked.push({ entity: ${str(rows.name)}, key: row.id, guardrail: ${str(guardrail.name)}, reason: row.id + ' claims approval by ' + JSON.stringify(approver) + ', but only ' + (owner ? JSON.stringify(owner) : 'a person') + ' may approve it.' });`,
            '    }',
            '}'
        ];
        return {
            skill: 'approval', code: code.join('\n'),
            rule: `no ${rows.name} row claims approval (${approver.name}) by anyone but ${owner ? `its ${owner.entity.name}'s ${owner.field.name}` : 'a person'}`,
            facts: { skill: 'approval', rows: rows.name, approver: approver.name }
        };
    }
    return undefined;
}

function ownerOf(shape: StepShape, rows: AppEntity): { path: NonNullable<ReturnType<typeof pathTo>>; entity: AppEntity; field: AppField } | undefined {
    for (const entity of shape.app.entities) {
        const field = entity.fields.find(f => textual(f) && !f.optional && ownerName.test(f.name));
        const path = field && entity !== rows ? pathTo(shape.app, rows, entity.name) : undefined;
        if (field && path) {
            return { path, entity, field };
        }
    }
    return undefined;
}

const keepInWords = /data|leave|leak|private|privacy|redact|disclos|personal|pii|phi|confiden/i;

/** Keeping data in: rows whose unprotected text carries a protected (pii/phi) value from the store are blocked. */
function leakCheck(shape: StepShape, guardrail: AppGuardrail): GateCheck | undefined {
    if (!keepInWords.test(guardrail.text) && !keepInWords.test(guardrail.name)) {
        return undefined;
    }
    const checked = entities(shape, shape.stage.reads).map(e => ({ entity: e, fields: e.fields.filter(f => textual(f) && !f.pii && !f.phi) }));
    const code = [
        `// ${guardrail.name} ("${commentText(guardrail.text)}"): a row whose unprotected text carries a pii/phi value`,
        '// of any record (four characters or more) is blocked; the reason names the field and record, never the value.',
        'const protectedValues = ctx.protectedValues().filter(p => p.value.length >= 4);',
        ...checked.flatMap(({ entity, fields }) => fields.length === 0
            ? [`// ${entity.name} has no unprotected text fields: nothing in it can carry a protected value.`]
            : [
                `for (const row of input.reads.${entity.name}) {`,
                `    const texts: Array<[string, unknown]> = [${fields.map(f => `[${str(f.name)}, row.${f.name}]`).join(', ')}];`,
                "    const leak = texts.flatMap(([field, text]) => protectedValues.filter(p => String(text ?? '').includes(p.value)).map(p => ({ field, p })))[0];",
                '    if (leak) {',
                `        blocked.push({ entity: ${str(entity.name)}, key: row.id, guardrail: ${str(guardrail.name)}, reason: row.id + '.' + leak.field + ' carries the ' + leak.p.field + ' of ' + leak.p.key + ', a protected value.' });`,
                '    }',
                '}'
            ])
    ];
    const carriers = checked.filter(c => c.fields.length > 0);
    return {
        skill: 'keep-in', code: code.join('\n'),
        rule: carriers.length
            ? `no ${carriers.map(c => c.entity.name).join(' or ')} row carries a pii/phi value in its unprotected text`
            : `no ${checked.map(c => c.entity.name).join(' or ')} row carries a pii/phi value (none has unprotected text to carry one)`,
        facts: { skill: 'keep-in', checked: checked.map(c => ({ entity: c.entity.name, fields: c.fields.map(f => f.name) })) }
    };
}

/** The checks the Toolsmith knows, tried in this order for each guardrail. */
export const gateChecks = [windowCheck, approvalCheck, leakCheck];

/** The first check that fits the guardrail and what the gate reads: the gate's body and the Tester's check both come from it. */
export function gateCheckFor(shape: StepShape, guardrail: AppGuardrail): GateCheck | undefined {
    for (const check of gateChecks) {
        const fitted = check(shape, guardrail);
        if (fitted) {
            return fitted;
        }
    }
    return undefined;
}
