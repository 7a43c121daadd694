import type * as ast from '../generated/ast.js';

/** Zero-based line/character position, the LSP shape, so ranges travel unchanged to editors. */
export interface Position { line: number; character: number }
export interface SourceRange { start: Position; end: Position }

export type SectionName =
    | 'identity' | 'desires' | 'evidence_policy' | 'data_contracts' | 'workflows' | 'interface' | 'safety'
    | 'personalization' | 'deployment' | 'organs' | 'growth_plates' | 'morph_rules' | 'acceptance' | 'lineage';

export type NodeKind =
    | 'spec' | 'section'
    | 'purpose' | 'beneficiary' | 'envelope' | 'prohibition'
    | 'desire' | 'policy' | 'source' | 'entity' | 'field' | 'pipeline' | 'step' | 'gate'
    | 'role' | 'panel' | 'action' | 'guardrail' | 'disclaimer' | 'preference' | 'heuristic'
    | 'deployment' | 'schedule' | 'retention' | 'organ' | 'plate' | 'rule' | 'test' | 'stage';

export type EdgeKind =
    | 'reads' | 'outputs' | 'enforces' | 'covers' | 'accepts' | 'requires' | 'from' | 'next'
    | 'provides' | 'references' | 'triggers' | 'shows' | 'for' | 'on' | 'runs' | 'includes' | 'at'
    | 'schedules' | 'retains' | 'protects';

export type AttrValue = string | number | boolean | string[];

export interface SpecNode {
    /** `kind:name`, qualified by the owner for fields and steps (`step:contract_allocation.allocate`). */
    id: string;
    kind: NodeKind;
    name: string;
    /** The containing node: the spec for sections, a section for elements, an entity or pipeline for fields and steps. */
    parent?: string;
    attrs: Record<string, AttrValue>;
    /** Where the element is in the source text; not part of the normalized JSON. */
    range?: SourceRange;
}

export interface SpecEdge { kind: EdgeKind; from: string; to: string }

/** The semantic model of one spec: every renderer, diff, crew role, compiler and CLI command reads this. */
export interface SpecGraph {
    name: string;
    version: string;
    stage?: string;
    nodes: SpecNode[];
    edges: SpecEdge[];
}

/** The id a graph node gets for an AST element; references become edges to these ids. */
export function elementId(element: ast.Element): string {
    switch (element.$type) {
        case 'Field': return `field:${element.$container.name}.${element.name}`;
        case 'Step': return `${element.kind}:${element.$container.name}.${element.name}`;
        case 'Beneficiary': return `beneficiary:${element.name}`;
        case 'Desire': return `desire:${element.name}`;
        case 'Source': return `source:${element.name}`;
        case 'Entity': return `entity:${element.name}`;
        case 'Pipeline': return `pipeline:${element.name}`;
        case 'Role': return `role:${element.name}`;
        case 'Panel': return `panel:${element.name}`;
        case 'Action': return `action:${element.name}`;
        case 'Guardrail': return `guardrail:${element.name}`;
        case 'Disclaimer': return `disclaimer:${element.name ?? element.text}`;
        case 'Preference': return `preference:${element.name}`;
        case 'Heuristic': return `heuristic:${element.name}`;
        case 'Organ': return `organ:${element.name}`;
        case 'Plate': return `plate:${element.name}`;
        case 'MorphRule': return `rule:${element.name}`;
        case 'AcceptanceTest': return `test:${element.name}`;
        case 'LineageEntry': return `stage:${element.name}`;
    }
}

/** Ids of a node and all its ancestors, nearest first. */
export function ancestry(byId: ReadonlyMap<string, SpecNode>, id: string): string[] {
    const chain: string[] = [];
    for (let node = byId.get(id); node; node = node.parent ? byId.get(node.parent) : undefined) {
        chain.push(node.id);
    }
    return chain;
}

/** The name part of a node id: `step:contract_allocation.allocate` → `contract_allocation.allocate`. */
export function idName(id: string): string {
    return id.slice(id.indexOf(':') + 1);
}

/** References of a node that did not resolve, for one edge kind. */
export function unresolvedRefs(node: SpecNode, kind: EdgeKind): string[] {
    const prefix = `${kind}:`;
    return ((node.attrs.unresolved ?? []) as string[]).filter(r => r.startsWith(prefix)).map(r => r.slice(prefix.length));
}

/** The graph as the seed's spec graph JSON: source ranges left out, so layout edits do not change it. */
export interface NormalizedSpecGraph {
    spec: string;
    version: string;
    stage?: string;
    nodes: Array<Omit<SpecNode, 'range' | 'attrs'> & { attrs?: SpecNode['attrs'] }>;
    edges: SpecEdge[];
}

export function normalizeSpecGraph(graph: SpecGraph): NormalizedSpecGraph {
    const nodes = graph.nodes.map(({ id, kind, name, parent, attrs }) => ({ id, kind, name, ...(parent ? { parent } : {}), ...(Object.keys(attrs).length ? { attrs } : {}) }));
    return { spec: graph.name, version: graph.version, ...(graph.stage ? { stage: graph.stage } : {}), nodes, edges: graph.edges };
}

/** The normalized graph as stable JSON (the `fspec normalize` output). */
export function serializeSpecGraph(graph: SpecGraph): string {
    return JSON.stringify(normalizeSpecGraph(graph), null, 2);
}
