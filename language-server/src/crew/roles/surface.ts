import { graphIndex, outgoing } from '../../model/graph-index.js';
import { idName, type SpecGraph } from '../../model/spec-graph.js';

/** A panel the growth adds, as the Surface role composes it: what it shows, field by field. */
export interface PanelLayout {
    panel: string;
    title?: string;
    for: string[];
    sections: Array<{ entity: string, fields: string[] }>;
}

/** The Surface role: each new panel laid out as one section per entity it shows, with the entity's fields as columns. */
export function composePanels(after: SpecGraph, added: readonly string[]): PanelLayout[] {
    const { nodes, children } = graphIndex(after);
    return added.filter(id => id.startsWith('panel:')).flatMap(id => {
        const panel = nodes.get(id);
        if (!panel) {
            return [];
        }
        const sections = outgoing(after, id, 'shows').map(edge => {
            const shown = nodes.get(edge.to);
            const fields = shown?.kind === 'entity' ? (children.get(shown.id) ?? []).map(f => f.name) : shown ? [shown.name] : [];
            return { entity: idName(edge.to), fields };
        });
        return [{
            panel: panel.name, ...(typeof panel.attrs.title === 'string' ? { title: panel.attrs.title } : {}),
            for: outgoing(after, id, 'for').map(e => idName(e.to)), sections
        }];
    });
}
