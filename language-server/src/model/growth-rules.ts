import { graphIndex, outgoing } from './graph-index.js';
import { idName, unresolvedRefs, type SourceRange, type SpecGraph, type SpecNode } from './spec-graph.js';
import { isGoverned, type Morph } from './morphs.js';
import { diffSpecGraphs } from './semantic-diff.js';

/**
 * The one implementation of the growth rules. The validator turns findings into diagnostics;
 * the crew's Safety role calls the same functions to veto a proposal.
 */
export interface GrowthFinding {
    code: GrowthCode;
    message: string;
    /** Where to report it in the new text. */
    range?: SourceRange;
    morph: Morph;
    /** The plate, rule or prohibition the finding is about, for quick fixes. */
    subject?: string;
}

export const GrowthCodes = {
    ProhibitedChange: 'prohibited-change',
    IdentityChangeOutsideMajor: 'identity-change-outside-major',
    MorphNotAllowed: 'morph-not-allowed',
    MorphWithoutRule: 'morph-without-rule',
    MorphTestsMissing: 'morph-tests-missing'
} as const;
export type GrowthCode = typeof GrowthCodes[keyof typeof GrowthCodes];

/** The major component of a version such as `0.2.0`, `v1.3` or `2`; undefined when it has none (or is missing). */
export function majorVersion(version: string | undefined): number | undefined {
    const match = /^v?(\d+)/.exec((version ?? '').trim());
    return match ? Number(match[1]) : undefined;
}

/** Whether the major version goes up from one version to the other: a major evolve, the only time identity may change. */
export function isMajorIncrease(before: string | undefined, after: string | undefined): boolean {
    const from = majorVersion(before);
    const to = majorVersion(after);
    return from !== undefined && to !== undefined && to > from;
}

/**
 * The growth since the approved version, judged: its morphs and what the identity invariants and
 * morph rules find wrong with them. The validator reports the findings; the board sorts morphs by them.
 */
export function judgeGrowth(approved: SpecGraph, current: SpecGraph): { morphs: Morph[], findings: GrowthFinding[] } {
    const morphs = diffSpecGraphs(approved, current);
    return { morphs, findings: [...checkIdentityInvariants(approved, current, morphs), ...checkMorphRules(current, morphs)] };
}

/**
 * Identity invariants: the prohibitions of the approved version hold, and identity changes
 * (purpose, beneficiaries, envelope, prohibitions) happen only in a major evolve.
 */
export function checkIdentityInvariants(approved: SpecGraph, current: SpecGraph, morphs: Morph[]): GrowthFinding[] {
    const findings: GrowthFinding[] = [];
    const prohibitions = approved.nodes.filter(n => n.kind === 'prohibition');
    const major = isMajorIncrease(approved.version, current.version);
    for (const morph of morphs) {
        const forbidding = prohibitions.find(p => forbids(p, morph));
        if (forbidding) {
            findings.push({
                code: GrowthCodes.ProhibitedChange, morph, range: morph.range, subject: forbidding.id,
                message: `Identity invariant 'prohibit ${forbidding.name}' forbids this change: ${morph.detail}.`
            });
        } else if (morph.kind === 'identity_change' && !major) {
            const why = majorVersion(approved.version) === undefined
                ? `the approved version "${approved.version}" has no major number to compare with`
                : `version ${current.version} keeps the major version of the approved ${approved.version}`;
            findings.push({
                code: GrowthCodes.IdentityChangeOutsideMajor, morph, range: morph.range,
                message: `Identity may change only in a major evolve: ${morph.detail}, but ${why}.`
            });
        }
    }
    return findings;
}

function forbids(prohibition: SpecNode, morph: Morph): boolean {
    const { action, subject, target } = prohibition.attrs as { action: string, subject?: string, target?: string };
    if (action === 'morph') {
        return morph.kind === target;
    }
    if (action === 'change' && subject === 'purpose') {
        return morph.element === 'purpose';
    }
    const removed = morph.change === 'remove' || morph.change === 'rename';
    if (subject === 'beneficiary') {
        return removed && morph.element === 'beneficiary' && (morph.previous ?? morph.target) === `beneficiary:${target}`;
    }
    if (subject === 'envelope') {
        return removed && morph.element === 'envelope' && (target === undefined || morph.target === `envelope:${target}`);
    }
    return false;
}

