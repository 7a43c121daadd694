import { graphIndex } from '../model/graph-index.js';
import type { SpecGraph, SpecNode } from '../model/spec-graph.js';
import type { Diagram } from './diagram.js';
import { DiagramWriter } from './diagram-writer.js';
import { nodeLabel, sectionTitles } from './labels.js';
import { nodeText } from './mermaid-text.js';

/**
 * The seed's "Spec graph" mindmap: the spec at the root, then each section present (in the
 * seed's order, developmental sections last) with its elements, and steps under pipelines and
 * fields under entities.
 *
 * Mermaid reads a mindmap's tree from indentation, so every node is one line whose depth is its
 * indent; labels never contain a line break (escapeLabel turns them into `<br>`). Mermaid's SVG
 * names mindmap nodes `node_0`, `node_1`, … in the order written here, which is also the order
 * of `nodeRanges` when every element has a range.
 */
export function renderMindmap(graph: SpecGraph): Diagram {
    const rootKey = `spec:${graph.name}`;
    const writer = new DiagramWriter('mindmap', 'mindmap', graph, [rootKey]);
    const { nodes, children } = graphIndex(graph);
    const written = new Set<string>();
    const write = (node: SpecNode, depth: number, shape: 'circle' | 'rounded' | 'box') => {
        const id = writer.ids.of(node.id);
        writer.line(depth, nodeText(id, shape, nodeLabel(graph, node)));
        writer.locate(id, node.range);
        written.add(node.id);
    };

    const spec = graph.nodes.find(n => n.kind === 'spec');
    const rootId = writer.ids.of(spec?.id ?? rootKey);
    writer.line(1, nodeText(rootId, 'circle', spec?.name ?? graph.name));
    writer.locate(rootId, spec?.range);
    if (spec) {
        written.add(spec.id);
    }

    for (const [name] of sectionTitles) {
        const section = nodes.get(`section:${name}`);
        if (!section || written.has(section.id)) {
            continue;
        }
        write(section, 2, 'rounded');
        for (const element of children.get(section.id) ?? []) {
            if (written.has(element.id)) {
                continue;
            }
            write(element, 3, 'box');
            // Fields under entities, steps and gates under pipelines.
            for (const part of children.get(element.id) ?? []) {
                if (!written.has(part.id)) {
                    write(part, 4, 'box');
                }
            }
        }
    }
    return writer.finish();
}
