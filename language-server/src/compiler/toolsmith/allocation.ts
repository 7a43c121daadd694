import type { AppEntity, AppField } from '../app-model.js';
import { a, str } from '../ts-names.js';
import { coversRequired, entities, named, numeric, pick, singleOutput, textual, type GrownBody, type StepShape } from './shape.js';

/** Allocation skills: `strategy priority` (reserve demand in priority order) and `strategy price` (surplus to the best price). */

const qtyName = /qty|quant|amount|units|count/;

/** The allocation an output entity can record: a reference to the demand, a quantity, a status with `reserved` (and `shortfall`). */
interface AllocationShape {
    output: AppEntity;
    demandRef: AppField;
    demand: AppEntity;
    qty: AppField;
    status: AppField;
}

function allocationShape(shape: StepShape, needShortfall: boolean): AllocationShape | undefined {
    const output = singleOutput(shape);
    const status = output && output.fields.find(f => f.base === 'enum' && !f.many && f.values.includes('reserved') && (!needShortfall || f.values.includes('shortfall')));
    const demandRef = output?.fields.find(f => f.ref && !f.many);
    const qty = output && pick(output, numeric, qtyName);
    if (!output || !status || !demandRef || !qty || !coversRequired(output, [status, demandRef, qty])) {
        return undefined;
    }
    return { output, demandRef, demand: entities(shape, [demandRef.ref!])[0], qty, status };
}

/** A supply entity among the reads: a quantity and a product key it shares, by name, with the demand. */
function supplyFor(shape: StepShape, demand: AppEntity, exclude: string[]): { supply: AppEntity; qty: AppField; key: AppField } | undefined {
    for (const supply of entities(shape, shape.stage.reads.filter(r => !exclude.includes(r)))) {
        const qty = pick(supply, f => numeric(f) && !f.optional, qtyName);
        const key = supply.fields.find(f => textual(f) && !f.optional && demand.fields.some(d => d.name === f.name && textual(d) && !d.optional));
        if (qty && key) {
            return { supply, qty, key };
        }
    }
    return undefined;
}

export function growPriority(shape: StepShape): GrownBody | undefined {
    const allocation = allocationShape(shape, true);
    if (!allocation || !shape.stage.reads.includes(allocation.demand.name)) {
        return undefined;
    }
    const { output, demand, demandRef, qty, status } = allocation;
    const priority = named(demand, numeric, /priority|rank|order/);
    const wanted = demand.fields.find(f => numeric(f) && f !== priority && qtyName.test(f.name) && !f.optional);
    const found = supplyFor(shape, demand, [demand.name]);
    if (!priority || !wanted || !found) {
        return undefined;
    }
    const { supply, key } = found;
    const D = str(demand.name);
    const code = [
        `// Grown by the Toolsmith (strategy priority): ${demand.name} rows in ${priority.name} order (lowest first) each reserve`,
        `// their ${wanted.name} from the ${supply.name} supply of their ${key.name}; what the supply cannot cover is a shortfall row.`,
        `const supply = kit.supplyOf(input.reads.${supply.name}, s => s.${key.name}, s => s.${found.qty.name});`,
        `const out: T.${output.name}[] = [];`,
        `for (const demand of kit.sortBy(input.reads.${demand.name}, d => [d.${priority.name}, d.id])) {`,
        `    const wanted = demand.${wanted.name};`,
        `    const got = supply.take(demand.${key.name}, wanted);`,
        '    if (got > 0) {',
        `        out.push({ ${demandRef.name}: demand.id, ${qty.name}: got, ${status.name}: 'reserved' });`,
        '    }',
        '    if (got < wanted) {',
        `        out.push({ ${demandRef.name}: demand.id, ${qty.name}: kit.round(wanted - got), ${status.name}: 'shortfall' });`,
        `        ctx.note('Shortfall for ' + ctx.label(${D}, demand.id) + ': ' + kit.round(wanted - got) + ' of ' + wanted + ' not covered.');`,
        '    }',
        '}',
        `return { ${output.name}: out };`
    ].join('\n');
    return { skill: 'priority', summary: `reserves ${demand.name} in ${priority.name} order from ${supply.name}, with shortfall rows`, code };
}

