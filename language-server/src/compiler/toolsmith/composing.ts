import type { AppEntity, AppField } from '../app-model.js';
import { a, str } from '../ts-names.js';
import { coversRequired, dated, entities, pathTo, pick, refTo, required, resolvePath, singleOutput, textual, type GrownBody, type StepShape } from './shape.js';

/** Composing skills: planning a next action with a due date, and drafting a letter to the person a record is about. */

interface Subject {
    /** The read entity the output is about (one output per row of it). */
    rows: AppEntity;
    ref: AppField;
    output: AppEntity;
}

function subjectOf(shape: StepShape): Subject | undefined {
    const output = singleOutput(shape);
    for (const rows of output ? entities(shape, shape.stage.reads) : []) {
        const ref = refTo(output!, rows.name);
        if (ref) {
            return { rows, ref, output: output! };
        }
    }
    return undefined;
}

/** The first record one hop away (or the row itself) with a field that passes the test: `{ holder, field }`. */
function nearby(shape: StepShape, rows: AppEntity, test: (f: AppField) => boolean, pattern: RegExp): { via?: AppField; entity: AppEntity; field: AppField } | undefined {
    const own = rows.fields.find(f => test(f) && pattern.test(f.name));
    if (own) {
        return { entity: rows, field: own };
    }
    for (const via of rows.fields.filter(f => f.ref && !f.many)) {
        const entity = entities(shape, [via.ref!])[0];
        const field = entity.fields.find(f => test(f) && pattern.test(f.name));
        if (field) {
            return { via, entity, field };
        }
    }
    return undefined;
}

/** `const via_x = ctx.resolve(…)` for each distinct one-hop reference used. */
function hopLines(found: Array<{ via?: AppField; entity: AppEntity } | undefined>): string[] {
    const seen = new Set<string>();
    return found.flatMap(f => {
        if (!f?.via || seen.has(f.via.name)) {
            return [];
        }
        seen.add(f.via.name);
        return [`    const via_${f.via.name} = ctx.resolve(${str(f.entity.name)}, row.${f.via.name});`];
    });
}

const value = (found: { via?: AppField; field: AppField }) => found.via ? `via_${found.via.name}?.${found.field.name}` : `row.${found.field.name}`;

/** An action plan per row: what to do next, by when, and who owns it. */
export function growPlan(shape: StepShape): GrownBody | undefined {
    const subject = subjectOf(shape);
    const due = subject && pick(subject.output, f => dated(f) && !f.optional, /due|deadline|by/);
    const action = subject && subject.output.fields.find(f => textual(f) && /action|task|todo|next|step/.test(f.name));
    const owner = subject && subject.output.fields.find(f => textual(f) && /owner|assignee|responsible/.test(f.name));
    if (!subject || !due || !action || !coversRequired(subject.output, [subject.ref, due, action, owner])) {
        return undefined;
    }
    const { rows, ref, output } = subject;
    const severity = rows.fields.find(f => f.base === 'enum' && !f.many && !f.optional && /severity|urgency|priority/.test(f.name));
    const title = nearby(shape, rows, f => textual(f) && !f.optional, /title|name|subject/);
    const deadline = nearby(shape, rows, f => dated(f) && !f.optional, /effective|due|deadline/);
    const ownerSource = owner && nearby(shape, rows, f => textual(f) && !f.optional, /attorney|owner|assignee|responsible|lawyer|manager|agent/);
    const top = severity?.values[severity.values.length - 1];
    const mid = severity && severity.values.length > 2 ? severity.values[Math.floor((severity.values.length - 1) / 2)] : undefined;
    const days = severity ? `row.${severity.name} === ${str(top!)} ? 7 : ${mid ? `row.${severity.name} === ${str(mid)} ? 14 : ` : ''}30` : '14';
    const what = title ? `${value(title)} ?? row.id` : 'row.id';
    // What the action is for: the record the rows are about besides the topic (an impact's case), else the row itself.
    const about = rows.fields.find(f => f.ref && !f.many && f !== title?.via);
    const forWhom = about ? `ctx.label(${str(about.ref!)}, row.${about.name})` : `ctx.label(${str(rows.name)}, row.id)`;
    const fields = [`${ref.name}: row.id`, `${action.name}: (${severity ? `row.${severity.name} === ${str(top!)} ? 'Act now on "' : ` : ''}'Review "') + (${what}) + '" for ' + ${forWhom}`, `${due.name}: due`];
    if (owner) {
        fields.push(`${owner.name}: ${ownerSource ? `${value(ownerSource)} ?? 'unassigned'` : "'unassigned'"}`);
    }
    const code = [
        `// Grown by the Toolsmith (plan): ${a(output.name)} for each ${rows.name}, in their order: ${action.name} says what to act on;`,
        `// ${due.name} is ${severity ? `7, 14 or 30 days after the run date by ${severity.name}` : '14 days after the run date'}${deadline ? `, or the ${deadline.field.name} date${deadline.via ? ` of the ${deadline.entity.name}` : ''} when that is sooner and still ahead` : ''}`
        + `${owner ? `; ${owner.name} is ${ownerSource ? `the ${ownerSource.entity.name}'s ${ownerSource.field.name}` : 'unassigned'}` : ''}.`,
        `const out: T.${output.name}[] = [];`,
        `for (const row of input.reads.${rows.name}) {`,
        ...hopLines([title, deadline, ownerSource]),
        `    const target = kit.addDays(ctx.today, ${days});`,
        ...deadline ? [`    const deadline = ${value(deadline)};`, '    const due = deadline !== undefined && deadline > ctx.today && deadline < target ? deadline : target;'] : ['    const due = target;'],
        `    out.push({ ${fields.join(', ')} });`,
        '}',
        `return { ${output.name}: out };`
    ].join('\n');
    return { skill: 'plan', summary: `plans a next action with a due date for each ${rows.name}`, code };
}

