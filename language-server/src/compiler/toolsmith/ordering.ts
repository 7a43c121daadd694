import type { AppEntity, AppField } from '../app-model.js';
import { commentText, str } from '../ts-names.js';
import { coversRequired, dated, entities, pick, refTo, singleOutput, textual, type GrownBody, type StepShape } from './shape.js';

/** Ordering skills: ingesting records (clean, dedupe, order), ranking by `severity_then_due`, and a route plan. */

/** A step that reads and outputs the same one entity, with no strategy: the records cleaned, deduplicated and ordered. */
export function growIngest(shape: StepShape): GrownBody | undefined {
    const { reads, outputs } = shape.stage;
    if (reads.length !== 1 || outputs.length !== 1 || reads[0] !== outputs[0]) {
        return undefined;
    }
    const entity = entities(shape, reads)[0];
    const when = pick(entity, f => dated(f) && !f.optional, /published|date|created|received/);
    const code = [
        `// Grown by the Toolsmith (ingest): the ${entity.name} records with their text trimmed and exact duplicates dropped,`,
        `// ordered by ${when ? `${when.name}, then ` : ''}key; keys stay as they were.`,
        `const rows = kit.distinct(input.reads.${entity.name}.map(r => kit.trimmed(r)));`,
        `ctx.note(rows.length + ' of ' + input.reads.${entity.name}.length + ' ${entity.name} records kept.');`,
        `return { ${entity.name}: kit.sortBy(rows, r => [${when ? `r.${when.name}, ` : ''}r.id]) };`
    ].join('\n');
    return { skill: 'ingest', summary: `cleans, deduplicates and orders ${entity.name}`, code };
}

const severityName = /severity|urgency|priority|impact|risk/;
const dueName = /due|deadline|effective/;

/** A date that says when something is due: on the entity itself, or on a record it references. */
function dueOf(shape: StepShape, entity: AppEntity): { field: AppField; via?: AppField; target?: AppEntity } | undefined {
    const own = entity.fields.find(f => dated(f) && dueName.test(f.name));
    if (own) {
        return { field: own };
    }
    for (const via of entity.fields.filter(f => f.ref && !f.many)) {
        const target = entities(shape, [via.ref!])[0];
        const field = target.fields.find(f => dated(f) && dueName.test(f.name));
        if (field) {
            return { field, via, target };
        }
    }
    return undefined;
}

/** Heuristics on the step that name an enum value of a referenced record ("Cases with an open RFE rank higher" and Case.status rfe). */
function boosts(shape: StepShape, entity: AppEntity): Array<{ name: string; text: string; via: AppField; target: AppEntity; field: AppField; value: string }> {
    return shape.stage.heuristics.flatMap(h => entity.fields.filter(f => f.ref && !f.many).flatMap(via => {
        const target = entities(shape, [via.ref!])[0];
        return target.fields.filter(f => f.base === 'enum' && !f.many).flatMap(field => {
            // A value written in capitals in the heuristic ("an open RFE") names it before a plain word ("open"); then the longest.
            const named = field.values.filter(v => new RegExp(`\\b${v}\\b`, 'i').test(h.text))
                .sort((x, y) => Number(h.text.includes(y.toUpperCase())) - Number(h.text.includes(x.toUpperCase())) || y.length - x.length);
            const value = named[0];
            return value ? [{ ...h, via, target, field, value }] : [];
        });
    })).slice(0, 1);
}

/** How `severity_then_due` ranks an entity: the Toolsmith's body sorts by it, the Tester checks an output is in it. */
export interface Ranking {
    entity: AppEntity;
    /** The enum field whose last value ranks first. */
    severity: AppField;
    /** A heuristic on the step naming an enum value of a referenced record: rows whose record has it come first within a severity. */
    boost?: { name: string; text: string; via: AppField; target: AppEntity; field: AppField; value: string };
    /** The due date: the entity's own, or that of a record it references (`via`). */
    due: { field: AppField; via?: AppField; target?: AppEntity };
}