export function growPrice(shape: StepShape): GrownBody | undefined {
    const allocation = allocationShape(shape, false);
    if (!allocation || !shape.stage.earlier.includes(allocation.output.name)) {
        return undefined;
    }
    const { output, demand, demandRef, qty, status } = allocation;
    const quotes = entities(shape, shape.stage.reads).find(e => e.fields.some(f => f.base === 'money' && !f.optional) && demand.fields.some(d => textual(d) && e.fields.some(f => f.name === d.name && textual(f) && !f.optional)));
    const price = quotes && pick(quotes, f => f.base === 'money' && !f.optional, /price|rate/);
    const quoteKey = quotes?.fields.find(f => textual(f) && !f.optional && demand.fields.some(d => d.name === f.name && textual(d)));
    const found = quotes && supplyFor(shape, demand, [quotes.name]);
    const floor = pick(demand, f => f.base === 'money' && !f.optional, /floor|price|rate/);
    const cap = demand.fields.find(f => numeric(f) && qtyName.test(f.name) && !f.optional);
    if (!quotes || !price || !quoteKey || !found || !floor || !cap) {
        return undefined;
    }
    const { supply, key } = found;
    const D = str(demand.name);
    const code = [
        `// Grown by the Toolsmith (strategy price): the ${supply.name} left after the earlier reserved ${output.name} rows is surplus.`,
        `// Each product line's surplus goes to the best price: ${a(demand.name)} of that line whose ${floor.name} is at least`,
        `// the best ${quotes.name} gets up to its ${cap.name} more (highest ${floor.name} first); the rest is noted for the market.`,
        `const left = kit.supplyOf(input.reads.${supply.name}, s => s.${key.name}, s => s.${found.qty.name});`,
        `const buyers = new Map<string, rt.Stored<T.${demand.name}>>();`,
        `for (const earlier of input.earlier.${output.name}) {`,
        `    const demand = ctx.resolve(${D}, earlier.${demandRef.name});`,
        '    if (!demand) {',
        '        continue;',
        '    }',
        '    buyers.set(demand.id, demand);',
        `    if (earlier.${status.name} === 'reserved') {`,
        `        left.take(demand.${key.name}, earlier.${qty.name});`,
        '    }',
        '}',
        `const out: T.${output.name}[] = [];`,
        'for (const [line, surplus] of left.remaining()) {',
        `    const market = kit.sortBy(input.reads.${quotes.name}.filter(q => kit.sameLine(q.${quoteKey.name}, line)), q => [-q.${price.name}, q.id])[0];`,
        '    let rest = surplus;',
        `    for (const demand of kit.sortBy([...buyers.values()].filter(d => kit.sameLine(d.${key.name}, line)), d => [-d.${floor.name}, d.id])) {`,
        `        if (rest <= 0 || (market && demand.${floor.name} < market.${price.name})) {`,
        '            continue;',
        '        }',
        `        const extra = Math.min(rest, demand.${cap.name});`,
        `        out.push({ ${demandRef.name}: demand.id, ${qty.name}: extra, ${status.name}: 'reserved' });`,
        `        ctx.note('Surplus ' + extra + ' of ' + line + ' to ' + ctx.label(${D}, demand.id) + ' at its ${floor.name} ' + demand.${floor.name} + '.');`,
        '        rest = kit.round(rest - extra);',
        '    }',
        '    if (rest > 0) {',
        `        ctx.note('Surplus ' + rest + ' of ' + line + ' left for the market' + (market ? ' at ' + market.${price.name} + ' (' + ctx.label(${str(quotes.name)}, market.id) + ')' : '') + '.');`,
        '    }',
        '}',
        `return { ${output.name}: out };`
    ].join('\n');
    return { skill: 'price', summary: `routes ${supply.name} surplus to the best of ${demand.name}.${floor.name} and ${quotes.name}.${price.name}`, code };
}
