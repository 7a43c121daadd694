/**
 * Which SVG element shows which diagram node. Mermaid names its elements after the diagram's
 * node ids (the keys of `nodeRanges`), prefixed with the SVG's own id:
 * - flowcharts (also the board and the lineage): nodes `<svg>-flowchart-<id>-<n>`, subgraphs
 *   (pipelines, board columns) `<svg>-<id>`;
 * - mindmaps: nodes `<svg>-node_<i>`, numbered in the order the text writes them.
 * Each node element gets `data-fspec-node="<id>"`, which clicks, highlights and tests rely on.
 */
import type { DiagramMode } from './messages.js';

export const nodeAttribute = 'data-fspec-node';
export const highlightClass = 'fspec-highlight';

/** The node ids of a mindmap's text, in order: one node per indented line (`  id(("label"))`). */
export function mindmapNodeIds(mermaid: string): string[] {
    const ids: string[] = [];
    for (const line of mermaid.split('\n').slice(1)) {
        // Comments (`%%`) and decorations (`::icon(…)`, `:::class`) do not start with an id: not nodes.
        const match = /^\s+([A-Za-z0-9_]+)/.exec(line);
        if (match) {
            ids.push(match[1]);
        }
    }
    return ids;
}

/** The diagram node id of an element id with the SVG's prefix removed; undefined for anything else. */
export function nodeIdOf(localId: string, mindmapIds?: readonly string[]): string | undefined {
    if (mindmapIds) {
        const index = /^node_(\d+)$/.exec(localId);
        return index ? mindmapIds[Number(index[1])] : undefined;
    }
    const flowchartNode = /^flowchart-(.+)-\d+$/.exec(localId);
    return flowchartNode ? flowchartNode[1] : localId || undefined;
}

/** Marks every node and subgraph of a rendered diagram with its node id; returns how many nodes it has. */
export function annotateNodes(svg: SVGSVGElement, mode: DiagramMode, mermaid: string): number {
    const prefix = `${svg.id}-`;
    const mindmapIds = mode === 'mindmap' ? mindmapNodeIds(mermaid) : undefined;
    const nodes = svg.querySelectorAll('g.node, g.cluster');
    for (const element of nodes) {
        const localId = element.id.startsWith(prefix) ? element.id.slice(prefix.length) : element.id;
        const id = nodeIdOf(localId, mindmapIds);
        if (id !== undefined) {
            element.setAttribute(nodeAttribute, id);
        }
    }
    return svg.querySelectorAll('g.node').length;
}

/** The element of a node id, if the diagram shows it. */
export function nodeElement(root: ParentNode, nodeId: string): Element | undefined {
    return [...root.querySelectorAll(`[${nodeAttribute}]`)].find(e => e.getAttribute(nodeAttribute) === nodeId);
}

/** Highlights one node (or none), removing any earlier highlight; returns the highlighted element. */
export function highlightNode(root: ParentNode, nodeId: string | null): Element | undefined {
    for (const element of root.querySelectorAll(`.${highlightClass}`)) {
        element.classList.remove(highlightClass);
    }
    const element = nodeId === null ? undefined : nodeElement(root, nodeId);
    element?.classList.add(highlightClass);
    return element;
}

/** The node id of a clicked element (a label, a shape, or the node itself). */
export function clickedNodeId(target: EventTarget | null): string | undefined {
    return target instanceof Element ? target.closest(`[${nodeAttribute}]`)?.getAttribute(nodeAttribute) ?? undefined : undefined;
}