/** The ranking `severity_then_due` gives the step's output, or undefined when the step does not fit it. */
export function rankingOf(shape: StepShape): Ranking | undefined {
    const { reads, outputs } = shape.stage;
    const entity = entities(shape, reads).find(e => outputs.includes(e.name));
    const severity = entity?.fields.find(f => f.base === 'enum' && !f.many && !f.optional && severityName.test(f.name));
    const due = entity && dueOf(shape, entity);
    if (!entity || !severity || !due || outputs.length !== 1) {
        return undefined;
    }
    const boost = boosts(shape, entity)[0];
    return { entity, severity, due, ...boost ? { boost } : {} };
}

/** `strategy severity_then_due`: the records by severity (the enum's last value first), then by due date, earliest first. */
export function growSeverityThenDue(shape: StepShape): GrownBody | undefined {
    const ranking = rankingOf(shape);
    if (!ranking) {
        return undefined;
    }
    const { entity, severity, due, boost } = ranking;
    const dueExpr = due.via ? `ctx.resolve(${str(due.target!.name)}, r.${due.via.name})?.${due.field.name} ?? null` : `r.${due.field.name} ?? null`;
    const code = [
        `// Grown by the Toolsmith (strategy severity_then_due): ${entity.name} rows by ${severity.name} (${[...severity.values].reverse().join(', ')}),`,
        ...boost ? [`// then, by heuristic ${boost.name} ("${commentText(boost.text)}"), those whose ${boost.target.name} has ${boost.field.name} ${boost.value},`] : [],
        `// then by the ${due.field.name} date${due.target ? ` of their ${due.target.name}` : ''}, earliest first.`,
        `const severity: string[] = ${JSON.stringify(severity.values)};`,
        `const ranked = kit.sortBy(input.reads.${entity.name}, r => [`,
        `    -severity.indexOf(r.${severity.name}),`,
        ...boost ? [`    ctx.resolve(${str(boost.target.name)}, r.${boost.via.name})?.${boost.field.name} === ${str(boost.value)} ? 0 : 1,`] : [],
        `    ${dueExpr},`,
        '    r.id',
        ']);',
        `return { ${entity.name}: ranked };`
    ].join('\n');
    return { skill: 'severity_then_due', summary: `ranks ${entity.name} by ${severity.name}, then ${due.field.name}`, code };
}

/** A route plan: one stop per read record, numbered per delivery day in week order, with an arrival time. */
export function growRoute(shape: StepShape): GrownBody | undefined {
    const output = singleOutput(shape);
    const stops = shape.stage.reads.length === 1 ? entities(shape, shape.stage.reads)[0] : undefined;
    const ref = output && stops && refTo(output, stops.name);
    const order = output?.fields.find(f => f.base === 'int' && !f.many);
    const eta = output?.fields.find(f => f.base === 'datetime' && !f.many);
    if (!output || !stops || !ref || !order || !coversRequired(output, [ref, order, eta])) {
        return undefined;
    }
    const day = stops.fields.find(f => f.base === 'weekday' && !f.many && !f.optional);
    const name = pick(stops, f => textual(f) && !f.optional && !f.pii, /name|buyer|customer|client|address/);
    const dayExpr = day ? `stop.${day.name}` : "''";
    const code = [
        `// Grown by the Toolsmith (route): one ${output.name} per ${stops.name}, ${day ? `by ${day.name} in week order, then ` : ''}by ${name ? name.name : 'key'};`,
        `// ${order.name} counts from 1${day ? ` each ${day.name}` : ''}${eta ? `, ${eta.name} is ${day ? 'that day (on or after the run date)' : 'the run date'} at 08:00 UTC plus 30 minutes a stop` : ''}.`,
        'const perDay = new Map<string, number>();',
        `const out: T.${output.name}[] = [];`,
        `for (const stop of kit.sortBy(input.reads.${stops.name}, s => [${day ? `s.${day.name}, ` : ''}${name ? `s.${name.name}, ` : ''}s.id])) {`,
        `    const n = (perDay.get(${dayExpr}) ?? 0) + 1;`,
        `    perDay.set(${dayExpr}, n);`,
        `    out.push({ ${ref.name}: stop.id, ${order.name}: n${eta ? `, ${eta.name}: kit.at(${day ? `kit.nextWeekday(ctx.today, stop.${day.name})` : 'ctx.today'}, 8 * 60 + 30 * (n - 1))` : ''} });`,
        '}',
        `return { ${output.name}: out };`
    ].join('\n');
    return { skill: 'route', summary: `orders ${stops.name} into numbered ${output.name} stops`, code };
}
