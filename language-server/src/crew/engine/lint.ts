/** Validation (§7): the built-in lint rules, custom rules, and the gate the runner applies before a run. */
import { FIDELITY_MODES, findAttribute, nearestAttribute, STAGE_TOOLS, type AttributeInfo, type AttributeTarget } from './attributes.js';
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
import type { Range } from './source-map.js';
import { parseStylesheet } from './stylesheet.js';

export { FIDELITY_MODES } from './attributes.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
    readonly rule: string;
    readonly severity: Severity;
    readonly message: string;
    readonly node_id?: string;
    readonly edge?: { readonly from: string; readonly to: string };
    /** Which of `graph.edges` it concerns, when `edge` alone is ambiguous (the same from→to twice). */
    readonly edge_index?: number;
    /** The attribute it concerns, on its edge, else its node, else the graph. */
    readonly attribute?: string;
    /** Whether the attribute's key or (the default) its value is at fault. */
    readonly attribute_part?: 'key' | 'value';
    readonly fix?: string;
    /** Where the parser found it in the text; lint rules leave it to locateDiagnostic. */
    readonly range?: Range;
}

export interface LintRule {
    readonly name: string;
    apply(graph: PipelineGraph, context: LintContext): Diagnostic[];
}

export interface LintContext {
    /** Handler types the registry knows, for `type_known`. */
    readonly handlerTypes: ReadonlySet<string>;
    /** Attributes custom handlers read, known to `attribute_known` besides the catalog's. */
    readonly attributes: readonly AttributeInfo[];
}

/** The handler types of the default registry. */
export const BUILT_IN_HANDLER_TYPES: readonly string[] = ['start', 'exit', 'codergen', 'conditional', 'wait.human', 'tool', 'parallel', 'parallel.fan_in', 'stack.manager_loop'];

