import type { AppEntity, AppField } from '../app-model.js';
import { str } from '../ts-names.js';
import { coversRequired, dated, entities, listOf, numeric, pick, required, singleOutput, type GrownBody, type StepShape } from './shape.js';

/** Grouping skills: `strategy group_by_<field>` (packlists), invoices, and collecting a period's records (a digest). */

/** Where an output's copied values come from: the grouped rows themselves, or the record each references. */
interface Source {
    entity: AppEntity;
    /** The grouped rows' reference to the source; undefined when the rows are the source. */
    via?: AppField;
}

/** The source that has every named field (the rows first, then what they reference). */
function sourceWith(shape: StepShape, rows: AppEntity, names: string[]): Source | undefined {
    const has = (entity: AppEntity) => names.every(n => entity.fields.some(f => f.name === n && !f.ref && !f.many && !f.optional));
    if (has(rows)) {
        return { entity: rows };
    }
    for (const via of rows.fields.filter(f => f.ref && !f.many && !f.optional)) {
        const entity = entities(shape, [via.ref!])[0];
        if (has(entity)) {
            return { entity, via };
        }
    }
    return undefined;
}

interface Grouping {
    rows: AppEntity;
    output: AppEntity;
    lines: AppField;
    keys: AppField[];
    source: Source;
    amount?: { field: AppField; qty: AppField; price: AppField };
    due?: AppField;
}

function groupedBody(g: Grouping, intro: string[]): string {
    const reserved = g.rows.fields.find(f => f.base === 'enum' && !f.many && !f.optional && f.values.includes('reserved'));
    const sourceType = `rt.Stored<T.${g.source.entity.name}>`;
    const sourceLine = g.source.via
        ? [`    const source = ctx.resolve(${str(g.source.entity.name)}, row.${g.source.via.name});`,
            '    if (!source) {', `        ctx.note('No ${g.source.entity.name} for ' + row.id + '; left out.');`, '        continue;', '    }']
        : ['    const source = row;'];
    const amount = g.amount;
    const values = new Map<AppField, string>([...g.keys.map(k => [k, `g.source.${k.name}`] as [AppField, string]), [g.lines, 'g.lines']]);
    if (amount) {
        values.set(amount.field, 'g.amount');
    }
    if (g.due) {
        values.set(g.due, 'due');
    }
    return [
        ...intro,
        `const groups = new Map<string, { source: ${sourceType}; lines: string[]${amount ? '; amount: number' : ''} }>();`,
        `for (const row of input.reads.${g.rows.name}) {`,
        ...reserved ? [`    if (row.${reserved.name} !== 'reserved') {`, '        continue;', '    }'] : [],
        ...sourceLine,
        `    const key = JSON.stringify([${g.keys.map(k => `source.${k.name}`).join(', ')}]);`,
        `    const group = groups.get(key) ?? { source, lines: []${amount ? ', amount: 0' : ''} };`,
        '    group.lines.push(row.id);',
        ...amount ? [`    group.amount = kit.round(group.amount + row.${amount.qty.name} * source.${amount.price.name});`] : [],
        '    groups.set(key, group);',
        '}',
        ...g.due ? ['const due = kit.addDays(ctx.today, 30);'] : [],
        `const out: T.${g.output.name}[] = kit.sortBy([...groups.values()], g => [${g.keys.map(k => `g.source.${k.name}`).join(', ')}]).map(g => ({`,
        g.output.fields.flatMap(f => values.has(f) ? [`    ${f.name}: ${values.get(f)}`] : []).join(',\n'),
        '}));',
        `return { ${g.output.name}: out };`
    ].join('\n');
}

/** The grouped rows: the one read entity the output lists. */
function listedRead(shape: StepShape, output: AppEntity): { rows: AppEntity; lines: AppField } | undefined {
    for (const rows of entities(shape, shape.stage.reads)) {
        const lines = listOf(output, rows.name);
        if (lines) {
            return { rows, lines };
        }
    }
    return undefined;
}

