import { graphIndex, outgoing } from '../model/graph-index.js';
import { unresolvedRefs, type SpecGraph, type SpecNode } from '../model/spec-graph.js';
import type { Diagram } from './diagram.js';
import { DiagramWriter } from './diagram-writer.js';
import { nodeLabel } from './labels.js';
import { nodeText, quoted } from './mermaid-text.js';

export interface FlowchartOptions {
    /** Only this pipeline (by name or graph id), with the entities and sources around it: for specs too large to show whole. */
    pipeline?: string;
    /** Elements (graph ids) a mutation PR adds or removes, drawn highlighted in its before/after diagrams. */
    highlight?: { ids: readonly string[], as: 'added' | 'removed' };
}

/** Green for what a growth adds, red for what it removes: the colours diff views use. */
const highlightStyles = { added: 'fill:#dafbe1,stroke:#1a7f37,stroke-width:3px', removed: 'fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:4 2' };

/** Asked for a pipeline the spec does not have. */
export class UnknownPipelineError extends Error {
    constructor(readonly pipeline: string, readonly known: string[]) {
        super(`No pipeline '${pipeline}' in this spec.${known.length ? ` Pipelines: ${known.join(', ')}.` : ' It has no pipelines.'}`);
    }
}

const emptyKey = 'placeholder:no-flow';

/**
 * The data flow: one subgraph per pipeline with its steps in order, gates as hexagons labelled
 * with the guardrails they enforce, entities as data stores read into and written out of steps,
 * and sources feeding the entities they provide.
 */
export function renderFlowchart(graph: SpecGraph, options: FlowchartOptions = {}): Diagram {
    const pipelines = graph.nodes.filter(n => n.kind === 'pipeline');
    const shown = options.pipeline === undefined ? pipelines : pipelines.filter(p => p.name === options.pipeline || p.id === options.pipeline);
    if (options.pipeline !== undefined && shown.length === 0) {
        throw new UnknownPipelineError(options.pipeline, pipelines.map(p => p.name));
    }
    const writer = new DiagramWriter('flowchart', 'flowchart LR', graph, [emptyKey]);
    const id = (node: SpecNode | string) => writer.ids.of(typeof node === 'string' ? node : node.id);
    const { children } = graphIndex(graph);
    // Edges touching entities are written after every subgraph: a node first named inside a subgraph would be drawn in it.
    const dataEdges: string[] = [];
    const usedEntities = new Set<string>();

    for (const pipeline of unique(shown)) {
        writer.line(1, `subgraph ${id(pipeline)} [${quoted(nodeLabel(graph, pipeline))}]`);
        writer.locate(id(pipeline), pipeline.range);
        const steps = (children.get(pipeline.id) ?? []).filter(n => n.kind === 'step' || n.kind === 'gate');
        for (const step of steps) {
            writer.line(2, nodeText(id(step), step.kind === 'gate' ? 'hexagon' : 'box', stepLabel(graph, step)));
            writer.locate(id(step), step.range);
        }
        for (const step of steps) {
            for (const next of outgoing(graph, step.id, 'next')) {
                writer.line(2, `${id(step)} ==> ${id(next.to)}`);
            }
        }
        writer.line(1, 'end');
        for (const step of steps) {
            for (const edge of outgoing(graph, step.id)) {
                if (edge.kind === 'reads' || edge.kind === 'outputs') {
                    usedEntities.add(edge.to);
                    dataEdges.push(edge.kind === 'reads' ? `${id(edge.to)} --> ${id(step)}` : `${id(step)} --> ${id(edge.to)}`);
                }
            }
        }
        for (const trigger of outgoing(graph, pipeline.id, 'triggers')) {
            usedEntities.add(trigger.to);
            dataEdges.push(`${id(trigger.to)} -.->|"triggers"| ${id(pipeline)}`);
        }
    }

    const whole = options.pipeline === undefined;
    const entities = graph.nodes.filter(n => n.kind === 'entity' && (whole || usedEntities.has(n.id)));
    const shownEntities = new Set(entities.map(e => e.id));
    const sources = graph.nodes.filter(n => n.kind === 'source'
        && (whole || outgoing(graph, n.id, 'provides').some(e => shownEntities.has(e.to))));
    for (const entity of unique(entities)) {
        writer.line(1, nodeText(id(entity), 'database', nodeLabel(graph, entity)));
        writer.locate(id(entity), entity.range);
    }
    for (const source of unique(sources)) {
        writer.line(1, nodeText(id(source), 'input', nodeLabel(graph, source)));
        writer.locate(id(source), source.range);
        for (const provides of outgoing(graph, source.id, 'provides')) {
            if (shownEntities.has(provides.to)) {
                dataEdges.push(`${id(source)} -.-> ${id(provides.to)}`);
            }
        }
    }
    for (const edge of new Set(dataEdges)) {
        writer.line(1, edge);
    }
    if (shown.length === 0 && entities.length === 0 && sources.length === 0) {
        writer.line(1, nodeText(writer.ids.of(emptyKey), 'box', 'No pipelines, entities or sources yet'));
    }
    const drawn = new Set([...shown, ...entities, ...sources].map(n => n.id).concat(shown.flatMap(p => (children.get(p.id) ?? []).map(n => n.id))));
    const highlighted = options.highlight?.ids.filter(h => drawn.has(h)) ?? [];
    if (options.highlight && highlighted.length) {
        writer.line(1, `classDef ${options.highlight.as} ${highlightStyles[options.highlight.as]}`);
        writer.line(1, `class ${highlighted.map(h => id(h)).join(',')} ${options.highlight.as}`);
    }
    return writer.finish();
}

/** A step's title (or name) and strategy; a gate's, with the guardrails it enforces. */
function stepLabel(graph: SpecGraph, step: SpecNode): string {
    const lines = [nodeLabel(graph, step)];
    if (typeof step.attrs.strategy === 'string') {
        lines.push(`strategy ${step.attrs.strategy}`);
    }
    if (step.kind === 'gate') {
        const { nodes } = graphIndex(graph);
        const guardrails = outgoing(graph, step.id, 'enforces').map(e => nodes.get(e.to)).filter(g => g !== undefined);
        // Unresolved ones still show, by the name written: the preview runs on specs being edited.
        const enforced = [...guardrails.map(g => nodeLabel(graph, g)), ...unresolvedRefs(step, 'enforces')];
        lines.push(...enforced.map(text => `enforces ${text}`));
    }
    return lines.join('\n');
}

/** Duplicate element names give duplicate graph ids; a diagram shows each id once. */
function unique(nodes: SpecNode[]): SpecNode[] {
    const seen = new Set<string>();
    return nodes.filter(n => !seen.has(n.id) && seen.add(n.id));
}
