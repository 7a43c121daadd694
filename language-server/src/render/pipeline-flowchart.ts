/**
 * An Attractor pipeline as a Mermaid flowchart: one node per pipeline node, drawn in the form of its
 * handler (start and exit circles, a rhombus for a conditional, a hexagon for a human gate, a
 * parallelogram for a tool, …), one edge per pipeline edge with its label and condition, and — for a
 * run — classes marking the nodes completed, failed and running now. `nodeRanges` maps each diagram
 * node to its node's id in the DOT text, for click-to-source and cursor-to-node. Pure.
 */
import { declaredHandlerType, type DotSourceMap, type PipelineGraph } from '../crew/engine/index.js';
import type { Diagram } from './diagram.js';
import { DiagramIds, quoted } from './mermaid-text.js';

/** Where a run is: node ids. */
export interface PipelineRun {
    readonly current?: string;
    readonly completed: readonly string[];
    readonly failed: readonly string[];
}

/** Mermaid brackets per handler type; the default (codergen and unknown types) is a box. */
const HANDLER_FORMS: Readonly<Record<string, readonly [string, string]>> = {
    start: ['((', '))'],
    exit: ['(((', ')))'],
    conditional: ['{', '}'],
    'wait.human': ['{{', '}}'],
    tool: ['[/', '/]'],
    parallel: ['[[', ']]'],
    'parallel.fan_in': ['[\\', '/]'],
    'stack.manager_loop': ['[/', '\\]']
};
const BOX: readonly [string, string] = ['[', ']'];

/** The run's classes; later ones win when a node has several (a failed node visited again is running). */
export const RUN_CLASSES = {
    completed: 'fill:#dafbe1,stroke:#1a7f37,stroke-width:2px',
    failed: 'fill:#ffebe9,stroke:#cf222e,stroke-width:2px',
    current: 'fill:#fff8c5,stroke:#9a6700,stroke-width:4px'
} as const;

const DIRECTIONS: Readonly<Record<string, string>> = { TB: 'TD', TD: 'TD', LR: 'LR', BT: 'BT', RL: 'RL' };
const MAX_LABEL = 80;

function shortened(text: string): string {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > MAX_LABEL ? `${line.slice(0, MAX_LABEL - 1)}…` : line;
}

export function renderPipelineFlowchart(graph: PipelineGraph, sourceMap: DotSourceMap, run?: PipelineRun): Diagram {
    const direction = DIRECTIONS[(graph.attrs.rankdir ?? '').toUpperCase()] ?? 'TD';
    const nodes = [...graph.nodes.values()];
    const keys = new Set([...nodes.map(n => n.id), ...graph.edges.flatMap(e => [e.from, e.to])]);
    const ids = new DiagramIds(keys);
    const lines = [`flowchart ${direction}`];
    const nodeRanges: Diagram['nodeRanges'] = {};
    for (const node of nodes) {
        const id = ids.of(node.id);
        const [open, close] = HANDLER_FORMS[declaredHandlerType(node)] ?? BOX;
        const role = node.attrs.role ? `\n${node.attrs.role}` : '';
        lines.push(`  ${id}${open}${quoted(`${shortened(node.label)}${role}`)}${close}`);
        const range = sourceMap.nodes.get(node.id)?.id;
        if (range) {
            nodeRanges[id] = { start: { ...range.start }, end: { ...range.end } };
        }
    }
    for (const key of keys) {
        if (!graph.nodes.has(key)) {
            lines.push(`  ${ids.of(key)}[${quoted(key)}]`);
        }
    }
    for (const edge of graph.edges) {
        const caption = [edge.label, edge.condition && `[${edge.condition}]`].filter(Boolean).join(' ');
        const arrow = edge.loop_restart ? '-.->' : '-->';
        lines.push(`  ${ids.of(edge.from)} ${arrow}${caption ? `|${quoted(shortened(caption))}|` : ''} ${ids.of(edge.to)}`);
    }
    if (nodes.length === 0 && graph.edges.length === 0) {
        lines.push(`  n_empty[${quoted('This pipeline has no nodes yet')}]`);
    }
    if (run) {
        const classOf = new Map<string, keyof typeof RUN_CLASSES>();
        run.completed.forEach(id => classOf.set(id, 'completed'));
        run.failed.forEach(id => classOf.set(id, 'failed'));
        if (run.current !== undefined) {
            classOf.set(run.current, 'current');
        }
        for (const [name, style] of Object.entries(RUN_CLASSES)) {
            lines.push(`  classDef ${name} ${style}`);
        }
        for (const name of Object.keys(RUN_CLASSES)) {
            const members = [...classOf].filter(([id, c]) => c === name && keys.has(id)).map(([id]) => ids.of(id));
            if (members.length > 0) {
                lines.push(`  class ${members.join(',')} ${name}`);
            }
        }
    }
    return { mode: 'flowchart', mermaid: lines.join('\n') + '\n', nodeRanges };
}

/** The diagram of a text that is not a pipeline yet (it does not parse). */
export function unparsedPipelineFlowchart(): Diagram {
    return { mode: 'flowchart', mermaid: `flowchart TD\n  n_unparsed[${quoted('The pipeline does not parse: see the problems')}]\n`, nodeRanges: {} };
}
