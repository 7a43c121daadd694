/**
 * Where a pipeline's parts are written in its DOT text, so a diagnostic can point at the exact
 * characters: the graph's attributes, each node's id and attributes, each edge's ends and attributes.
 * Ranges are 0-based line and character (UTF-16 code units), end exclusive, as in LSP; the engine
 * knows nothing of editors, so the types are its own.
 */
import type { Diagnostic } from './lint.js';

export interface Position {
    readonly line: number;
    readonly character: number;
}

export interface Range {
    readonly start: Position;
    readonly end: Position;
}

/** An attribute as written: its key, and its value (with the quotes when it is quoted). */
export interface AttributeRange {
    readonly key: Range;
    readonly value: Range;
}

export interface NodeSource {
    /** The node's first statement `id [...]`, else its first mention in an edge. */
    readonly id: Range;
    /**
     * Where the node's attributes got their values: its own statements, or the `node [...]` default
     * in force where it was declared. Derived ones (a subgraph's class) have no range.
     */
    readonly attrs: ReadonlyMap<string, AttributeRange>;
}

export interface EdgeSource {
    readonly from_id: string;
    readonly to_id: string;
    readonly from: Range;
    readonly to: Range;
    /** Its statement's attributes and the `edge [...]` defaults in force there. */
    readonly attrs: ReadonlyMap<string, AttributeRange>;
}

export interface DotSourceMap {
    /** `digraph Name` (the start of the text when there is no graph). */
    readonly header: Range;
    /** The root graph's attributes (`graph [...]` and `key = value` statements). */
    readonly graph: ReadonlyMap<string, AttributeRange>;
    readonly nodes: ReadonlyMap<string, NodeSource>;
    /** In `graph.edges` order: `edges[i]` is where `graph.edges[i]` is written. */
    readonly edges: readonly EdgeSource[];
}

const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function emptySourceMap(): DotSourceMap {
    return { header: ORIGIN, graph: new Map(), nodes: new Map(), edges: [] };
}

/** Offsets ↔ positions in one text; built once, each lookup a binary search. */
export class LineIndex {
    private readonly starts: number[] = [0];

    constructor(private readonly text: string) {
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            this.starts.push(i + 1);
        }
    }

    position(offset: number): Position {
        const at = Math.max(0, Math.min(offset, this.text.length));
        let low = 0;
        let high = this.starts.length - 1;
        while (low < high) {
            const middle = (low + high + 1) >> 1;
            if (this.starts[middle] <= at) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return { line: low, character: at - this.starts[low] };
    }

    offset(position: Position): number {
        const line = Math.max(0, Math.min(position.line, this.starts.length - 1));
        const end = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
        return Math.min(this.starts[line] + Math.max(0, position.character), end);
    }
}

function edgeRange(edge: EdgeSource): Range {
    return { start: edge.from.start, end: edge.to.end };
}

function findEdge(d: Diagnostic, map: DotSourceMap): EdgeSource | undefined {
    if (d.edge_index !== undefined) {
        const edge = map.edges[d.edge_index];
        if (edge && (!d.edge || (edge.from_id === d.edge.from && edge.to_id === d.edge.to))) {
            return edge;
        }
    }
    return d.edge && map.edges.find(e => e.from_id === d.edge!.from && e.to_id === d.edge!.to);
}

/**
 * The most specific range of a diagnostic: the range the parser gave it; else the attribute it is
 * about (its value, or its key when `attribute_part` says so) on its edge, node or the graph; else
 * its edge (`from -> to`); else its node's id; else the graph header. An edge comes before the node
 * because a rule that names both (an edge into the start node) is about the edge.
 */
export function locateDiagnostic(d: Diagnostic, map: DotSourceMap): Range {
    if (d.range) {
        return d.range;
    }
    const edge = findEdge(d, map);
    const node = d.node_id === undefined ? undefined : map.nodes.get(d.node_id);
    if (d.attribute !== undefined) {
        const owner = d.edge ? edge?.attrs : d.node_id !== undefined ? node?.attrs : map.graph;
        const attribute = owner?.get(d.attribute);
        if (attribute) {
            return d.attribute_part === 'key' ? attribute.key : attribute.value;
        }
    }
    if (edge) {
        return edgeRange(edge);
    }
    return node?.id ?? map.header;
}

export interface LocatedDiagnostic {
    readonly diagnostic: Diagnostic;
    readonly range: Range;
}

/**
 * Every diagnostic with its range, in order; a diagnostic equal in rule, severity, message and range
 * to an earlier one is dropped (an unknown key in `node [...]` is reported once per node, all there).
 */
export function locateDiagnostics(diagnostics: readonly Diagnostic[], map: DotSourceMap): LocatedDiagnostic[] {
    const seen = new Set<string>();
    const located: LocatedDiagnostic[] = [];
    for (const diagnostic of diagnostics) {
        const range = locateDiagnostic(diagnostic, map);
        const key = JSON.stringify([diagnostic.rule, diagnostic.severity, diagnostic.message, range]);
        if (!seen.has(key)) {
            seen.add(key);
            located.push({ diagnostic, range });
        }
    }
    return located;
}
