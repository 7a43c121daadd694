import { graphIndex } from './graph-index.js';
import { ancestry, idName, type AttrValue, type NodeKind, type SpecEdge, type SpecGraph, type SpecNode } from './spec-graph.js';
import { attributeMorphs, labelAttributes, morphFamilies, type ChangeKind, type Morph, type MorphKind } from './morphs.js';

/** Kinds in the order renames are looked for: targets of references before the elements that refer to them. */
const renameOrder: NodeKind[] = [
    'entity', 'field', 'source', 'guardrail', 'role', 'beneficiary', 'pipeline', 'step', 'gate', 'panel', 'action',
    'disclaimer', 'test', 'rule', 'plate', 'organ', 'desire', 'preference', 'heuristic', 'stage'
];

/** Any edit of these, labels included, is an identity change. */
const identityKinds: ReadonlySet<NodeKind> = new Set(['purpose', 'beneficiary', 'envelope', 'prohibition']);

/** Edges derived from node order and attributes (`next`, `accepts`): their changes are seen there, not as edges. */
const derivedEdges: ReadonlySet<string> = new Set(['next', 'accepts']);

/** Containers whose children are added and removed with them (one morph for the whole entity or pipeline). */
const ownerKinds: ReadonlySet<NodeKind> = new Set(['entity', 'pipeline']);

/**
 * The semantic difference between two versions of a spec, classified into morphs in the order
 * they appear in the new text. Elements that keep their shape under a new name are renames.
 */
export function diffSpecGraphs(before: SpecGraph, after: SpecGraph): Morph[] {
    return new GraphDiff(before, after).morphs();
}

class GraphDiff {
    private readonly oldNodes: ReadonlyMap<string, SpecNode>;
    private readonly newNodes: ReadonlyMap<string, SpecNode>;
    private readonly oldChildren: ReadonlyMap<string, SpecNode[]>;
    private readonly newChildren: ReadonlyMap<string, SpecNode[]>;
    private readonly oldEdges: ReadonlyMap<string, SpecEdge[]>;
    private readonly newEdges: ReadonlyMap<string, SpecEdge[]>;
    /** Old id → new id of elements found renamed. */
    private readonly renames = new Map<string, string>();

    constructor(private readonly before: SpecGraph, private readonly after: SpecGraph) {
        ({ nodes: this.oldNodes, children: this.oldChildren, outgoing: this.oldEdges } = graphIndex(before));
        ({ nodes: this.newNodes, children: this.newChildren, outgoing: this.newEdges } = graphIndex(after));
    }

    morphs(): Morph[] {
        this.detectRenames();
        const morphs: Morph[] = [];
        for (const old of this.before.nodes) {
            if (old.kind === 'spec' || old.kind === 'section') {
                continue;
            }
            const now = this.newNodes.get(this.mapId(old.id));
            if (!now) {
                if (!this.removedWithOwner(old)) {
                    morphs.push(this.removal(old));
                }
                continue;
            }
            if (this.renames.has(old.id)) {
                morphs.push(this.morph('rename', morphFamilies[old.kind]!.rename, now, `${label(old)} renamed to '${now.name}'`, old.id));
            }
            morphs.push(...this.attributeChanges(old, now));
            if (now.kind === 'pipeline') {
                morphs.push(...this.reordering(old, now));
            }
        }
        const matched = new Set(this.before.nodes.map(n => this.mapId(n.id)));
        for (const now of this.after.nodes) {
            if (now.kind === 'spec' || now.kind === 'section' || matched.has(now.id)) {
                continue;
            }
            const owner = now.parent ? this.newNodes.get(now.parent) : undefined;
            if (owner && ownerKinds.has(owner.kind) && !matched.has(owner.id)) {
                continue;
            }
            morphs.push(this.morph('add', morphFamilies[now.kind]!.add, now, `${label(now)} added${owner && ownerKinds.has(owner.kind) ? ` to ${label(owner)}` : ''}`));
        }
        return morphs.sort((a, b) => compareRanges(a.range, b.range));
    }

