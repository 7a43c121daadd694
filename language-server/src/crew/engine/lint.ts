/** Validation (§7): the built-in lint rules, custom rules, and the gate the runner applies before a run. */
import { parseCondition } from './conditions.js';
import {
    declaredHandlerType,
    isExitNode,
    isStartNode,
    outgoingEdges,
    type PipelineEdge,
    type PipelineGraph,
    type PipelineNode
} from './pipeline-graph.js';
import { parseStylesheet } from './stylesheet.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
    readonly rule: string;
    readonly severity: Severity;
    readonly message: string;
    readonly node_id?: string;
    readonly edge?: { readonly from: string; readonly to: string };
    readonly fix?: string;
}

export interface LintRule {
    readonly name: string;
    apply(graph: PipelineGraph, context: LintContext): Diagnostic[];
}

export interface LintContext {
    /** Handler types the registry knows, for `type_known`. */
    readonly handlerTypes: ReadonlySet<string>;
}

export const FIDELITY_MODES = ['full', 'truncate', 'compact', 'summary:low', 'summary:medium', 'summary:high'];

/** The handler types of the default registry. */
export const BUILT_IN_HANDLER_TYPES: readonly string[] = ['start', 'exit', 'codergen', 'conditional', 'wait.human', 'tool', 'parallel', 'parallel.fan_in'];

function edgeRef(edge: PipelineEdge): { from: string; to: string } {
    return { from: edge.from, to: edge.to };
}

function rule(name: string, apply: (graph: PipelineGraph, context: LintContext) => Diagnostic[]): LintRule {
    return { name, apply };
}

function exactlyOne(name: string, what: string, test: (node: PipelineNode) => boolean, fix: string): LintRule {
    return rule(name, graph => {
        const found = [...graph.nodes.values()].filter(test);
        if (found.length === 1) {
            return [];
        }
        const message = found.length === 0
            ? `the pipeline has no ${what}`
            : `the pipeline has ${found.length} ${what}s (${found.map(n => n.id).join(', ')}); it needs exactly one`;
        return [{ rule: name, severity: 'error', message, fix }];
    });
}

/** Nodes reachable from `startIds` along edges and retry targets (a jump the engine can take). */
function reachableFrom(graph: PipelineGraph, startIds: readonly string[]): Set<string> {
    const seen = new Set(startIds);
    const queue = [...startIds, ...[graph.retry_target, graph.fallback_retry_target].filter(id => graph.nodes.has(id))];
    while (queue.length > 0) {
        const id = queue.shift()!;
        seen.add(id);
        const node = graph.nodes.get(id);
        const next = [...outgoingEdges(graph, id).map(e => e.to), node?.retry_target ?? '', node?.fallback_retry_target ?? ''];
        for (const to of next) {
            if (to !== '' && !seen.has(to)) {
                seen.add(to);
                queue.push(to);
            }
        }
    }
    return seen;
}

