/**
 * The in-memory pipeline graph (spec §2). Every node, edge and the graph keep the attributes as written
 * (`attrs`, decoded strings) and expose the Appendix A attributes as typed fields with their defaults.
 * Field names are the DOT attribute names, so `node.goal_gate` is the attribute `goal_gate`.
 * Objects are immutable: a transform builds new ones with `createNode`, `withNodeAttrs` and `createGraph`.
 * Attribute types and defaults are in the catalog (attributes.ts).
 */
import { parseBoolean, parseDuration, parseInteger, SHAPE_TO_HANDLER_TYPE } from './attributes.js';

export type Attrs = Readonly<Record<string, string>>;

export interface PipelineNode {
    readonly id: string;
    readonly attrs: Attrs;
    readonly label: string;
    readonly shape: string;
    /** Explicit handler type; '' resolves by shape (Appendix B). */
    readonly type: string;
    readonly prompt: string;
    /** Undefined when omitted: the graph's `default_max_retries` applies. */
    readonly max_retries: number | undefined;
    readonly goal_gate: boolean;
    readonly retry_target: string;
    readonly fallback_retry_target: string;
    /** `class` split on commas, including classes derived from enclosing subgraph labels. */
    readonly classes: readonly string[];
    /** The class derived from the label of the innermost subgraph around the node; '' when none. */
    readonly subgraph_class: string;
    readonly timeout_ms: number | undefined;
    readonly llm_model: string;
    readonly llm_provider: string;
    readonly reasoning_effort: string;
    readonly auto_status: boolean;
    readonly allow_partial: boolean;
    /** The most times a run may enter the node; 0 (the default) means unlimited. */
    readonly max_visits: number;
}

export interface PipelineEdge {
    readonly from: string;
    readonly to: string;
    readonly attrs: Attrs;
    readonly label: string;
    readonly condition: string;
    readonly weight: number;
    readonly loop_restart: boolean;
}

export interface PipelineGraph {
    readonly id: string;
    readonly attrs: Attrs;
    readonly goal: string;
    readonly label: string;
    readonly model_stylesheet: string;
    readonly default_max_retries: number;
    readonly retry_target: string;
    readonly fallback_retry_target: string;
    /** In declaration order. */
    readonly nodes: ReadonlyMap<string, PipelineNode>;
    /** In declaration order; a chained statement `a -> b -> c` contributes a→b then b→c. */
    readonly edges: readonly PipelineEdge[];
}

export {
    AttributeValueError,
    checkAttributeValue,
    parseBoolean,
    parseDuration,
    parseInteger,
    SHAPE_TO_HANDLER_TYPE
} from './attributes.js';

function optional<T>(attrs: Attrs, key: string, parse: (key: string, value: string) => T): T | undefined {
    const value = attrs[key];
    return value === undefined ? undefined : parse(key, value);
}

export function createNode(id: string, attrs: Attrs, subgraphClass = ''): PipelineNode {
    return {
        id,
        attrs,
        label: attrs.label || id,
        shape: attrs.shape || 'box',
        type: attrs.type ?? '',
        prompt: attrs.prompt ?? '',
        max_retries: optional(attrs, 'max_retries', parseInteger),
        goal_gate: optional(attrs, 'goal_gate', parseBoolean) ?? false,
        retry_target: attrs.retry_target ?? '',
        fallback_retry_target: attrs.fallback_retry_target ?? '',
        classes: (attrs.class ?? '').split(',').map(c => c.trim()).filter(c => c !== ''),
        subgraph_class: subgraphClass,
        timeout_ms: optional(attrs, 'timeout', parseDuration),
        llm_model: attrs.llm_model ?? '',
        llm_provider: attrs.llm_provider ?? '',
        reasoning_effort: attrs.reasoning_effort || 'high',
        auto_status: optional(attrs, 'auto_status', parseBoolean) ?? false,
        allow_partial: optional(attrs, 'allow_partial', parseBoolean) ?? false,
        max_visits: Math.max(0, optional(attrs, 'max_visits', parseInteger) ?? 0)
    };
}