export function growGroupBy(shape: StepShape, field: string): GrownBody | undefined {
    const output = singleOutput(shape);
    const listed = output && listedRead(shape, output);
    if (!output || !listed || !output.fields.some(f => f.name === field)) {
        return undefined;
    }
    const keys = output.fields.filter(f => f !== listed.lines && required(f));
    if (!keys.some(k => k.name === field) || keys.some(k => k.ref || k.many)) {
        return undefined;
    }
    const ordered = [keys.find(k => k.name === field)!, ...keys.filter(k => k.name !== field)];
    const source = sourceWith(shape, listed.rows, ordered.map(k => k.name));
    if (!source) {
        return undefined;
    }
    const via = source.via ? ` of their ${source.entity.name}` : '';
    const rest = ordered.length > 1 ? ` (and ${ordered.slice(1).map(k => k.name).join(', ')})` : '';
    const intro = [`// Grown by the Toolsmith (strategy group_by_${field}): the ${listed.rows.name} rows grouped by the ${field}${rest}${via},`,
        `// one ${output.name} per group listing them${listed.rows.fields.some(f => f.values.includes('reserved')) ? ' (reserved rows only)' : ''}.`];
    return { skill: `group_by_${field}`, summary: `groups ${listed.rows.name} into ${output.name} by ${field}`, code: groupedBody({ ...listed, output, keys: ordered, source }, intro) };
}

/** An invoice: a money total, the rows it bills (a list), a due date, and what it is addressed to. */
export function growInvoice(shape: StepShape): GrownBody | undefined {
    const output = singleOutput(shape);
    const listed = output && listedRead(shape, output);
    const total = output && pick(output, f => f.base === 'money' && !f.optional, /amount|total|sum/);
    const due = output && pick(output, f => dated(f) && !f.optional, /due/);
    if (!output || !listed || !total || !due || shape.stage.reads.length !== 1) {
        return undefined;
    }
    const keys = output.fields.filter(f => f !== listed.lines && f !== total && f !== due && required(f));
    const qty = pick(listed.rows, f => numeric(f) && !f.optional, /qty|quant|units|count/);
    const source = sourceWith(shape, listed.rows, keys.map(k => k.name));
    const price = source && pick(source.entity, f => f.base === 'money' && !f.optional, /price|floor|rate/);
    if (!qty || !source || !price || keys.some(k => k.ref || k.many) || !coversRequired(output, [...keys, listed.lines, total, due])) {
        return undefined;
    }
    const intro = [`// Grown by the Toolsmith (invoice): one ${output.name} per ${keys.map(k => k.name).join(' and ') || 'run'} for its reserved ${listed.rows.name} rows:`,
        `// ${total.name} is the sum of ${qty.name} × ${price.name}${source.via ? ` of their ${source.entity.name}` : ''}, ${due.name} 30 days after the run date.`];
    return {
        skill: 'invoice', summary: `bills ${listed.rows.name} per ${keys.map(k => k.name).join(', ') || 'run'} into ${output.name}`,
        code: groupedBody({ ...listed, output, keys, source, amount: { field: total, qty, price }, due }, intro)
    };
}

/** A digest: one record for the run's week, listing the read records dated in it. */
export function growCollect(shape: StepShape): GrownBody | undefined {
    const output = singleOutput(shape);
    const listed = output && listedRead(shape, output);
    const week = output && pick(output, f => dated(f) && !f.optional, /week|period|date/);
    const when = listed && pick(listed.rows, f => dated(f) && !f.optional, /published|date|created|received/);
    if (!output || !listed || !week || !when || shape.stage.reads.length !== 1 || !coversRequired(output, [listed.lines, week])) {
        return undefined;
    }
    const R = listed.rows.name;
    const code = [
        `// Grown by the Toolsmith (collect): one ${output.name} for the run date's week (Monday on), listing the ${R} rows`,
        `// whose ${when.name} falls in it, oldest first.`,
        'const week = kit.weekStart(ctx.today);',
        'const end = kit.addDays(week, 7);',
        `const rows = kit.sortBy(input.reads.${R}.filter(r => r.${when.name} >= week && r.${when.name} < end), r => [r.${when.name}, r.id]);`,
        `ctx.note(rows.length + ' ${R} row' + (rows.length === 1 ? '' : 's') + ' in the week of ' + week + '.');`,
        `return { ${output.name}: [{ ${week.name}: week, ${listed.lines.name}: rows.map(r => r.id) }] };`
    ].join('\n');
    return { skill: 'collect', summary: `collects the week's ${R} into one ${output.name}`, code };
}