/** A letter per row, to the person it concerns (reached through references), in their language; never approved by the app. */
export function growDraft(shape: StepShape): GrownBody | undefined {
    const subject = subjectOf(shape);
    const body = subject?.output.fields.find(f => f.base === 'text' && !f.many);
    if (!subject || !body) {
        return undefined;
    }
    const { rows, ref, output } = subject;
    const addressee = entities(shape, shape.stage.reads).filter(e => e !== rows)
        .map(entity => ({ entity, path: pathTo(shape.app, rows, entity.name), name: pick(entity, f => textual(f) && !f.optional, /name/) }))
        .find(a => a.path && a.name);
    if (!addressee) {
        return undefined;
    }
    const language = output.fields.find(f => textual(f) && /lang/.test(f.name));
    const theirs = addressee.entity.fields.find(f => textual(f) && !f.optional && /lang/.test(f.name));
    const optional = output.fields.filter(f => !required(f) && f !== language && f !== body && f.optional);
    if (!coversRequired(output, [ref, body, ...language && theirs ? [language] : []])) {
        return undefined;
    }
    const about = addressee.path!.length > 1 ? addressee.path![0].entity.name.toLowerCase() : rows.name.toLowerCase();
    const topic = nearby(shape, rows, f => textual(f) && !f.optional, /title|subject/);
    const when = nearby(shape, rows, f => dated(f) && !f.optional, /effective|due|date/);
    const detail = topic && topic.entity.fields.find(f => f.base === 'text' && !f.many && !f.optional);
    const resolved = resolvePath('row', addressee.path!);
    const person = resolved.variable;
    const fields = [`${ref.name}: row.id`, ...language && theirs ? [`${language.name}: ${person}.${theirs.name}`] : [], `${body.name}: letter`, ...optional.map(f => `${f.name}: null`)];
    const code = [
        `// Grown by the Toolsmith (draft): ${a(output.name)} for each ${rows.name}, addressed to the ${addressee.entity.name} of its ${about}${language && theirs ? `, in their ${theirs.name}` : ''}`,
        `// (the text itself is English): what changed${topic ? `, from the ${topic.entity.name}` : ''}, and that someone follows up.${optional.length ? ` ${optional.map(f => f.name).join(', ')} stay${optional.length === 1 ? 's' : ''} empty: a person fills ${optional.length === 1 ? 'it' : 'them'} in on review.` : ''}`,
        `const out: T.${output.name}[] = [];`,
        `for (const row of input.reads.${rows.name}) {`,
        ...resolved.lines.map(l => `    ${l}`),
        ...hopLines([topic, when].filter(f => f?.via?.name !== addressee.path![0].field.name)),
        `    if (!${person}) {`,
        `        ctx.note('No ${addressee.entity.name} for ' + row.id + '; no draft.');`,
        '        continue;',
        '    }',
        '    const letter = [',
        `        'Dear ' + kit.firstWord(${person}.${addressee.name!.name}) + ',',`,
        "        '',",
        `        'A published change may affect your ${about}: ' + ${topic ? `(${value(topic)} ?? row.id)` : 'row.id'}${when ? ` + (${value(when)} ? ' (${when.field.name} ' + ${value(when)} + ')' : '')` : ''} + '.',`,
        ...detail && topic?.via ? [`        ...(via_${topic.via.name} ? [via_${topic.via.name}.${detail.name}] : []),`] : [],
        "        '',",
        "        'We are reviewing what it means for you and will contact you about next steps.',",
        "        'This draft awaits review and is not sent until it is approved.'",
        "    ].join('\\n');",
        `    out.push({ ${fields.join(', ')} });`,
        '}',
        `return { ${output.name}: out };`
    ].join('\n');
    return { skill: 'draft', summary: `drafts a letter per ${rows.name} to its ${addressee.entity.name}`, code };
}
