/**
 * DOT → PipelineGraph (spec §2). ts-graphviz parses the DOT; this module enforces the Attractor
 * subset on its AST (one directed, non-strict graph; `->` only; bare identifiers as node ids; no
 * ports, edge groups or HTML strings) and flattens it: node and edge defaults, scoped to subgraphs,
 * are applied in statement order; chained edges become one edge per pair; a subgraph's label gives
 * its nodes a class; string escapes `\n`, `\t`, `\\` are decoded; typed attributes are checked.
 * An edge implicitly declares the nodes it names, as in Graphviz (A.3 #8).
 */
import {
    parse,
    DotSyntaxError,
    type ASTNode,
    type AttributeASTNode,
    type ClusterStatementASTNode,
    type EdgeASTNode,
    type FileRange,
    type LiteralASTNode,
    type NodeASTNode,
    type SubgraphASTNode
} from 'ts-graphviz/ast';
import { adaptForTsGraphviz, type AdaptedSource } from './dot-source.js';
import {
    AttributeValueError,
    checkAttributeValue,
    createEdge,
    createGraph,
    createNode,
    type PipelineEdge,
    type PipelineGraph
} from './pipeline-graph.js';

export class DotParseError extends Error {
    constructor(message: string, readonly line?: number, readonly column?: number) {
        super(line === undefined ? message : `line ${line}, column ${column}: ${message}`);
        this.name = 'DotParseError';
    }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };

interface Scope {
    nodeDefaults: Record<string, string>;
    edgeDefaults: Record<string, string>;
    /** Attributes of the subgraph itself (the root graph's attributes for the root scope). */
    attrs: Record<string, string>;
    /** Nodes named inside this subgraph, including nested ones. */
    members: Set<string>;
}

class GraphBuilder {
    readonly nodeAttrs = new Map<string, Record<string, string>>();
    readonly edges: PipelineEdge[] = [];

    constructor(private readonly source: AdaptedSource) {}

    error(message: string, location: FileRange | undefined): DotParseError {
        if (!location) {
            return new DotParseError(message);
        }
        const { line, column } = this.source.position(location.start.offset);
        return new DotParseError(message, line, column);
    }