/** A copy of `node` with `changes` merged into its attributes. */
export function withNodeAttrs(node: PipelineNode, changes: Attrs): PipelineNode {
    return createNode(node.id, { ...node.attrs, ...changes }, node.subgraph_class);
}

export function createEdge(from: string, to: string, attrs: Attrs = {}): PipelineEdge {
    return {
        from,
        to,
        attrs,
        label: attrs.label ?? '',
        condition: (attrs.condition ?? '').trim(),
        weight: optional(attrs, 'weight', parseInteger) ?? 0,
        loop_restart: optional(attrs, 'loop_restart', parseBoolean) ?? false
    };
}

export function createGraph(id: string, attrs: Attrs, nodes: Iterable<PipelineNode>, edges: Iterable<PipelineEdge>): PipelineGraph {
    return {
        id,
        attrs,
        goal: attrs.goal ?? '',
        label: attrs.label ?? '',
        model_stylesheet: attrs.model_stylesheet ?? '',
        default_max_retries: optional(attrs, 'default_max_retries', parseInteger)
            ?? optional(attrs, 'default_max_retry', parseInteger) ?? 0,
        retry_target: attrs.retry_target ?? '',
        fallback_retry_target: attrs.fallback_retry_target ?? '',
        nodes: new Map([...nodes].map(n => [n.id, n])),
        edges: [...edges]
    };
}

/** A copy of `graph` whose nodes are mapped by `change` (edges and attributes kept). */
export function mapNodes(graph: PipelineGraph, change: (node: PipelineNode) => PipelineNode): PipelineGraph {
    return { ...graph, nodes: new Map([...graph.nodes.values()].map(n => [n.id, change(n)])) };
}

// Keyed by the edge array, so graphs that share their edges share the index and new edges get a new one.
const outgoingIndexes = new WeakMap<readonly PipelineEdge[], Map<string, PipelineEdge[]>>();

/** The edges leaving `nodeId`, in declaration order. */
export function outgoingEdges(graph: PipelineGraph, nodeId: string): readonly PipelineEdge[] {
    let index = outgoingIndexes.get(graph.edges);
    if (!index) {
        index = new Map();
        for (const edge of graph.edges) {
            const list = index.get(edge.from);
            if (list) {
                list.push(edge);
            } else {
                index.set(edge.from, [edge]);
            }
        }
        outgoingIndexes.set(graph.edges, index);
    }
    return index.get(nodeId) ?? [];
}

/**
 * The handler type a node asks for (§4.2): its explicit `type`, else its shape's. A node without a
 * written shape whose id marks it as the start or exit (`start`/`Start`, `exit`/`end`) asks for
 * `start`/`exit`, so it is not sent to the LLM; any other node asks for codergen.
 */
export function declaredHandlerType(node: PipelineNode): string {
    return node.type || shapeHandlerType(node);
}

export function shapeHandlerType(node: PipelineNode): string {
    if (node.attrs.shape === undefined) {
        return isStartNode(node) ? 'start' : isExitNode(node) ? 'exit' : 'codergen';
    }
    return SHAPE_TO_HANDLER_TYPE[node.shape] ?? 'codergen';
}

/** Start nodes as the lint rule counts them: shape=Mdiamond or id `start`/`Start`. */
export function isStartNode(node: PipelineNode): boolean {
    return node.shape === 'Mdiamond' || node.id === 'start' || node.id === 'Start';
}

/** Exit nodes: shape=Msquare or id `exit`/`end`. The engine stops at either kind (A.3 #14). */
export function isExitNode(node: PipelineNode): boolean {
    return node.shape === 'Msquare' || node.id === 'exit' || node.id === 'end';
}

/** The start node: the Mdiamond one, else the one with id `start`/`Start` (§3.2). */
export function findStartNode(graph: PipelineGraph): PipelineNode | undefined {
    const nodes = [...graph.nodes.values()];
    return nodes.find(n => n.shape === 'Mdiamond') ?? nodes.find(isStartNode);
}