function edgeRef(edge: PipelineEdge, index: number): { edge: { from: string; to: string }; edge_index: number } {
    return { edge: { from: edge.from, to: edge.to }, edge_index: index };
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

/** Whether `from` reaches `to` along edges (a path of length 0 counts). */
function reaches(graph: PipelineGraph, from: string, to: string): boolean {
    const seen = new Set([from]);
    const queue = [from];
    while (queue.length > 0) {
        const id = queue.shift()!;
        if (id === to) {
            return true;
        }
        for (const edge of outgoingEdges(graph, id)) {
            if (!seen.has(edge.to)) {
                seen.add(edge.to);
                queue.push(edge.to);
            }
        }
    }
    return false;
}

/** `attribute_known` for one graph, node or edge: the keys that neither the catalog nor `known` has. */
function unknownAttributes(attrs: Readonly<Record<string, string>>, on: AttributeTarget, known: readonly AttributeInfo[], where: Partial<Diagnostic>): Diagnostic[] {
    return Object.keys(attrs).filter(key => !findAttribute(on, key, known)).map(key => {
        const elsewhere = (['graph', 'node', 'edge'] as const).filter(other => other !== on && findAttribute(other, key, known));
        const nearest = nearestAttribute(on, key, known);
        const hint = nearest ? `; did you mean "${nearest}"?` : elsewhere.length > 0 ? `; it is ${article(elsewhere[0])} ${elsewhere.join(' and ')} attribute` : '';
        return {
            rule: 'attribute_known', severity: 'warning', message: `unknown ${on} attribute "${key}"${hint}`, ...where,
            attribute: key, attribute_part: 'key', ...(nearest && { fix: `rename it to ${nearest}` })
        };
    });
}

function article(word: string): string {
    return /^[aeiou]/.test(word) ? 'an' : 'a';
}

export const BUILT_IN_RULES: readonly LintRule[] = [
    exactlyOne('start_node', 'start node', isStartNode, 'keep exactly one node with shape=Mdiamond (or id start/Start)'),
    exactlyOne('terminal_node', 'exit node', isExitNode, 'keep exactly one node with shape=Msquare (or id exit/end)'),
    rule('start_no_incoming', graph => graph.edges.flatMap((e, i) => {
        const to = graph.nodes.get(e.to);
        return to !== undefined && isStartNode(to)
            ? [{ rule: 'start_no_incoming', severity: 'error' as const, message: `the start node ${e.to} has an incoming edge from ${e.from}`, node_id: e.to, ...edgeRef(e, i) }]
            : [];
    })),
    rule('exit_no_outgoing', graph => graph.edges.flatMap((e, i) => {
        const from = graph.nodes.get(e.from);
        return from !== undefined && isExitNode(from)
            ? [{ rule: 'exit_no_outgoing', severity: 'error' as const, message: `the exit node ${e.from} has an outgoing edge to ${e.to}`, node_id: e.from, ...edgeRef(e, i) }]
            : [];
    })),
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
    rule('edge_target_exists', graph => graph.edges.flatMap((e, i) => [e.from, e.to]
        .filter(id => !graph.nodes.has(id))
        .map(id => ({ rule: 'edge_target_exists', severity: 'error' as const, message: `edge ${e.from} -> ${e.to} names the unknown node ${id}`, ...edgeRef(e, i) })))),
    rule('condition_syntax', graph => graph.edges.flatMap((e, i) => {
        try {
            parseCondition(e.condition);
            return [];
        } catch (error) {
            return [{ rule: 'condition_syntax', severity: 'error' as const, message: (error as Error).message, attribute: 'condition', ...edgeRef(e, i) }];
        }
    })),
    rule('stylesheet_syntax', graph => {
        try {
            parseStylesheet(graph.model_stylesheet);
            return [];
        } catch (error) {
            return [{ rule: 'stylesheet_syntax', severity: 'error', message: (error as Error).message, attribute: 'model_stylesheet' }];
        }
    }),
    rule('type_known', (graph, { handlerTypes }) => [...graph.nodes.values()]
        .filter(n => !handlerTypes.has(declaredHandlerType(n)))
        .map(n => ({
            rule: 'type_known', severity: 'warning', node_id: n.id,
            ...(n.type ? { attribute: 'type' } : n.attrs.shape !== undefined ? { attribute: 'shape' } : {}),
            message: `node ${n.id} asks for handler type "${declaredHandlerType(n)}", which is not registered; it will run the default (codergen) handler`
        }))),
    rule('fidelity_valid', graph => {
        const invalid = (value: string | undefined) => value !== undefined && value !== '' && !FIDELITY_MODES.includes(value);
        const diagnostics: Diagnostic[] = [];
        const message = (where: string, value: string) => `${where} has fidelity "${value}"; expected one of ${FIDELITY_MODES.join(', ')}`;
        if (invalid(graph.attrs.default_fidelity)) {
            diagnostics.push({ rule: 'fidelity_valid', severity: 'warning', message: message('the graph', graph.attrs.default_fidelity), attribute: 'default_fidelity' });
        }
        for (const n of graph.nodes.values()) {
            if (invalid(n.attrs.fidelity)) {
                diagnostics.push({ rule: 'fidelity_valid', severity: 'warning', message: message(`node ${n.id}`, n.attrs.fidelity), node_id: n.id, attribute: 'fidelity' });
            }
        }
        graph.edges.forEach((e, i) => {
            if (invalid(e.attrs.fidelity)) {
                diagnostics.push({ rule: 'fidelity_valid', severity: 'warning', message: message(`edge ${e.from} -> ${e.to}`, e.attrs.fidelity), attribute: 'fidelity', ...edgeRef(e, i) });
            }
        });
        return diagnostics;
    }),
    rule('retry_target_exists', graph => {
        const owners: { name: string; node_id?: string; attrs: Readonly<Record<string, string>> }[] = [
            { name: 'the graph', attrs: graph.attrs },
            ...[...graph.nodes.values()].map(n => ({ name: `node ${n.id}`, node_id: n.id, attrs: n.attrs }))
        ];
        return owners.flatMap(({ name, node_id, attrs }) => (['retry_target', 'fallback_retry_target'] as const)
            .filter(key => (attrs[key] ?? '') !== '' && !graph.nodes.has(attrs[key]))
            .map(key => ({
                rule: 'retry_target_exists', severity: 'warning' as const, message: `${name} has the retry target ${attrs[key]}, which is not a node`,
                ...(node_id !== undefined && { node_id }), attribute: key
            })));
    }),
    rule('goal_gate_has_retry', graph => [...graph.nodes.values()]
        .filter(n => n.goal_gate && !n.retry_target && !n.fallback_retry_target && !graph.retry_target && !graph.fallback_retry_target)
        .map(n => ({
            rule: 'goal_gate_has_retry', severity: 'warning', node_id: n.id, attribute: 'goal_gate',
            message: `goal gate ${n.id} has no retry_target: if it is unsatisfied at the exit, the run fails`
        }))),
    // A.3 #7: §11.2 asks for a non-empty prompt; without one the label is sent (§4.5).
    rule('prompt_on_llm_nodes', graph => [...graph.nodes.values()]
        .filter(n => declaredHandlerType(n) === 'codergen' && n.prompt === '')
        .map(n => ({
            rule: 'prompt_on_llm_nodes', severity: 'warning', node_id: n.id, attribute: 'prompt',
            message: `LLM node ${n.id} has no prompt; its label "${n.label}" will be sent instead`
        }))),
    // Beyond §7.2: `tools` names a tool the LLM stage cannot have; the run would fail at that stage.
    rule('tools_known', graph => [...graph.nodes.values()].flatMap(n => {
        const unknown = (n.attrs.tools ?? '').split(',').map(name => name.trim()).filter(name => name !== '' && !(STAGE_TOOLS as readonly string[]).includes(name));
        return unknown.length ? [{
            rule: 'tools_known', severity: 'error' as const, node_id: n.id, attribute: 'tools',
            message: `node ${n.id} lists unknown tools (${unknown.join(', ')}); the tools are ${STAGE_TOOLS.join(', ')}`
        }] : [];
    })),
    // Beyond §7.2: a key no handler reads is most likely a typo (Graphviz's cosmetics are known).
    rule('attribute_known', (graph, { attributes }) => [
        ...unknownAttributes(graph.attrs, 'graph', attributes, {}),
        ...[...graph.nodes.values()].flatMap(n => unknownAttributes(n.attrs, 'node', attributes, { node_id: n.id })),
        ...graph.edges.flatMap((e, i) => unknownAttributes(e.attrs, 'edge', attributes, edgeRef(e, i)))
    ]),
    // Beyond §7.2: a human gate whose first option (§4.6: outgoing edges in order) leads back to a node
    // that reaches the gate loops when nobody answers: auto-approve and unmatched answers take it.
    rule('human_gate_first_option_back_edge', graph => [...graph.nodes.values()]
        .filter(n => declaredHandlerType(n) === 'wait.human')
        .flatMap(n => {
            const first = outgoingEdges(graph, n.id)[0];
            if (!first || !reaches(graph, first.to, n.id)) {
                return [];
            }
            const forward = outgoingEdges(graph, n.id).find(e => !reaches(graph, e.to, n.id));
            return [{
                rule: 'human_gate_first_option_back_edge', severity: 'warning' as const, node_id: n.id, ...edgeRef(first, graph.edges.indexOf(first)),
                message: `the first option of human gate ${n.id}, "${first.label || first.to}", leads back to ${first.to}, which reaches ${n.id} again: auto-approve and an answer matching no option take the first option, so the run would loop`,
                fix: forward ? `declare the edge ${n.id} -> ${forward.to} first` : `give ${n.id} an option that goes forward and declare it first`
            }];
        }))
];

export interface ValidateOptions {
    /** Appended to the built-in rules (§7.4). */
    readonly extraRules?: readonly LintRule[];
    /** Defaults to BUILT_IN_HANDLER_TYPES. */
    readonly handlerTypes?: Iterable<string>;
    /** Attributes custom handlers read, beyond the catalog (ATTRIBUTES), for `attribute_known`. */
    readonly attributes?: readonly AttributeInfo[];
}

export function validate(graph: PipelineGraph, options: ValidateOptions = {}): Diagnostic[] {
    const context: LintContext = { handlerTypes: new Set(options.handlerTypes ?? BUILT_IN_HANDLER_TYPES), attributes: options.attributes ?? [] };
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
