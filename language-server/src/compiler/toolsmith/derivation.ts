import type { AppField } from '../app-model.js';
import { a, commentText, str } from '../ts-names.js';
import { coversRequired, dated, entities, pick, refTo, required, singleOutput, textual, textOf, type GrownBody, type StepShape } from './shape.js';

/** Derivation skills: a yield forecast per record, `strategy <field>_match` between two entities. */

/** One output record per read record: a reference back, a quantity from a count, a product line and the week. */
export function growForecast(shape: StepShape): GrownBody | undefined {
    const output = singleOutput(shape);
    const from = shape.stage.reads.length === 1 ? entities(shape, shape.stage.reads)[0] : undefined;
    const ref = output && from && refTo(output, from.name);
    const qty = output?.fields.find(f => f.base === 'number' && !f.many && /qty|quant|yield|expected|units/.test(f.name));
    const count = from && pick(from, f => f.base === 'int' && !f.optional, /count|plants|units|trees|head/);
    if (!output || !from || !ref || !qty || !count) {
        return undefined;
    }
    const labels = from.fields.filter(f => textual(f) && !f.optional && !f.pii && !f.phi).slice(0, 2);
    const values = new Map<AppField, string>([[ref, 'r.id'], [qty, `kit.round(r.${count.name} * perUnitWeekly)`]]);
    for (const field of output.fields.filter(f => required(f) && !values.has(f))) {
        const same = from.fields.find(f => f.name === field.name && f.base === field.base && !f.many && !f.optional);
        if (same) {
            values.set(field, `r.${same.name}`);
        } else if (textual(field) && labels.length) {
            values.set(field, `kit.slug(${labels.map(l => `r.${l.name}`).join(', ')})`);
        } else if (dated(field)) {
            values.set(field, 'week');
        } else {
            return undefined;
        }
    }
    if (!coversRequired(output, [...values.keys()])) {
        return undefined;
    }
    const record = output.fields.filter(f => values.has(f)).map(f => `${f.name}: ${values.get(f)}`);
    const unheeded = shape.stage.heuristics.map(h => `// Heuristic ${h.name} ("${commentText(h.text)}") needs records the spec does not keep; not applied.`);
    const code = [
        `// Grown by the Toolsmith (forecast): one ${output.name} per ${from.name}: ${qty.name} is ${count.name} × perUnitWeekly (edit the rate here),`,
        `// text fields the ${from.name} lacks are its product line (${labels.map(l => l.name).join(' and ') || 'key'} as a slug), dates the run date's week.`,
        ...unheeded,
        'const perUnitWeekly = 0.05;',
        'const week = kit.weekStart(ctx.today);',
        `return { ${output.name}: input.reads.${from.name}.map(r => ({ ${record.join(', ')} })) };`
    ].join('\n');
    return { skill: 'forecast', summary: `forecasts one ${output.name} per ${from.name} from ${count.name}`, code };
}

const closable = /status|state|stage/;

/** `strategy <field>_match`: an output record for every pair whose `<field>` value is among the other's listed values. */
export function growMatch(shape: StepShape, field: string): GrownBody | undefined {
    const output = singleOutput(shape);
    const reads = entities(shape, shape.stage.reads);
    const subject = reads.find(e => e.fields.some(f => f.name === field && !f.many && !f.ref && !f.optional));
    const cause = reads.find(e => e !== subject && e.fields.some(f => f.name !== field && f.name.includes(field) && !f.ref));
    const subjectRef = output && subject && refTo(output, subject.name);
    const causeRef = output && cause && refTo(output, cause.name);
    if (!output || !subject || !cause || !subjectRef || !causeRef) {
        return undefined;
    }
    const listed = cause.fields.find(f => f.name !== field && f.name.includes(field) && !f.ref)!;
    const value = subject.fields.find(f => f.name === field)!;
    const status = subject.fields.find(f => f.base === 'enum' && !f.many && !f.optional && closable.test(f.name));
    const when = pick(cause, f => dated(f) && !f.optional, /effective|due|deadline|start/);
    const severity = output.fields.find(f => f.base === 'enum' && !f.many && f.values.length >= 2);
    const explanation = output.fields.find(f => (f.base === 'text' || f.base === 'string') && !f.many && !f.ref);
    const title = pick(cause, f => textual(f) && !f.optional && f !== listed, /title|name|subject/);
    const summary = cause.fields.find(f => f.base === 'text' && !f.many && !f.optional);
    if (!coversRequired(output, [subjectRef, causeRef, ...when ? [severity] : [], explanation])) {
        return undefined;
    }
    const levels = severity ? [severity.values[severity.values.length - 1], severity.values[Math.floor((severity.values.length - 1) / 2)], severity.values[0]] : [];
    const row: string[] = [`${subjectRef.name}: b.id`, `${causeRef.name}: a.id`];
    if (severity && when) {
        row.push(`${severity.name}: days <= 14 ? ${str(levels[0])} : days <= 60 ? ${str(levels[1])} : ${str(levels[2])}`);
    }
    if (explanation) {
        const parts = [title ? `a.${title.name}` : 'a.id', ...when ? [`' (${when.name} ' + a.${when.name} + ')'`] : [],
            `' affects this ' + ${textOf('b', value)} + ' ${subject.name.toLowerCase()}'`, ...summary ? [`': ' + a.${summary.name}`] : []];
        row.push(`${explanation.name}: ${parts.join(' + ')}`);
    }
    const code = [
        `// Grown by the Toolsmith (strategy ${field}_match): ${a(output.name)} for every ${status ? 'open ' : ''}${subject.name} whose ${field} is among`,
        `// ${a(cause.name)}'s ${listed.name}${severity && when ? `; ${severity.name} by days until its ${when.name} (14 or fewer: ${levels[0]}, 60 or fewer: ${levels[1]}, else ${levels[2]})` : ''}.`,
        `const out: T.${output.name}[] = [];`,
        `for (const a of kit.sortBy(input.reads.${cause.name}, r => [${when ? `r.${when.name}, ` : ''}r.id])) {`,
        ...when ? [`    const days = kit.daysBetween(ctx.today, a.${when.name});`] : [],
        `    for (const b of input.reads.${subject.name}) {`,
        `        if (${status ? `kit.isClosed(b.${status.name}) || ` : ''}!kit.includesValue(a.${listed.name}, b.${field})) {`,
        '            continue;',
        '        }',
        `        out.push({ ${row.join(', ')} });`,
        '    }',
        '}',
        `ctx.note(out.length + ' ${output.name} row' + (out.length === 1 ? '' : 's') + ' matched.');`,
        `return { ${output.name}: out };`
    ].join('\n');
    return { skill: `${field}_match`, summary: `matches ${cause.name} to ${subject.name} on ${field}`, code };
}
