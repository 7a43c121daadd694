import type { RenderResult } from '../../../language-server/src/protocol.js';

type NodeRanges = RenderResult['diagram']['nodeRanges'];
type SourceRange = NodeRanges[string];
type Position = SourceRange['start'];

function compare(a: Position, b: Position): number {
    return a.line - b.line || a.character - b.character;
}

/**
 * The diagram node whose source range holds the position; of nested ones (a step inside its
 * pipeline) the innermost: the latest start, then the earliest end. Ends are inclusive, so a
 * cursor just after an element still counts as in it.
 */
export function nodeAtPosition(nodeRanges: NodeRanges, position: Position): string | undefined {
    let best: [string, SourceRange] | undefined;
    for (const [id, range] of Object.entries(nodeRanges)) {
        if (compare(range.start, position) > 0 || compare(position, range.end) > 0) {
            continue;
        }
        if (!best || compare(range.start, best[1].start) > 0 || (compare(range.start, best[1].start) === 0 && compare(range.end, best[1].end) < 0)) {
            best = [id, range];
        }
    }
    return best?.[0];
}
