import type { SpecGraph, SpecNode } from './spec-graph.js';

/** Kinds of element that can produce what a desire asks for. */
const producers = new Set(['step', 'gate', 'entity', 'panel']);

const producedNames = new WeakMap<SpecGraph, Set<string>>();

/** What the spec produces, as normalized names; once per graph. */
function produced(graph: SpecGraph): Set<string> {
    let names = producedNames.get(graph);
    if (!names) {
        names = new Set(graph.nodes.filter(n => producers.has(n.kind)).map(n => normalizeTerm(n.name)));
        producedNames.set(graph, names);
    }
    return names;
}

/**
 * A desire's outputs are the user's words (`output packlists, invoices`). One is realized when a
 * step, gate, entity or panel has that name, compared without case, underscores or plural endings:
 * `action_plans` matches `ActionPlan`, `deliveries` matches `Delivery`.
 */
export function unrealizedOutputs(graph: SpecGraph, desire: SpecNode): string[] {
    // A half-typed desire may hold holes where an output did not parse.
    return ((desire.attrs.outputs ?? []) as Array<string | undefined>).filter((output): output is string => typeof output === 'string' && !produced(graph).has(normalizeTerm(output)));
}

/** A desire is realized when it names outputs and the spec produces all of them. */
export function isDesireRealized(graph: SpecGraph, desire: SpecNode): boolean {
    return ((desire.attrs.outputs ?? []) as string[]).length > 0 && unrealizedOutputs(graph, desire).length === 0;
}

function normalizeTerm(term: string): string {
    const word = term.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (word.endsWith('ies')) {
        return `${word.slice(0, -3)}y`;
    }
    if (/(x|ss|ch|sh|z)es$/.test(word)) {
        return word.slice(0, -2);
    }
    return word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}