export const BUILT_IN_RULES: readonly LintRule[] = [
    exactlyOne('start_node', 'start node', isStartNode, 'keep exactly one node with shape=Mdiamond (or id start/Start)'),
    exactlyOne('terminal_node', 'exit node', isExitNode, 'keep exactly one node with shape=Msquare (or id exit/end)'),
    rule('start_no_incoming', graph => graph.edges
        .filter(e => { const to = graph.nodes.get(e.to); return to !== undefined && isStartNode(to); })
        .map(e => ({ rule: 'start_no_incoming', severity: 'error', message: `the start node ${e.to} has an incoming edge from ${e.from}`, node_id: e.to, edge: edgeRef(e) }))),
    rule('exit_no_outgoing', graph => graph.edges
        .filter(e => { const from = graph.nodes.get(e.from); return from !== undefined && isExitNode(from); })
        .map(e => ({ rule: 'exit_no_outgoing', severity: 'error', message: `the exit node ${e.from} has an outgoing edge to ${e.to}`, node_id: e.from, edge: edgeRef(e) }))),
    // A.3 #1: an unreachable node is an ERROR, as §7.2 says (the parity matrix says warning).
    // Graph-level retry targets only matter once the start node has run, so they count as reachable.
    rule('reachability', graph => {
        const starts = [...graph.nodes.values()].filter(isStartNode).map(n => n.id);
        if (starts.length === 0) {
            return [];
        }
        const reached = reachableFrom(graph, starts);
        return [...graph.nodes.keys()].filter(id => !reached.has(id)).map(id => ({
            rule: 'reachability', severity: 'error', message: `node ${id} cannot be reached from the start node`, node_id: id,
            fix: `add an edge into ${id} or remove it`
        }));
    }),
    rule('edge_target_exists', graph => graph.edges.flatMap(e => [e.from, e.to]
        .filter(id => !graph.nodes.has(id))
        .map(id => ({ rule: 'edge_target_exists', severity: 'error' as const, message: `edge ${e.from} -> ${e.to} names the unknown node ${id}`, edge: edgeRef(e) })))),
    rule('condition_syntax', graph => graph.edges.flatMap(e => {
        try {
            parseCondition(e.condition);
            return [];
        } catch (error) {
            return [{ rule: 'condition_syntax', severity: 'error' as const, message: (error as Error).message, edge: edgeRef(e) }];
        }
    })),
    rule('stylesheet_syntax', graph => {
        try {
            parseStylesheet(graph.model_stylesheet);
            return [];
        } catch (error) {
            return [{ rule: 'stylesheet_syntax', severity: 'error', message: (error as Error).message }];
        }
    }),
    rule('type_known', (graph, { handlerTypes }) => [...graph.nodes.values()]
        .filter(n => !handlerTypes.has(declaredHandlerType(n)))
        .map(n => ({
            rule: 'type_known', severity: 'warning', node_id: n.id,
            message: `node ${n.id} asks for handler type "${declaredHandlerType(n)}", which is not registered; it will run the default (codergen) handler`
        }))),
    rule('fidelity_valid', graph => {
        const invalid = (value: string | undefined) => value !== undefined && value !== '' && !FIDELITY_MODES.includes(value);
        const diagnostics: Diagnostic[] = [];
        const message = (where: string, value: string) => `${where} has fidelity "${value}"; expected one of ${FIDELITY_MODES.join(', ')}`;
        if (invalid(graph.attrs.default_fidelity)) {
            diagnostics.push({ rule: 'fidelity_valid', severity: 'warning', message: message('the graph', graph.attrs.default_fidelity) });
        }
        for (const n of graph.nodes.values()) {
            if (invalid(n.attrs.fidelity)) {
                diagnostics.push({ rule: 'fidelity_valid', severity: 'warning', message: message(`node ${n.id}`, n.attrs.fidelity), node_id: n.id });
            }
        }
        for (const e of graph.edges) {
            if (invalid(e.attrs.fidelity)) {
                diagnostics.push({ rule: 'fidelity_valid', severity: 'warning', message: message(`edge ${e.from} -> ${e.to}`, e.attrs.fidelity), edge: edgeRef(e) });
            }
        }
        return diagnostics;
    }),
    rule('retry_target_exists', graph => {
        const owners: { name: string; node_id?: string; targets: string[] }[] = [
            { name: 'the graph', targets: [graph.retry_target, graph.fallback_retry_target] },
            ...[...graph.nodes.values()].map(n => ({ name: `node ${n.id}`, node_id: n.id, targets: [n.retry_target, n.fallback_retry_target] }))
        ];
        return owners.flatMap(({ name, node_id, targets }) => targets
            .filter(t => t !== '' && !graph.nodes.has(t))
            .map(t => ({ rule: 'retry_target_exists', severity: 'warning' as const, message: `${name} has the retry target ${t}, which is not a node`, node_id })));
    }),
    rule('goal_gate_has_retry', graph => [...graph.nodes.values()]
        .filter(n => n.goal_gate && !n.retry_target && !n.fallback_retry_target && !graph.retry_target && !graph.fallback_retry_target)
        .map(n => ({
            rule: 'goal_gate_has_retry', severity: 'warning', node_id: n.id,
            message: `goal gate ${n.id} has no retry_target: if it is unsatisfied at the exit, the run fails`
        }))),
    // A.3 #7: §11.2 asks for a non-empty prompt; without one the label is sent (§4.5).
    rule('prompt_on_llm_nodes', graph => [...graph.nodes.values()]
        .filter(n => declaredHandlerType(n) === 'codergen' && n.prompt === '')
        .map(n => ({
            rule: 'prompt_on_llm_nodes', severity: 'warning', node_id: n.id,
            message: `LLM node ${n.id} has no prompt; its label "${n.label}" will be sent instead`
        })))
];

export interface ValidateOptions {
    /** Appended to the built-in rules (§7.4). */
    readonly extraRules?: readonly LintRule[];
    /** Defaults to BUILT_IN_HANDLER_TYPES. */
    readonly handlerTypes?: Iterable<string>;
}

export function validate(graph: PipelineGraph, options: ValidateOptions = {}): Diagnostic[] {
    const context: LintContext = { handlerTypes: new Set(options.handlerTypes ?? BUILT_IN_HANDLER_TYPES) };
    return [...BUILT_IN_RULES, ...(options.extraRules ?? [])].flatMap(r => r.apply(graph, context));
}

export class ValidationError extends Error {
    constructor(readonly diagnostics: readonly Diagnostic[]) {
        const errors = diagnostics.filter(d => d.severity === 'error');
        super(`the pipeline is invalid:\n${errors.map(d => `  [${d.rule}] ${d.message}`).join('\n')}`);
        this.name = 'ValidationError';
    }
}

/** The diagnostics, or a ValidationError when any is an error. */
export function validateOrRaise(graph: PipelineGraph, options: ValidateOptions = {}): Diagnostic[] {
    const diagnostics = validate(graph, options);
    if (diagnostics.some(d => d.severity === 'error')) {
        throw new ValidationError(diagnostics);
    }
    return diagnostics;
}