    /** What an old element's id is in the new version: its rename, or its id under a renamed owner. */
    private mapId(oldId: string): string {
        const renamed = this.renames.get(oldId);
        if (renamed) {
            return renamed;
        }
        const old = this.oldNodes.get(oldId);
        if (old?.parent && ownerKinds.has(this.oldNodes.get(old.parent)!.kind)) {
            const owner = this.newNodes.get(this.mapId(old.parent));
            if (owner && owner.id !== old.parent) {
                return `${old.kind}:${owner.name}.${old.name}`;
            }
        }
        return oldId;
    }

    private detectRenames(): void {
        for (const kind of renameOrder) {
            const matched = new Set(this.before.nodes.map(n => this.mapId(n.id)));
            const added = this.after.nodes.filter(n => n.kind === kind && !matched.has(n.id));
            if (added.length === 0) {
                continue;
            }
            const addedShapes = new Map(added.map(n => [n.id, this.shape(n, 'new')]));
            const claimed = new Set<string>();
            for (const old of this.before.nodes) {
                if (old.kind !== kind || this.newNodes.has(this.mapId(old.id))) {
                    continue;
                }
                const parent = old.parent && this.mapId(old.parent);
                const shape = this.shape(old, 'old');
                const match = added.find(n => !claimed.has(n.id) && n.parent === parent && addedShapes.get(n.id) === shape);
                if (match) {
                    claimed.add(match.id);
                    this.renames.set(old.id, match.id);
                }
            }
        }
    }

    /** What an element is, apart from its name and labels: attributes, references (as new ids) and children. */
    private shape(node: SpecNode, version: 'old' | 'new'): string {
        const [children, edges] = version === 'old' ? [this.oldChildren, this.oldEdges] : [this.newChildren, this.newEdges];
        const toNewId = (id: string) => version === 'old' ? this.mapId(id) : id;
        const attrs = Object.entries(node.attrs).filter(([key]) => !labelAttributes.has(key));
        const refs = (edges.get(node.id) ?? []).filter(e => !derivedEdges.has(e.kind)).map(e => `${e.kind}>${toNewId(e.to)}`).sort();
        const kids = (children.get(node.id) ?? []).map(c => `${c.name}=${this.shape(c, version)}`).sort();
        return JSON.stringify([attrs, refs, kids]);
    }

    /** Attribute and reference changes of an element that exists in both versions, one morph per morph kind. */
    private attributeChanges(old: SpecNode, now: SpecNode): Morph[] {
        const { unresolved: _oldUnresolved, ...oldAttrs } = old.attrs;
        const { unresolved: _newUnresolved, ...newAttrs } = now.attrs;
        const was = { ...oldAttrs, ...this.references(old, 'old') };
        const is = { ...newAttrs, ...this.references(now, 'new') };
        const changesByMorph = new Map<MorphKind, string[]>();
        for (const key of new Set([...Object.keys(was), ...Object.keys(is)])) {
            if (JSON.stringify(was[key]) === JSON.stringify(is[key])) {
                continue;
            }
            const relabel = labelAttributes.has(key) && !identityKinds.has(now.kind);
            const kind = attributeMorphs[`${now.kind}.${key}`] ?? (relabel ? 'relabel' : morphFamilies[now.kind]!.change);
            const list = changesByMorph.get(kind) ?? [];
            list.push(`${key} ${formatValue(was[key])} → ${formatValue(is[key])}`);
            changesByMorph.set(kind, list);
        }
        return [...changesByMorph].map(([kind, changes]) => this.morph('change', kind, now, `${label(now)}: ${changes.join('; ')}`));
    }

