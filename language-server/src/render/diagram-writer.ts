import type { SourceRange, SpecGraph } from '../model/spec-graph.js';
import type { Diagram, DiagramMode } from './diagram.js';
import { DiagramIds } from './mermaid-text.js';

/**
 * Collects a diagram's lines and where each node comes from. Ids are declared up front for every
 * graph node (plus the renderer's own keys), so a node has the same id in every view and filter.
 */
export class DiagramWriter {
    private readonly lines: string[];
    private readonly nodeRanges: Record<string, SourceRange> = {};
    readonly ids: DiagramIds;

    constructor(private readonly mode: DiagramMode, header: string, graph: SpecGraph, ownKeys: Iterable<string> = []) {
        this.lines = [header];
        this.ids = new DiagramIds([...graph.nodes.map(n => n.id), ...ownKeys]);
    }

    /** One line of Mermaid, indented two spaces per depth (the mindmap reads depth from it). */
    line(depth: number, text: string): void {
        this.lines.push(`${'  '.repeat(depth)}${text}`);
    }

    /** Notes that a diagram node shows the element at `range`; the first element shown under an id wins. */
    locate(id: string, range: SourceRange | undefined): void {
        if (range && !(id in this.nodeRanges)) {
            this.nodeRanges[id] = range;
        }
    }

    /** The diagram. Keys of `nodeRanges` keep the order the nodes were written in (ids never look like integers). */
    finish(): Diagram {
        return { mode: this.mode, mermaid: this.lines.join('\n') + '\n', nodeRanges: this.nodeRanges };
    }
}
