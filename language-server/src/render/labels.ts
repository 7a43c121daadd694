import { fieldTypeOf } from '../model/graph-index.js';
import type { SectionName, SpecGraph, SpecNode } from '../model/spec-graph.js';

/** Section titles as the seed's "Spec graph" mindmap writes them, in the order every view lists them. */
export const sectionTitles: ReadonlyArray<readonly [SectionName, string]> = [
    ['identity', 'Identity'], ['desires', 'Desires'], ['evidence_policy', 'Evidence policy'], ['data_contracts', 'Data contracts'],
    ['workflows', 'Workflows'], ['interface', 'Interface'], ['safety', 'Safety'], ['personalization', 'Personalization'],
    ['deployment', 'Deployment'], ['organs', 'Organs'], ['growth_plates', 'Growth plates'], ['morph_rules', 'Morph rules'],
    ['acceptance', 'Acceptance'], ['lineage', 'Lineage']
];

function text(value: unknown): string | undefined {
    return typeof value === 'string' ? value : undefined;
}

/** The strings of a list attribute; a half-parsed spec can leave holes in it. */
export function list(value: unknown): string[] {
    return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** `v0.2.0` for `0.2.0`; a version already written with a `v` keeps it. */
export function versionLabel(version: string): string {
    return /^v/i.test(version) ? version : `v${version}`;
}

/**
 * What a diagram shows for a graph node: the human wording where the spec has one, the name
 * otherwise. Entities and roles show their name, since their title is a description.
 * Returns raw text; escaping is the caller's job (via `quoted`). Names and texts may be missing
 * while a spec is half-typed, so every part falls back to something printable.
 */
export function nodeLabel(graph: SpecGraph, node: SpecNode): string {
    const { attrs } = node;
    const name = node.name ?? '';
    switch (node.kind) {
        case 'entity':
        case 'role':
        case 'beneficiary':
        case 'prohibition':
            return name;
        case 'section':
            return sectionTitles.find(([section]) => section === name)?.[1] ?? name;
        case 'field':
            return `${name}: ${fieldTypeOf(graph, node)}`;
        case 'desire':
            return text(attrs.title) ?? list(attrs.goals)[0] ?? name;
        case 'policy':
            return [...list(attrs.cadence).map(c => `cadence ${c}`), ...list(attrs.minimumTier).map(t => `minimum tier ${t}`)].join('; ') || 'policy';
        case 'deployment':
            return [...list(attrs.devices).length ? [`devices ${list(attrs.devices).join(', ')}`] : [], ...list(attrs.cadence).map(c => `cadence ${c}`)].join('; ') || 'deployment';
        case 'schedule':
            return [name, text(attrs.cadence), text(attrs.at) !== undefined ? `at ${text(attrs.at)}` : undefined].filter(Boolean).join(' ');
        case 'retention':
            return `${name === 'default' ? 'everything else' : name}: ${text(attrs.keep) ?? ''}`;
        case 'rule':
            return `${name} (${text(attrs.risk) ?? '?'} risk)`;
        case 'stage':
            return `${name} ${versionLabel(text(attrs.version) ?? '')}`;
        default:
            return text(attrs.title) ?? text(attrs.text) ?? name;
    }
}

