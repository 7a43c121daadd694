import type { SpecGraph } from '../model/spec-graph.js';
import type { Diagram, DiagramMode, GrowthState } from './diagram.js';
import { renderBoard } from './board.js';
import { renderFlowchart, type FlowchartOptions } from './flowchart.js';
import { renderLineage, type LineageRecord } from './lineage.js';
import { renderMindmap } from './mindmap.js';

export type { Diagram, DiagramMode, GrowthState } from './diagram.js';
export { diagramModes } from './diagram.js';
export { UnknownPipelineError } from './flowchart.js';
export { growthState } from './growth-state.js';

export interface RenderOptions {
    /** Flowchart only: show this one pipeline (by name or graph id). */
    pipeline?: string;
    /** Flowchart only: elements a mutation PR adds or removes, highlighted. */
    highlight?: FlowchartOptions['highlight'];
    /** Lineage only: versions recorded in git, shown on their stages with tag and commit. */
    recorded?: readonly LineageRecord[];
    /** Board only: the morphs since the approved version; without it, In progress and Review are empty. */
    growth?: GrowthState;
}

/** Renders a spec graph as Mermaid in one of the four views. Pure: the same graph gives the same text. */
export function renderDiagram(graph: SpecGraph, mode: DiagramMode, options: RenderOptions = {}): Diagram {
    switch (mode) {
        case 'flowchart': return renderFlowchart(graph, { pipeline: options.pipeline, highlight: options.highlight });
        case 'mindmap': return renderMindmap(graph);
        case 'board': return renderBoard(graph, options.growth);
        case 'lineage': return renderLineage(graph, options.recorded);
    }
}

/**
 * Mermaid's default limits: past 50,000 characters it draws an error box instead of the
 * diagram, and past 500 edges a flowchart fails to parse. The preview raises them or offers a
 * single pipeline when a diagram exceeds them.
 */
export const mermaidDefaultLimits = { maxTextSize: 50_000, maxEdges: 500 } as const;

const edgeArrow = / (?:-->|==>|-\.->|~~~)(?:\|"[^"]*"\|)? /g;

export function exceedsMermaidLimits(diagram: Diagram, limits: { maxTextSize: number, maxEdges: number } = mermaidDefaultLimits): boolean {
    return diagram.mermaid.length > limits.maxTextSize || (diagram.mermaid.match(edgeArrow)?.length ?? 0) > limits.maxEdges;
}
