/**
 * The attribute catalog: every attribute a pipeline may write on the graph, a node or an edge — the
 * spec's Appendix A, what the handlers of §4 read (tool_command, human.default_choice, join_policy,
 * max_parallel, manager.*, stack.*), this engine's own (max_visits, human.timeout, the run budgets), and the Graphviz cosmetics people
 * write, which are accepted and ignored. The parser checks typed values against it, `attribute_known`
 * warns about keys it lacks, and editors take hover text and completions from it.
 */

export type AttributeTarget = 'graph' | 'node' | 'edge';

/**
 * The value's type: the §2.4 value types, `enum` (one of `values`), and strings with a meaning:
 * a node id, a handler type, a §10 condition, a §8 stylesheet.
 */
export type AttributeType =
    | 'string' | 'integer' | 'float' | 'boolean' | 'duration' | 'enum'
    | 'node_id' | 'handler_type' | 'condition' | 'stylesheet';

export interface AttributeInfo {
    readonly key: string;
    readonly on: AttributeTarget;
    readonly type: AttributeType;
    /** The default as the spec writes it, when it has one. */
    readonly default?: string;
    /** One or two sentences, from the spec where it defines the attribute. */
    readonly doc: string;
    /** The allowed values of an enum; suggestions for other types. */
    readonly values?: readonly string[];
    /** Where it is defined: a spec section (`§2.6`), `engine` for this engine's own, `graphviz` for cosmetics. */
    readonly source: string;
    /** Rendering only: accepted silently, ignored by the engine. */
    readonly cosmetic?: boolean;
}

/** Thrown when a typed attribute (Integer, Boolean, Duration) has a value of the wrong type. */
export class AttributeValueError extends Error {
    constructor(readonly key: string, readonly value: string, readonly expected: string) {
        super(`attribute ${key}="${value}" must be ${expected}`);
        this.name = 'AttributeValueError';
    }
}