    /**
     * An element's references by edge kind, as names in the new version (so a renamed target is no change),
     * with the text of references that do not resolve.
     */
    private references(node: SpecNode, version: 'old' | 'new'): Record<string, string[]> {
        const edges = (version === 'old' ? this.oldEdges : this.newEdges).get(node.id) ?? [];
        const references: Record<string, string[]> = {};
        for (const edge of edges) {
            if (!derivedEdges.has(edge.kind)) {
                const target = version === 'old' ? this.mapId(edge.to) : edge.to;
                (references[edge.kind] ??= []).push(idName(target));
            }
        }
        for (const unresolved of (node.attrs.unresolved ?? []) as string[]) {
            const [kind, text] = [unresolved.slice(0, unresolved.indexOf(':')), unresolved.slice(unresolved.indexOf(':') + 1)];
            (references[kind] ??= []).push(text);
        }
        for (const list of Object.values(references)) {
            list.sort();
        }
        return references;
    }

    private reordering(old: SpecNode, now: SpecNode): Morph[] {
        const kept = new Set((this.newChildren.get(now.id) ?? []).map(n => n.id));
        const oldOrder = (this.oldChildren.get(old.id) ?? []).map(n => this.mapId(n.id)).filter(id => kept.has(id));
        const survivors = new Set(oldOrder);
        const newOrder = (this.newChildren.get(now.id) ?? []).map(n => n.id).filter(id => survivors.has(id));
        if (oldOrder.join() === newOrder.join()) {
            return [];
        }
        const names = (ids: string[]) => ids.map(id => this.newNodes.get(id)!.name).join(', ');
        return [this.morph('reorder', 'reorder_steps', now, `steps of ${label(now)} reordered: ${names(oldOrder)} → ${names(newOrder)}`)];
    }

    private removedWithOwner(old: SpecNode): boolean {
        const owner = old.parent ? this.oldNodes.get(old.parent) : undefined;
        return !!owner && ownerKinds.has(owner.kind) && !this.newNodes.has(this.mapId(owner.id));
    }

    private removal(old: SpecNode): Morph {
        const owner = old.parent ? this.oldNodes.get(old.parent) : undefined;
        const from = owner && ownerKinds.has(owner.kind) ? ` from ${label(this.newNodes.get(this.mapId(owner.id)) ?? owner)}` : '';
        // Locate the removal at the nearest container that still exists in the new text.
        let survivor: SpecNode | undefined;
        for (let id = old.parent; id && !survivor; id = this.oldNodes.get(id)?.parent) {
            survivor = this.newNodes.get(this.mapId(id));
        }
        const scope = [old.id, ...(survivor ? ancestry(this.newNodes, survivor.id) : [])];
        return {
            kind: morphFamilies[old.kind]!.remove, change: 'remove', element: old.kind, target: old.id,
            detail: `${label(old)} removed${from}`, scope, range: (survivor ?? this.newNodes.get(`spec:${this.after.name}`))?.range
        };
    }

    private morph(change: ChangeKind, kind: MorphKind, node: SpecNode, detail: string, previous?: string): Morph {
        return {
            kind, change, element: node.kind, target: node.id, detail, scope: ancestry(this.newNodes, node.id), range: node.range,
            ...(previous ? { previous } : {})
        };
    }
}

/** `step 'allocate'`, `purpose`, `envelope "No legal advice"`: how a morph names its element. */
function label(node: SpecNode): string {
    switch (node.kind) {
        case 'purpose': return 'purpose';
        case 'envelope': return `envelope "${node.name}"`;
        case 'prohibition': return `prohibition '${node.name}'`;
        case 'deployment': return 'deployment settings';
        case 'policy': return 'evidence policy';
        case 'rule': return `morph rule '${node.name}'`;
        default: return `${node.kind} '${node.name}'`;
    }
}

function formatValue(value: AttrValue | undefined): string {
    if (value === undefined || value === false) {
        return '(none)';
    }
    if (Array.isArray(value)) {
        return value.length ? value.join(', ') : '(none)';
    }
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function compareRanges(a?: { start: { line: number, character: number } }, b?: { start: { line: number, character: number } }): number {
    const x = a?.start ?? { line: -1, character: 0 };
    const y = b?.start ?? { line: -1, character: 0 };
    return x.line - y.line || x.character - y.character;
}
