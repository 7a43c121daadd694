import type { Morph } from '../model/morphs.js';
import { isDesireRealized } from '../model/desires.js';
import { idName, type SourceRange, type SpecGraph } from '../model/spec-graph.js';
import type { Diagram, GrowthState } from './diagram.js';
import { DiagramWriter } from './diagram-writer.js';
import { list, nodeLabel, versionLabel } from './labels.js';
import { nodeText, quoted } from './mermaid-text.js';

/** Whether a lineage `by` entry (`swap_allocator allocate`, or a bare kind) records this morph. */
export function recordsMorph(entry: string, morph: Morph): boolean {
    const [kind, target] = entry.split(' ');
    const name = idName(morph.target);
    return kind === morph.kind && (target === undefined || name === target || name.endsWith(`.${target}`));
}

interface Card { key: string; label: string; range?: SourceRange }

const columns = [['backlog', 'Backlog'], ['in_progress', 'In progress'], ['review', 'Review'], ['done', 'Done']] as const;
type Column = typeof columns[number][0];

/**
 * The growth plan as a kanban board, drawn as a flowchart of four column subgraphs (the seed's
 * choice: it renders in every Markdown viewer).
 * - Backlog: desires not yet realized, by the model's rule (the validator's pending-desire rule).
 * - In progress: morphs since the approved version that a growth rule refuses.
 * - Review: morphs since the approved version that the rules allow.
 * - Done: morphs the lineage records, except ones still pending above: those are not done until
 *   approved, and no card is in two columns.
 */
export function renderBoard(graph: SpecGraph, growth: GrowthState = { allowed: [], refused: [] }): Diagram {
    const cards = boardCards(graph, growth);
    const writer = new DiagramWriter('board', 'flowchart LR', graph, [
        ...columns.flatMap(([column]) => [`column:${column}`, `column:${column}:empty`]), ...Object.values(cards).flat().map(c => c.key)
    ]);
    const spacers: string[] = [];
    for (const [column, title] of columns) {
        writer.line(1, `subgraph ${writer.ids.of(`column:${column}`)} [${quoted(title)}]`);
        writer.line(2, 'direction TB');
        const ids = cards[column].map(card => writer.ids.of(card.key));
        cards[column].forEach((card, i) => {
            writer.line(2, nodeText(ids[i], 'box', card.label));
            writer.locate(ids[i], card.range);
        });
        if (ids.length === 0) {
            // A subgraph with no nodes is drawn as bare text; an invisible spacer keeps it a column.
            spacers.push(writer.ids.of(`column:${column}:empty`));
            writer.line(2, nodeText(spacers[spacers.length - 1], 'box', ''));
        } else if (ids.length > 1) {
            // Invisible links keep the cards in order, top to bottom.
            writer.line(2, ids.join(' ~~~ '));
        }
        writer.line(1, 'end');
    }
    // Unlinked subgraphs stack vertically even in LR; invisible links put the columns side by side.
    writer.line(1, columns.map(([column]) => writer.ids.of(`column:${column}`)).join(' ~~~ '));
    if (spacers.length) {
        writer.line(1, 'classDef emptyColumn fill:none,stroke:none');
        writer.line(1, `class ${spacers.join(',')} emptyColumn`);
    }
    return writer.finish();
}

function boardCards(graph: SpecGraph, growth: GrowthState): Record<Column, Card[]> {
    const keys = new Map<string, number>();
    // Two morphs may share kind and target (a step rewired in two ways): number the repeats.
    const uniqueKey = (key: string) => {
        const seen = keys.get(key) ?? 0;
        keys.set(key, seen + 1);
        return seen === 0 ? key : `${key}#${seen + 1}`;
    };
    const morphCard = (morph: Morph): Card => ({
        key: uniqueKey(`morph:${morph.kind}:${morph.target}`), label: `${morph.kind}\n${morph.detail}`, range: morph.range
    });
    const pending = [...growth.refused, ...growth.allowed];
    const done: Card[] = [];
    for (const stage of graph.nodes.filter(n => n.kind === 'stage')) {
        const version = typeof stage.attrs.version === 'string' ? ` ${versionLabel(stage.attrs.version)}` : '';
        for (const entry of list(stage.attrs.by)) {
            if (!pending.some(morph => recordsMorph(entry, morph))) {
                done.push({ key: uniqueKey(`lineage:${stage.id}:${entry}`), label: `${entry}\n${stage.name}${version}`, range: stage.range });
            }
        }
    }
    const backlog = graph.nodes
        .filter((n, i, all) => n.kind === 'desire' && all.findIndex(m => m.id === n.id) === i && !isDesireRealized(graph, n))
        .map(desire => ({ key: desire.id, label: nodeLabel(graph, desire), range: desire.range }));
    return { backlog, in_progress: growth.refused.map(morphCard), review: growth.allowed.map(morphCard), done };
}
