import type { Morph } from '../model/morphs.js';
import type { SourceRange } from '../model/spec-graph.js';

export type DiagramMode = 'flowchart' | 'mindmap' | 'board' | 'lineage';

export const diagramModes: readonly DiagramMode[] = ['flowchart', 'mindmap', 'board', 'lineage'];

/** A rendered view of a spec: Mermaid text, and where each diagram node comes from in the source. */
export interface Diagram {
    mode: DiagramMode;
    mermaid: string;
    /** Diagram node id → range of the element it shows, for click-to-source and cursor-to-node. */
    nodeRanges: Record<string, SourceRange>;
}

/** What the board shows besides the spec itself: the growth since the last approved version. */
export interface GrowthState {
    /** Morphs since the approved version that the growth rules allow (awaiting review). */
    allowed: Morph[];
    /** Morphs since the approved version that a growth rule or invariant refuses (still being worked on). */
    refused: Morph[];
}
