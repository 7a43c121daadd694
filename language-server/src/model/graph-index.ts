import { idName, type SpecEdge, type SpecGraph, type SpecNode } from './spec-graph.js';

/** Lookups over a spec graph by id, built once per graph so whole-spec checks stay linear. */
export interface GraphIndex {
    nodes: ReadonlyMap<string, SpecNode>;
    outgoing: ReadonlyMap<string, SpecEdge[]>;
    incoming: ReadonlyMap<string, SpecEdge[]>;
    children: ReadonlyMap<string, SpecNode[]>;
}

const indexes = new WeakMap<SpecGraph, GraphIndex>();

export function graphIndex(graph: SpecGraph): GraphIndex {
    let index = indexes.get(graph);
    if (!index) {
        index = {
            nodes: new Map(graph.nodes.map(n => [n.id, n])),
            outgoing: groupBy(graph.edges, e => e.from),
            incoming: groupBy(graph.edges, e => e.to),
            children: groupBy(graph.nodes, n => n.parent)
        };
        indexes.set(graph, index);
    }
    return index;
}

export function outgoing(graph: SpecGraph, from: string, kind?: SpecEdge['kind']): SpecEdge[] {
    const edges = graphIndex(graph).outgoing.get(from) ?? [];
    return kind ? edges.filter(e => e.kind === kind) : edges;
}

export function incoming(graph: SpecGraph, to: string, kind?: SpecEdge['kind']): SpecEdge[] {
    const edges = graphIndex(graph).incoming.get(to) ?? [];
    return kind ? edges.filter(e => e.kind === kind) : edges;
}

/** A guardrail holds when a gate enforces it or an acceptance test covers it. */
export function isGuardrailEnforced(graph: SpecGraph, guardrailId: string): boolean {
    const { nodes } = graphIndex(graph);
    return incoming(graph, guardrailId).some(e => e.kind === 'covers' || (e.kind === 'enforces' && nodes.get(e.from)?.kind === 'gate'));
}

const guarded = new WeakMap<SpecGraph, Set<string>>();

/** Entities whose flow a gate guards: read or output by any step of a pipeline that has a gate. */
export function entitiesGuardedByGates(graph: SpecGraph): ReadonlySet<string> {
    let entities = guarded.get(graph);
    if (!entities) {
        entities = new Set();
        const { children } = graphIndex(graph);
        for (const pipeline of graph.nodes.filter(n => n.kind === 'pipeline')) {
            const steps = children.get(pipeline.id) ?? [];
            if (!steps.some(s => s.kind === 'gate')) {
                continue;
            }
            for (const step of steps) {
                for (const edge of outgoing(graph, step.id)) {
                    if (edge.kind === 'reads' || edge.kind === 'outputs') {
                        entities.add(edge.to);
                    }
                }
            }
        }
        guarded.set(graph, entities);
    }
    return entities;
}

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        if (k !== undefined) {
            const list = groups.get(k);
            if (list) {
                list.push(item);
            } else {
                groups.set(k, [item]);
            }
        }
    }
    return groups;
}

/** A field's type as written (`int`, `Block[]`, `enum(a, b)?`): primitives are an attribute, entity types a `references` edge. */
export function fieldTypeOf(graph: SpecGraph, field: SpecNode): string {
    if (typeof field.attrs.type === 'string') {
        return field.attrs.type;
    }
    const entity = outgoing(graph, field.id, 'references')[0]?.to;
    const unresolved = ((field.attrs.unresolved ?? []) as string[]).find(r => r.startsWith('references:'))?.slice('references:'.length);
    return (entity ? idName(entity) : unresolved ?? '?') + (field.attrs.many ? '[]' : '') + (field.attrs.optional ? '?' : '');
}
