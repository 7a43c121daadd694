import { graphIndex, outgoing } from '../../model/graph-index.js';
import { idName, type SpecGraph } from '../../model/spec-graph.js';

/** An adapter the app needs for an evidence source the growth adds. */
export interface AdapterNeed {
    source: string;
    /** Entities the adapter must deliver records of (empty: the source only informs). */
    entities: string[];
    cadence?: string;
    url?: string;
    tier?: string;
}

/**
 * The Toolsmith: every source the growth adds needs an adapter that fetches it at its cadence and
 * delivers the entities it provides. It lists them here; generating them is the compiler's job.
 */
export function adaptersNeeded(after: SpecGraph, added: readonly string[]): AdapterNeed[] {
    const { nodes } = graphIndex(after);
    return added.filter(id => id.startsWith('source:')).flatMap(id => {
        const source = nodes.get(id);
        if (!source) {
            return [];
        }
        const { cadence, url, tier } = source.attrs as { cadence?: string, url?: string, tier?: string };
        return [{
            source: source.name, entities: outgoing(after, id, 'provides').map(e => idName(e.to)),
            ...(cadence ? { cadence } : {}), ...(url ? { url } : {}), ...(tier ? { tier } : {})
        }];
    });
}
