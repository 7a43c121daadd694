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

/** What a desire asks for that the spec does not have yet: the gap the Planner closes. */
export interface DesireGaps {
    /** Outputs no step, gate, entity or panel produces. */
    outputs: string[];
    /** Constraints no gate enforces, with the guardrail they name when one does. */
    constraints: Array<{ constraint: string, guardrail?: string }>;
    /** Trusted sources the evidence policy does not list (as names). */
    sources: string[];
}

export function desireGaps(graph: SpecGraph, desire: SpecNode): DesireGaps {
    const guardrails = graph.nodes.filter(n => n.kind === 'guardrail');
    const gated = new Set(graph.edges.filter(e => e.kind === 'enforces' && e.from.startsWith('gate:')).map(e => e.to));
    const constraints = strings(desire.attrs.constraints).flatMap(constraint => {
        const guardrail = guardrailNamedBy(guardrails, constraint);
        return guardrail && gated.has(guardrail.id) ? [] : [{ constraint, ...(guardrail ? { guardrail: guardrail.name } : {}) }];
    });
    const sourceNames = new Set(graph.nodes.filter(n => n.kind === 'source').map(n => n.name));
    const sources = [...new Set(strings(desire.attrs.trustedSources).map(termName))].filter(name => !sourceNames.has(name));
    return { outputs: unrealizedOutputs(graph, desire), constraints, sources };
}

export function hasGaps(gaps: DesireGaps): boolean {
    return gaps.outputs.length + gaps.constraints.length + gaps.sources.length > 0;
}

/** Words that say nothing about which guardrail a constraint means. */
const fillerWords = new Set(['the', 'and', 'for', 'with', 'from', 'not', 'never', 'all', 'any', 'must', 'are', 'before', 'after', 'without', 'compliant', 'compliance', 'always', 'only']);

function significantWords(text: string): string[] {
    return text.toLowerCase().split(/[^a-z0-9]+/).filter(w => w.length >= 3 && !fillerWords.has(w)).map(normalizeTerm);
}

/**
 * The guardrail a constraint means: the one it names, or the one sharing most significant words
 * with it (`"PHI compliant"` → `no_phi_harvest "No harvest from PHI locked blocks"`).
 */
export function guardrailNamedBy(guardrails: SpecNode[], constraint: string): SpecNode | undefined {
    const named = guardrails.find(g => g.name === constraint);
    if (named) {
        return named;
    }
    const words = new Set(significantWords(constraint));
    let best: { guardrail: SpecNode, shared: number } | undefined;
    for (const guardrail of guardrails) {
        const shared = new Set(significantWords(`${guardrail.name} ${String(guardrail.attrs.text ?? '')}`).filter(w => words.has(w))).size;
        if (shared > 0 && shared > (best?.shared ?? 0)) {
            best = { guardrail, shared };
        }
    }
    return best?.guardrail;
}

/** A term as the user wrote it, as an element name: `"weekly report"` → `weekly_report`. */
export function termName(term: string): string {
    const name = term.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
    return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
