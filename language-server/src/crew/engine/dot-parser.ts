/**
 * DOT → PipelineGraph (spec §2). ts-graphviz parses the DOT; this module enforces the Attractor
 * subset on its AST (one directed, non-strict graph; `->` only; bare identifiers as node ids; no
 * ports, edge groups or HTML strings) and flattens it: node and edge defaults, scoped to subgraphs,
 * are applied in statement order; chained edges become one edge per pair; a subgraph's label gives
 * its nodes a class; string escapes `\n`, `\t`, `\\` are decoded; typed attributes are checked.
 * An edge implicitly declares the nodes it names, as in Graphviz (A.3 #8).
 *
 * `parsePipeline` is tolerant, for editors and `fspec pipeline validate`: what is wrong becomes a
 * located problem (`dot_syntax`, `attribute_type`) and the rest still parses, with a source map of
 * where everything is written. `parseDot` throws the first problem, for running a pipeline.
 */
import {
    parse,
    DotSyntaxError,
    type ASTNode,
    type AttributeASTNode,
    type ClusterStatementASTNode,
    type EdgeASTNode,
    type FileRange,
    type GraphASTNode,
    type LiteralASTNode,
    type NodeASTNode,
    type SubgraphASTNode
} from 'ts-graphviz/ast';
import { AttributeValueError, checkAttributeValue, type AttributeInfo, type AttributeTarget } from './attributes.js';
import { adaptForTsGraphviz, type AdaptedSource } from './dot-source.js';
import type { Diagnostic } from './lint.js';
import { createEdge, createGraph, createNode, type PipelineEdge, type PipelineGraph } from './pipeline-graph.js';
import { emptySourceMap, LineIndex, type AttributeRange, type DotSourceMap, type EdgeSource, type NodeSource, type Range } from './source-map.js';

export class DotParseError extends Error {
    constructor(message: string, readonly line?: number, readonly column?: number) {
        super(line === undefined ? message : `line ${line}, column ${column}: ${message}`);
        this.name = 'DotParseError';
    }
}

export interface ParsePipelineOptions {
    /** Attributes custom handlers read, whose typed values are checked like the catalog's. */
    readonly attributes?: readonly AttributeInfo[];
}