/**
 * Morph rules: every governed morph must be accepted by a growth plate whose `at` covers the
 * changed element, be defined by a morph rule of the same name, and that rule's tests must exist.
 */
export function checkMorphRules(current: SpecGraph, morphs: Morph[]): GrowthFinding[] {
    const findings: GrowthFinding[] = [];
    const { nodes } = graphIndex(current);
    const plates = current.nodes.filter(n => n.kind === 'plate');
    for (const morph of morphs) {
        if (!isGoverned(morph.kind)) {
            continue;
        }
        const accepting = plates.filter(p => accepts(p, morph.kind) && covers(current, p, morph));
        if (accepting.length === 0) {
            const nearest = nearestPlate(current, plates, morph);
            findings.push({
                code: GrowthCodes.MorphNotAllowed, morph, range: morph.range, subject: nearest?.id,
                message: `Morph ${morph.kind} is not allowed: ${morph.detail}, and no growth plate accepts ${morph.kind} here. `
                    + (nearest ? `Nearest plate: '${nearest.name}' (${describePlate(current, nearest)}).` : 'The spec has no growth plates.')
            });
            continue;
        }
        const rule = nodes.get(`rule:${morph.kind}`);
        if (!rule) {
            findings.push({
                code: GrowthCodes.MorphWithoutRule, morph, range: morph.range, subject: accepting[0].id,
                message: `Morph ${morph.kind} (${morph.detail}) is accepted by plate '${accepting[0].name}', but no morph rule '${morph.kind}' gives its risk and required tests.`
            });
            continue;
        }
        const missing = unresolvedRefs(rule, 'requires');
        if (missing.length) {
            findings.push({
                code: GrowthCodes.MorphTestsMissing, morph, range: morph.range, subject: rule.id,
                message: `Morph ${morph.kind} (${morph.detail}) needs the acceptance test${missing.length > 1 ? 's' : ''} ${missing.map(t => `'${t}'`).join(', ')} required by its rule, which ${missing.length > 1 ? 'do' : 'does'} not exist.`
            });
        }
    }
    return findings;
}

function accepts(plate: SpecNode, kind: string): boolean {
    return ((plate.attrs.accepts ?? []) as string[]).includes(kind);
}

/** A plate without `at` accepts anywhere; with `at`, the changed element must be that element, inside it, or in that organ. */
function covers(graph: SpecGraph, plate: SpecNode, morph: Morph): boolean {
    const at = outgoing(graph, plate.id, 'at')[0]?.to;
    if (!at) {
        // An `at` that does not resolve covers nothing; no `at` at all covers everything.
        return unresolvedRefs(plate, 'at').length === 0;
    }
    if (morph.scope.includes(at)) {
        return true;
    }
    const members = at.startsWith('organ:') ? outgoing(graph, at, 'includes').map(e => e.to) : [];
    return members.some(member => morph.scope.includes(member));
}

/** The plate to point the user at: one located around the change, else one accepting the same kind, else the first. */
function nearestPlate(graph: SpecGraph, plates: SpecNode[], morph: Morph): SpecNode | undefined {
    return plates.find(p => covers(graph, p, morph) && outgoing(graph, p.id, 'at').length > 0)
        ?? plates.find(p => accepts(p, morph.kind))
        ?? plates[0];
}

function describePlate(graph: SpecGraph, plate: SpecNode): string {
    const accepted = ((plate.attrs.accepts ?? []) as string[]).join(', ');
    const at = outgoing(graph, plate.id, 'at')[0];
    const broken = unresolvedRefs(plate, 'at')[0];
    return `accepts ${accepted}${at ? ` at ${idName(at.to)}` : ''}${broken ? ` at ${broken}, which does not resolve` : ''}`;
}