    walk(statements: readonly ClusterStatementASTNode[], scope: Scope, root: boolean): void {
        for (const statement of statements) {
            switch (statement.type) {
                case 'Attribute':
                    this.setAttribute(scope.attrs, statement, root ? 'graph' : undefined);
                    break;
                case 'AttributeList': {
                    const target = { Graph: scope.attrs, Node: scope.nodeDefaults, Edge: scope.edgeDefaults }[statement.kind];
                    const kind = { Graph: root ? 'graph' : undefined, Node: 'node', Edge: 'edge' }[statement.kind] as 'graph' | 'node' | 'edge' | undefined;
                    for (const attribute of statement.children) {
                        if (attribute.type === 'Attribute') {
                            this.setAttribute(target, attribute, kind);
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

    private setAttribute(target: Record<string, string>, attribute: AttributeASTNode, kind: 'graph' | 'node' | 'edge' | undefined): void {
        const key = attribute.key.value;
        const value = this.value(attribute.value);
        if (kind) {
            try {
                checkAttributeValue(kind, key, value);
            } catch (e) {
                throw e instanceof AttributeValueError ? this.error(e.message, attribute.value.location) : e;
            }
        }
        target[key] = value;
    }

    private value(literal: LiteralASTNode): string {
        if (literal.quoted === 'html') {
            throw this.error('HTML strings (<…>) are not supported; use a quoted string', literal.location);
        }
        // ts-graphviz already turned \" into "; the subset also decodes \n, \r, \t and \\, and drops
        // a backslash-newline (a DOT line continuation).
        return literal.quoted ? literal.value.replace(/\\(\r?\n|[nrt\\])/g, (_, c: string) => ESCAPES[c] ?? '') : literal.value;
    }

    private nodeId(literal: LiteralASTNode): string {
        if (!IDENTIFIER.test(literal.value)) {
            throw this.error(`node id "${literal.value}" must be a bare identifier ([A-Za-z_][A-Za-z0-9_]*); put display text in label`, literal.location);
        }
        return literal.value;
    }

    private declare(id: string, scope: Scope): Record<string, string> {
        let attrs = this.nodeAttrs.get(id);
        if (!attrs) {
            // As in Graphviz, a node takes the defaults in force where it first appears.
            attrs = { ...scope.nodeDefaults };
            this.nodeAttrs.set(id, attrs);
        }
        scope.members.add(id);
        return attrs;
    }

    private addNode(statement: NodeASTNode, scope: Scope): void {
        const attrs = this.declare(this.nodeId(statement.id), scope);
        for (const attribute of statement.children) {
            if (attribute.type === 'Attribute') {
                this.setAttribute(attrs, attribute, 'node');
            }
        }
    }

    private addEdges(statement: EdgeASTNode, scope: Scope): void {
        const ids = statement.targets.map(target => {
            if (target.type === 'NodeRefGroup') {
                throw this.error('edge groups ({a b}) are not supported; write one edge per target', target.location);
            }
            if (target.port || target.compass) {
                throw this.error('ports (node:port) are not supported', target.location);
            }
            return this.nodeId(target.id);
        });
        const attrs: Record<string, string> = { ...scope.edgeDefaults };
        for (const attribute of statement.children) {
            if (attribute.type === 'Attribute') {
                this.setAttribute(attrs, attribute, 'edge');
            }
        }
        for (const id of ids) {
            this.declare(id, scope);
        }
        for (let i = 1; i < ids.length; i++) {
            this.edges.push(createEdge(ids[i - 1], ids[i], attrs));
        }
    }

    private addSubgraph(statement: SubgraphASTNode, parent: Scope): void {
        const scope: Scope = {
            nodeDefaults: { ...parent.nodeDefaults },
            edgeDefaults: { ...parent.edgeDefaults },
            attrs: {},
            members: new Set()
        };
        this.walk(statement.children, scope, false);
        const derived = subgraphClass(scope.attrs.label ?? '');
        for (const id of scope.members) {
            parent.members.add(id);
            const attrs = this.nodeAttrs.get(id)!;
            const classes = (attrs.class ?? '').split(',').map(c => c.trim()).filter(c => c !== '');
            if (derived && !classes.includes(derived)) {
                attrs.class = [...classes, derived].join(',');
            }
        }
    }
}

/** The class a subgraph label gives its nodes (§2.10): `Loop A` → `loop-a`. */
export function subgraphClass(label: string): string {
    return label.toLowerCase().trim().replace(/\s+/g, '-').replace(/[^a-z0-9-]/g, '');
}

/** Parses one Attractor DOT digraph; throws DotParseError (with line and column where known). */
export function parseDot(source: string): PipelineGraph {
    const adapted = adaptForTsGraphviz(source);
    let dot;
    try {
        dot = parse(adapted.text);
    } catch (e) {
        throw syntaxError(e, adapted);
    }
    const graphs = dot.children.filter(c => c.type === 'Graph');
    if (graphs.length === 0) {
        throw new DotParseError('no digraph found');
    }
    const graph = graphs[0];
    const builder = new GraphBuilder(adapted);
    if (!graph.directed) {
        throw builder.error('undirected graphs are not supported; write `digraph`', graph.location);
    }
    if (graph.strict) {
        throw builder.error('`strict` graphs are not supported', graph.location);
    }
    if (!graph.id) {
        throw builder.error('the digraph needs a name: digraph <Name> { … }', graph.location);
    }
    const root: Scope = { nodeDefaults: {}, edgeDefaults: {}, attrs: {}, members: new Set() };
    builder.walk(graph.children, root, true);
    const nodes = [...builder.nodeAttrs].map(([id, attrs]) => createNode(id, attrs));
    return createGraph(graph.id.value, root.attrs, nodes, builder.edges);
}

function syntaxError(e: unknown, source: AdaptedSource): DotParseError {
    if (!(e instanceof DotSyntaxError)) {
        throw e;
    }
    const location = (e.cause as Partial<ASTNode> | undefined)?.location;
    if (!location) {
        return new DotParseError(e.message);
    }
    const rest = source.text.slice(location.start.offset);
    const message = /^(strict\s+)?(di)?graph\b/.test(rest)
        ? 'only one graph per file is allowed'
        : e.message.replace(/In digraph, it's necessary to describe with "->" operator to create edge\./, 'undirected edges (--) are not supported; use ->');
    const { line, column } = source.position(location.start.offset);
    return new DotParseError(message, line, column);
}