const INTEGER = /^-?\d+$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)$/;
const DURATION = /^(-?\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseInteger(key: string, value: string): number {
    if (!INTEGER.test(value)) {
        throw new AttributeValueError(key, value, 'an integer');
    }
    return Number(value);
}

export function parseFloatValue(key: string, value: string): number {
    if (!FLOAT.test(value)) {
        throw new AttributeValueError(key, value, 'a number');
    }
    return Number(value);
}

export function parseBoolean(key: string, value: string): boolean {
    if (value !== 'true' && value !== 'false') {
        throw new AttributeValueError(key, value, 'true or false');
    }
    return value === 'true';
}

/** A Duration (§2.4) in milliseconds: `250ms`, `900s`, `15m`, `2h`, `1d`. */
export function parseDuration(key: string, value: string): number {
    const match = DURATION.exec(value);
    if (!match) {
        throw new AttributeValueError(key, value, 'a duration such as 250ms, 900s, 15m, 2h or 1d');
    }
    return Number(match[1]) * UNIT_MS[match[2]];
}

/** The value types the parser checks where they are written. */
const VALUE_PARSERS: Partial<Record<AttributeType, (key: string, value: string) => unknown>> = {
    integer: parseInteger,
    float: parseFloatValue,
    boolean: parseBoolean,
    duration: parseDuration
};

/** Shape → handler type (§2.8, Appendix B). */
export const SHAPE_TO_HANDLER_TYPE: Readonly<Record<string, string>> = {
    Mdiamond: 'start',
    Msquare: 'exit',
    box: 'codergen',
    hexagon: 'wait.human',
    diamond: 'conditional',
    component: 'parallel',
    tripleoctagon: 'parallel.fan_in',
    parallelogram: 'tool',
    house: 'stack.manager_loop'
};

/** Context fidelity modes (§5.4). */
export const FIDELITY_MODES: readonly string[] = ['full', 'truncate', 'compact', 'summary:low', 'summary:medium', 'summary:high'];

export const JOIN_POLICIES: readonly string[] = ['wait_all', 'first_success'];

/** The tools an LLM stage's node may list in `tools` (implemented by the crew's pi-ai backend). */
export const STAGE_TOOLS = ['read_file', 'list_files', 'write_file', 'shell'] as const;
export type StageToolName = typeof STAGE_TOOLS[number];

const SHAPES = Object.keys(SHAPE_TO_HANDLER_TYPE);
const BOOLEAN = ['true', 'false'];

type Entry = Omit<AttributeInfo, 'on'>;

function on(target: AttributeTarget, entries: readonly Entry[]): AttributeInfo[] {
    return entries.map(entry => ({ ...entry, on: target }));
}

function cosmetic(target: AttributeTarget, keys: string, values: Record<string, readonly string[]> = {}): AttributeInfo[] {
    return keys.split(' ').map(key => ({
        key, on: target, type: values[key] ? 'enum' : 'string', doc: 'Graphviz rendering only; the pipeline engine ignores it.',
        ...(values[key] && { values: values[key] }), source: 'graphviz', cosmetic: true
    }));
}

const GRAPH: readonly Entry[] = [
    { key: 'goal', type: 'string', default: '', source: '§2.5', doc: 'Human-readable goal for the pipeline. Exposed as `$goal` in prompts and mirrored into the run context as `graph.goal`.' },
    { key: 'label', type: 'string', default: '', source: '§2.5', doc: 'Display name for the graph (used in visualization).' },
    { key: 'model_stylesheet', type: 'stylesheet', default: '', source: '§8', doc: 'CSS-like stylesheet giving nodes their `llm_model`, `llm_provider` and `reasoning_effort` (selectors `*`, shape, `.class`, `#id`).' },
    { key: 'default_max_retries', type: 'integer', default: '0', source: '§2.5', doc: 'Default additional retries for nodes that omit `max_retries`.' },
    { key: 'default_max_retry', type: 'integer', default: '0', source: '§2.5', doc: 'Legacy alias of `default_max_retries`; `default_max_retries` wins when both are written.' },
    { key: 'retry_target', type: 'node_id', default: '', source: '§3.4', doc: 'Node to jump to when the exit is reached with unsatisfied goal gates.' },
    { key: 'fallback_retry_target', type: 'node_id', default: '', source: '§3.4', doc: 'Secondary jump target if `retry_target` is missing or invalid.' },
    { key: 'default_fidelity', type: 'enum', values: FIDELITY_MODES, default: '', source: '§5.4', doc: 'Default context fidelity mode; empty means unset, and the runtime fallback is `compact`.' },
    { key: 'default_thread_id', type: 'string', default: '', source: '§5.4', doc: 'The graph-level default thread: under `full` fidelity, nodes without a `thread_id` of their own or on their incoming edge share this LLM session.' },
    { key: 'max_tokens', type: 'integer', source: 'engine', doc: "The run's token budget: once its LLM stages have used more tokens than this (counted across resumes), the run stops as a FAIL, resumable with a larger budget. `fspec pipeline run --max-tokens` overrides it." },
    { key: 'max_cost', type: 'float', source: 'engine', doc: "The run's cost budget in USD, as pi-ai prices the models: once its LLM stages cost more, the run stops as a FAIL. `--max-cost` overrides it." },
    { key: 'max_wall_time', type: 'duration', source: 'engine', doc: 'How long one run (or one resumed part of it) may take, e.g. `30m`; then it stops as a FAIL, resumable. `--max-wall-time` overrides it.' },
    { key: 'stack.child_dotfile', type: 'string', default: '', source: '§4.11', doc: 'Path to the child DOT file a manager loop (house) node supervises.' },
    { key: 'stack.child_workdir', type: 'string', source: '§4.11', doc: 'Working directory of the supervised child run; defaults to the current directory.' },
    { key: 'tool_hooks.pre', type: 'string', default: '', source: '§9.7', doc: 'Shell command run before each LLM tool call; a non-zero exit skips the call.' },
    { key: 'tool_hooks.post', type: 'string', default: '', source: '§9.7', doc: 'Shell command run after each LLM tool call, for logging and auditing.' },
    { key: 'tool_env', type: 'string', default: '', source: 'engine', doc: "Comma-separated names of the engine's environment variables that tool stages, the `shell` tool and tool hooks get too. Besides these they get only PATH, HOME, LANG, LC_*, TMPDIR, TZ, TERM, USER, LOGNAME, SHELL and their `ATTRACTOR_*` values: never the engine's API keys." }
];

const NODE: readonly Entry[] = [
    { key: 'label', type: 'string', source: '§2.6', doc: 'Display name shown in UI, prompts and telemetry; defaults to the node id. An LLM node without a prompt sends its label.' },
    { key: 'shape', type: 'enum', values: SHAPES, default: 'box', source: '§2.8', doc: 'Graphviz shape; it picks the handler unless `type` is set (Mdiamond start, Msquare exit, box LLM task, hexagon human gate, diamond conditional, component parallel, tripleoctagon fan-in, parallelogram tool, house manager loop).' },
    { key: 'type', type: 'handler_type', default: '', source: '§2.6', doc: 'Explicit handler type; takes precedence over the shape.' },
    { key: 'prompt', type: 'string', default: '', source: '§2.6', doc: 'Primary instruction for the stage; `$goal` expands to the graph goal. LLM stages fall back to the label when it is empty.' },
    { key: 'max_retries', type: 'integer', source: '§2.6', doc: 'Additional attempts beyond the first execution (`max_retries=3` means up to 4); inherits the graph `default_max_retries` when omitted.' },
    { key: 'goal_gate', type: 'boolean', values: BOOLEAN, default: 'false', source: '§3.4', doc: 'If true, this node must reach SUCCESS or PARTIAL_SUCCESS before the pipeline may exit.' },
    { key: 'retry_target', type: 'node_id', default: '', source: '§2.6', doc: 'Node to jump to if this node fails and its retries are exhausted.' },
    { key: 'fallback_retry_target', type: 'node_id', default: '', source: '§2.6', doc: 'Secondary retry target.' },
    { key: 'fidelity', type: 'enum', values: FIDELITY_MODES, source: '§5.4', doc: "Context fidelity mode for this node's LLM session; inherits the graph `default_fidelity`." },
    { key: 'thread_id', type: 'string', source: '§5.4', doc: 'Explicit thread identifier for LLM session reuse under `full` fidelity.' },
    { key: 'class', type: 'string', default: '', source: '§2.12', doc: 'Comma-separated class names for model stylesheet targeting (`.name` selectors).' },
    { key: 'timeout', type: 'duration', source: '§2.6', doc: 'Maximum execution time for this node, e.g. `900s`, `15m`.' },
    { key: 'llm_model', type: 'string', source: '§8.4', doc: 'LLM model identifier; overridable by the stylesheet, which never overrides a written value.' },
    { key: 'llm_provider', type: 'string', source: '§8.4', doc: 'LLM provider key; auto-detected from the model if unset.' },
    { key: 'reasoning_effort', type: 'enum', values: ['low', 'medium', 'high'], default: 'high', source: '§2.6', doc: 'LLM reasoning effort.' },
    { key: 'auto_status', type: 'boolean', values: BOOLEAN, default: 'false', source: '§2.6', doc: 'If true and the handler writes no status, the engine records SUCCESS.' },
    { key: 'allow_partial', type: 'boolean', values: BOOLEAN, default: 'false', source: '§2.6', doc: 'Accept PARTIAL_SUCCESS when retries are exhausted instead of failing.' },
    { key: 'tool_command', type: 'string', source: '§4.10', doc: 'Shell command a tool (parallelogram) node runs; its stdout becomes `tool.output`.' },
    { key: 'human.default_choice', type: 'string', source: '§4.6', doc: 'The option a human gate takes when the question times out: a target node id, accelerator key or label. Without it a timeout retries.' },
    { key: 'human.timeout', type: 'duration', source: 'engine', doc: 'How long a human gate (wait.human) waits for an answer, e.g. `30m`; then it takes `human.default_choice`, or without one retries (a FAIL once retries are exhausted). Absent means it waits until answered or cancelled.' },
    { key: 'join_policy', type: 'enum', values: JOIN_POLICIES, default: 'wait_all', source: '§4.8', doc: 'How a parallel (component) node joins its branches: `wait_all` (every branch completes) or `first_success`.' },
    { key: 'max_parallel', type: 'integer', default: '4', source: '§4.8', doc: 'How many branches of a parallel node run at once.' },
    { key: 'max_visits', type: 'integer', default: '0', source: 'engine', doc: 'The most times a run may enter this node; 0 or absent means unlimited.' },
    { key: 'manager.poll_interval', type: 'duration', default: '45s', source: '§4.11', doc: 'How long a manager loop (house) node waits between observation cycles.' },
    { key: 'manager.max_cycles', type: 'integer', default: '1000', source: '§4.11', doc: 'Observation cycles a manager loop node runs before it fails.' },
    { key: 'manager.stop_condition', type: 'condition', default: '', source: '§4.11', doc: 'A §10 condition that ends the manager loop with SUCCESS when it holds.' },
    { key: 'manager.actions', type: 'string', default: 'observe,wait', values: ['observe,wait', 'observe,steer,wait'], source: '§4.11', doc: 'Comma-separated actions of each manager cycle: observe, steer, wait.' },
    { key: 'stack.child_autostart', type: 'boolean', values: BOOLEAN, default: 'true', source: '§4.11', doc: 'Whether the manager loop starts the child pipeline itself.' },
    { key: 'tools', type: 'string', default: '', values: [...STAGE_TOOLS, 'read_file,list_files', 'read_file,list_files,write_file'], source: 'engine', doc: "Comma-separated tools this LLM stage's model may call, in the run's working directory: `read_file`, `list_files`, `write_file`, `shell`. None by default. Each call runs between the `tool_hooks`." },
    { key: 'tool_hooks.pre', type: 'string', default: '', source: '§9.7', doc: "Shell command run before each of this node's LLM tool calls; a non-zero exit skips the call." },
    { key: 'tool_hooks.post', type: 'string', default: '', source: '§9.7', doc: "Shell command run after each of this node's LLM tool calls." }
];

const EDGE: readonly Entry[] = [
    { key: 'label', type: 'string', default: '', source: '§2.7', doc: "Caption and routing key: matched against the outcome's preferred label, and a human gate's option text (`[K] Label` sets the key)." },
    { key: 'condition', type: 'condition', default: '', source: '§10', doc: 'Boolean guard: clauses `key=value`, `key!=value` or `key` joined by `&&`, over `outcome`, `preferred_label` and `context.*`.' },
    { key: 'weight', type: 'integer', default: '0', source: '§3.3', doc: 'Priority among equally eligible edges; higher wins.' },
    { key: 'fidelity', type: 'enum', values: FIDELITY_MODES, source: '§5.4', doc: 'Fidelity mode for the target node; highest precedence in fidelity resolution.' },
    { key: 'thread_id', type: 'string', source: '§5.4', doc: 'Thread id for session reuse at the target node.' },
    { key: 'loop_restart', type: 'boolean', values: BOOLEAN, default: 'false', source: '§2.7', doc: 'When true, taking this edge ends the run and starts it again with a fresh log directory.' }
];

const RANKDIR = { rankdir: ['TB', 'LR', 'BT', 'RL'] };

export const ATTRIBUTES: readonly AttributeInfo[] = [
    ...on('graph', GRAPH),
    ...on('node', NODE),
    ...on('edge', EDGE),
    ...cosmetic('graph', 'rankdir bgcolor color fillcolor style fontname fontsize fontcolor labelloc labeljust nodesep ranksep splines compound concentrate newrank ordering pad margin size ratio dpi center tooltip', RANKDIR),
    ...cosmetic('node', 'color fillcolor style fontname fontsize fontcolor width height fixedsize penwidth peripheries margin tooltip xlabel group URL href target image'),
    ...cosmetic('edge', 'color style fontname fontsize fontcolor penwidth arrowhead arrowtail arrowsize dir constraint minlen headlabel taillabel xlabel tooltip lhead ltail decorate URL href target')
];

const BY_TARGET = new Map<AttributeTarget, Map<string, AttributeInfo>>(
    (['graph', 'node', 'edge'] as const).map(target => [target, new Map(ATTRIBUTES.filter(a => a.on === target).map(a => [a.key, a]))])
);

/** The catalog entry for `key` on `target`; `extra` (attributes custom handlers read) is searched first. */
export function findAttribute(target: AttributeTarget, key: string, extra: readonly AttributeInfo[] = []): AttributeInfo | undefined {
    return extra.find(a => a.on === target && a.key === key) ?? BY_TARGET.get(target)!.get(key);
}

/** Every attribute known on `target`, the catalog's then `extra`'s. */
export function attributesOn(target: AttributeTarget, extra: readonly AttributeInfo[] = []): AttributeInfo[] {
    const own = extra.filter(a => a.on === target);
    return [...[...BY_TARGET.get(target)!.values()].filter(a => !own.some(o => o.key === a.key)), ...own];
}

/** Throws an AttributeValueError when a typed attribute of `target` has an invalid value. */
export function checkAttributeValue(target: AttributeTarget, key: string, value: string, extra: readonly AttributeInfo[] = []): void {
    const info = findAttribute(target, key, extra);
    if (info) {
        VALUE_PARSERS[info.type]?.(key, value);
    }
}

/** Edit distance counting an insertion, deletion, substitution or swap of neighbours as one edit (`gaol` → `goal`: 1). */
export function editDistance(a: string, b: string): number {
    let before: number[] = [];
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                current[j] = Math.min(current[j], before[j - 2] + 1);
            }
        }
        before = previous;
        previous = current;
    }
    return previous[b.length];
}

/**
 * The known key of `target` closest to `key`, when it is close: within a third of the key's length
 * (at least 1, at most 3 edits), case ignored. Ties go to the catalog's order.
 */
export function nearestAttribute(target: AttributeTarget, key: string, extra: readonly AttributeInfo[] = []): string | undefined {
    const wanted = key.toLowerCase();
    const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
    let best: { key: string; distance: number } | undefined;
    for (const candidate of attributesOn(target, extra)) {
        const distance = editDistance(candidate.key.toLowerCase(), wanted);
        if (distance <= limit && (!best || distance < best.distance)) {
            best = { key: candidate.key, distance };
        }
    }
    return best?.key;
}