export interface ParsedPipeline {
    /** Absent when the text is not DOT (a `dot_syntax` problem says where). */
    readonly graph?: PipelineGraph;
    readonly sourceMap: DotSourceMap;
    /** `dot_syntax` and `attribute_type` errors, in text order, each with its range. */
    readonly problems: Diagnostic[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
const GRAPH_KEYWORDS = /^(strict\s+)?((?:di)?graph)\b/i;

type Ranges = Map<string, AttributeRange>;

interface Scope {
    nodeDefaults: Record<string, string>;
    nodeDefaultRanges: Ranges;
    edgeDefaults: Record<string, string>;
    edgeDefaultRanges: Ranges;
    /** Attributes of the subgraph itself (the root graph's attributes for the root scope). */
    attrs: Record<string, string>;
    attrRanges: Ranges;
    /** Nodes named inside this subgraph, including nested ones. */
    members: Set<string>;
}

interface NodeEntry {
    readonly attrs: Record<string, string>;
    readonly source: { id: Range; attrs: Ranges };
    /** Whether a node statement (not only an edge) names it. */
    stated: boolean;
    /** The class derived from the innermost labelled subgraph around it (a thread key under `full` fidelity, §5.4). */
    subgraphClass?: string;
}

interface EdgeEnd {
    readonly id: string;
    readonly range: Range;
}

class GraphBuilder {
    readonly nodes = new Map<string, NodeEntry>();
    readonly edges: PipelineEdge[] = [];
    readonly edgeSources: EdgeSource[] = [];
    readonly problems: Diagnostic[] = [];
    private readonly lines: LineIndex;

    constructor(private readonly source: AdaptedSource, original: string, private readonly extra: readonly AttributeInfo[]) {
        this.lines = new LineIndex(original);
    }

    /** A location in the adapted text as a range of the original. */
    range(location: FileRange | undefined): Range | undefined {
        return location && this.rangeAt(location.start.offset, location.end.offset - location.start.offset);
    }

    /** `length` characters at `offset` of the adapted text, as a range of the original. */
    rangeAt(offset: number, length: number): Range {
        return {
            start: this.lines.position(this.source.originalOffset(offset)),
            end: this.lines.position(this.source.originalOffset(offset + length))
        };
    }

    problem(message: string, range: Range | undefined, extra: Partial<Diagnostic> = {}): void {
        this.problems.push({ rule: 'dot_syntax', severity: 'error', message, ...extra, ...(range && { range }) });
    }

    walk(statements: readonly ClusterStatementASTNode[], scope: Scope, root: boolean): void {
        for (const statement of statements) {
            switch (statement.type) {
                case 'Attribute':
                    this.setAttribute(scope.attrs, scope.attrRanges, statement, root ? 'graph' : undefined);
                    break;
                case 'AttributeList': {
                    const [target, ranges] = {
                        Graph: [scope.attrs, scope.attrRanges],
                        Node: [scope.nodeDefaults, scope.nodeDefaultRanges],
                        Edge: [scope.edgeDefaults, scope.edgeDefaultRanges]
                    }[statement.kind] as [Record<string, string>, Ranges];
                    const kind = { Graph: root ? 'graph' : undefined, Node: 'node', Edge: 'edge' }[statement.kind] as AttributeTarget | undefined;
                    for (const attribute of statement.children) {
                        if (attribute.type === 'Attribute') {
                            this.setAttribute(target, ranges, attribute, kind);
                        }
                    }
                    break;
                }
                case 'Node':
                    this.addNode(statement, scope);
                    break;
                case 'Edge':
                    this.addEdges(statement, scope);
                    break;
                case 'Subgraph':
                    this.addSubgraph(statement, scope);
                    break;
                case 'Comment':
                    break;
            }
        }
    }

    /** Sets a checked attribute; a mistyped or HTML value is a problem, and the attribute is left out. */
    private setAttribute(target: Record<string, string>, ranges: Ranges, attribute: AttributeASTNode, kind: AttributeTarget | undefined, nodeId?: string): void {
        const key = attribute.key.value;
        const value = this.value(attribute.value);
        if (value === undefined) {
            return;
        }
        if (kind) {
            try {
                checkAttributeValue(kind, key, value, this.extra);
            } catch (e) {
                if (!(e instanceof AttributeValueError)) {
                    throw e;
                }
                this.problem(e.message, this.range(attribute.value.location), { rule: 'attribute_type', attribute: key, ...(nodeId !== undefined && { node_id: nodeId }) });
                return;
            }
        }
        target[key] = value;
        const keyRange = this.range(attribute.key.location);
        const valueRange = this.range(attribute.value.location);
        if (keyRange && valueRange) {
            ranges.set(key, { key: keyRange, value: valueRange });
        }
    }

    private value(literal: LiteralASTNode): string | undefined {
        if (literal.quoted === 'html') {
            this.problem('HTML strings (<…>) are not supported; use a quoted string', this.range(literal.location));
            return undefined;
        }
        // ts-graphviz already turned \" into "; the subset also decodes \n, \r, \t and \\, and drops
        // a backslash-newline (a DOT line continuation).
        return literal.quoted ? literal.value.replace(/\\(\r?\n|[nrt\\])/g, (_, c: string) => ESCAPES[c] ?? '') : literal.value;
    }

    /** The id as written; one that is no bare identifier is a problem, and is kept so the rest still lints. */
    private nodeId(literal: LiteralASTNode): string {
        if (!IDENTIFIER.test(literal.value)) {
            this.problem(`node id "${literal.value}" must be a bare identifier ([A-Za-z_][A-Za-z0-9_]*); put display text in label`, this.range(literal.location));
        }
        return literal.value;
    }

    private declare(id: string, range: Range, scope: Scope, stated: boolean): NodeEntry {
        let entry = this.nodes.get(id);
        if (!entry) {
            // As in Graphviz, a node takes the defaults in force where it first appears.
            entry = { attrs: { ...scope.nodeDefaults }, source: { id: range, attrs: new Map(scope.nodeDefaultRanges) }, stated };
            this.nodes.set(id, entry);
        } else if (stated && !entry.stated) {
            // Point at the node's own statement rather than the edge that mentioned it first.
            entry.source.id = range;
            entry.stated = true;
        }
        scope.members.add(id);
        return entry;
    }

    private addNode(statement: NodeASTNode, scope: Scope): void {
        const id = this.nodeId(statement.id);
        const entry = this.declare(id, this.range(statement.id.location) ?? this.rangeAt(0, 0), scope, true);
        for (const attribute of statement.children) {
            if (attribute.type === 'Attribute') {
                this.setAttribute(entry.attrs, entry.source.attrs, attribute, 'node', id);
            }
        }
    }

    private addEdges(statement: EdgeASTNode, scope: Scope): void {
        // Each target is a group of ends: one node, or (reported, then expanded as Graphviz does) `{a b}`.
        const groups: EdgeEnd[][] = statement.targets.map(target => {
            if (target.type === 'NodeRefGroup') {
                this.problem('edge groups ({a b}) are not supported; write one edge per target', this.range(target.location));
                return target.children.filter(c => c.type === 'NodeRef').map(ref => this.end(ref.id));
            }
            if (target.port || target.compass) {
                this.problem('ports (node:port) are not supported', this.range(target.location));
            }
            return [this.end(target.id)];
        });
        const attrs: Record<string, string> = { ...scope.edgeDefaults };
        const ranges: Ranges = new Map(scope.edgeDefaultRanges);
        for (const attribute of statement.children) {
            if (attribute.type === 'Attribute') {
                this.setAttribute(attrs, ranges, attribute, 'edge');
            }
        }
        for (const end of groups.flat()) {
            this.declare(end.id, end.range, scope, false);
        }
        for (let i = 1; i < groups.length; i++) {
            for (const from of groups[i - 1]) {
                for (const to of groups[i]) {
                    this.edges.push(createEdge(from.id, to.id, attrs));
                    this.edgeSources.push({ from_id: from.id, to_id: to.id, from: from.range, to: to.range, attrs: ranges });
                }
            }
        }
    }

    private end(literal: LiteralASTNode): EdgeEnd {
        return { id: this.nodeId(literal), range: this.range(literal.location) ?? this.rangeAt(0, 0) };
    }

    private addSubgraph(statement: SubgraphASTNode, parent: Scope): void {
        const scope: Scope = {
            nodeDefaults: { ...parent.nodeDefaults },
            nodeDefaultRanges: new Map(parent.nodeDefaultRanges),
            edgeDefaults: { ...parent.edgeDefaults },
            edgeDefaultRanges: new Map(parent.edgeDefaultRanges),
            attrs: {},
            attrRanges: new Map(),
            members: new Set()
        };
        this.walk(statement.children, scope, false);
        const derived = subgraphClass(scope.attrs.label ?? '');
        for (const id of scope.members) {
            parent.members.add(id);
            const entry = this.nodes.get(id)!;
            const attrs = entry.attrs;
            // Nested subgraphs are walked first, so the first class recorded is the innermost one.
            entry.subgraphClass ??= derived || undefined;
            const classes = (attrs.class ?? '').split(',').map(c => c.trim()).filter(c => c !== '');
            if (derived && !classes.includes(derived)) {
                attrs.class = [...classes, derived].join(',');
            }
        }
    }

    /** Checks the graph header; returns its range (`digraph Name`). */
    header(graph: GraphASTNode): Range {
        const start = graph.location?.start.offset ?? 0;
        const keywords = GRAPH_KEYWORDS.exec(this.source.text.slice(start)) ?? ['', undefined, 'digraph'];
        const strictLength = keywords[1]?.length ?? 0;
        if (!graph.directed) {
            this.problem('undirected graphs are not supported; write `digraph`', this.rangeAt(start + strictLength, keywords[2].length));
        }
        if (graph.strict) {
            this.problem('`strict` graphs are not supported', this.rangeAt(start, 'strict'.length));
        }
        const end = graph.id?.location?.end.offset ?? start + keywords[0].length;
        if (!graph.id) {
            this.problem('the digraph needs a name: digraph <Name> { … }', this.rangeAt(start, keywords[0].length));
        }
        return this.rangeAt(start, end - start);
    }
}

/** The class a subgraph label gives its nodes (§2.10): `Loop A` → `loop-a`. */
export function subgraphClass(label: string): string {
    return label.toLowerCase().trim().replace(/\s+/g, '-').replace(/[^a-z0-9-]/g, '');
}

/**
 * Parses one Attractor DOT digraph without throwing: the graph (unless the text is no DOT), where
 * everything is written, and the problems found, each located. A mistyped attribute is left out,
 * a second graph is ignored, a subset violation (a port, an edge group, a quoted id) is reported and
 * read as Graphviz would.
 */
export function parsePipeline(source: string, options: ParsePipelineOptions = {}): ParsedPipeline {
    const adapted = adaptForTsGraphviz(source);
    const builder = new GraphBuilder(adapted, source, options.attributes ?? []);
    let dot;
    try {
        dot = parse(adapted.text);
    } catch (e) {
        const problem = syntaxProblem(e, adapted, builder);
        builder.problems.push(problem.diagnostic);
        if (problem.secondGraphAt === undefined) {
            return { sourceMap: emptySourceMap(), problems: builder.problems };
        }
        // A second graph: the first one still parses on its own.
        try {
            dot = parse(adapted.text.slice(0, problem.secondGraphAt));
        } catch {
            return { sourceMap: emptySourceMap(), problems: builder.problems };
        }
    }
    const graph = dot.children.find(c => c.type === 'Graph');
    if (!graph) {
        builder.problem('no digraph found', builder.rangeAt(0, 0));
        return { sourceMap: emptySourceMap(), problems: builder.problems };
    }
    const header = builder.header(graph);
    const root: Scope = {
        nodeDefaults: {}, nodeDefaultRanges: new Map(), edgeDefaults: {}, edgeDefaultRanges: new Map(), attrs: {}, attrRanges: new Map(), members: new Set()
    };
    builder.walk(graph.children, root, true);
    const nodes = [...builder.nodes].map(([id, entry]) => createNode(id, entry.attrs, entry.subgraphClass));
    const sourceMap: DotSourceMap = {
        header,
        graph: root.attrRanges,
        nodes: new Map<string, NodeSource>([...builder.nodes].map(([id, entry]) => [id, entry.source])),
        edges: builder.edgeSources
    };
    const problems = builder.problems.sort((a, b) => compareRanges(a.range, b.range));
    return { graph: createGraph(graph.id?.value ?? '', root.attrs, nodes, builder.edges), sourceMap, problems };
}

function compareRanges(a: Range | undefined, b: Range | undefined): number {
    return (a?.start.line ?? 0) - (b?.start.line ?? 0) || (a?.start.character ?? 0) - (b?.start.character ?? 0);
}

/** Parses one Attractor DOT digraph; throws DotParseError (with line and column where known) at its first problem. */
export function parseDot(source: string): PipelineGraph {
    const { graph, problems } = parsePipeline(source);
    const first = problems.find(p => p.severity === 'error');
    if (first || !graph) {
        const at = first?.range?.start;
        throw new DotParseError(first?.message ?? 'no digraph found', at && at.line + 1, at && at.character + 1);
    }
    return graph;
}

function syntaxProblem(e: unknown, source: AdaptedSource, builder: GraphBuilder): { diagnostic: Diagnostic; secondGraphAt?: number } {
    const location = e instanceof DotSyntaxError ? (e.cause as Partial<ASTNode> | undefined)?.location : undefined;
    const message = e instanceof Error ? e.message : String(e);
    if (!location) {
        return { diagnostic: { rule: 'dot_syntax', severity: 'error', message, range: builder.rangeAt(0, 0) } };
    }
    const offset = location.start.offset;
    const second = GRAPH_KEYWORDS.exec(source.text.slice(offset));
    if (second) {
        return {
            diagnostic: { rule: 'dot_syntax', severity: 'error', message: 'only one graph per file is allowed', range: builder.rangeAt(offset, second[0].length) },
            secondGraphAt: offset
        };
    }
    return {
        diagnostic: {
            rule: 'dot_syntax', severity: 'error',
            message: message.replace(/In digraph, it's necessary to describe with "->" operator to create edge\./, 'undirected edges (--) are not supported; use ->'),
            range: builder.range(location)!
        }
    };
}
