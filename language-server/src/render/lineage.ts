import { graphIndex, outgoing } from '../model/graph-index.js';
import { isMajorIncrease } from '../model/growth-rules.js';
import type { SpecGraph, SpecNode } from '../model/spec-graph.js';
import type { Diagram } from './diagram.js';
import { DiagramWriter } from './diagram-writer.js';
import { nodeLabel } from './labels.js';
import { nodeText } from './mermaid-text.js';

const emptyKey = 'placeholder:no-lineage';

/** A version recorded in git, as the lineage shows it (render stays free of git: callers pass these in). */
export interface LineageRecord {
    version: string;
    tag: string;
    commit: string;
}

/**
 * Stages and variants with their versions, each linked from the stage it grew from. An edge
 * where the major version goes up is dashed and labelled `major` (a major evolve, the only
 * growth that may change identity); the spec's current stage carries the `current` class. Stages
 * whose version is recorded in git show their commit.
 */
export function renderLineage(graph: SpecGraph, recorded: readonly LineageRecord[] = []): Diagram {
    const writer = new DiagramWriter('lineage', 'graph TD', graph, [emptyKey]);
    const { nodes } = graphIndex(graph);
    const seen = new Set<string>();
    const stages = graph.nodes.filter(n => n.kind === 'stage' && !seen.has(n.id) && seen.add(n.id));
    const id = (node: SpecNode | string) => writer.ids.of(typeof node === 'string' ? node : node.id);

    const committed = new Map(recorded.map(r => [r.version, r]));
    for (const stage of stages) {
        const record = committed.get(String(stage.attrs.version ?? ''));
        const label = record ? `${nodeLabel(graph, stage)}\ncommit ${record.commit.slice(0, 7)}` : nodeLabel(graph, stage);
        writer.line(1, nodeText(id(stage), stage.attrs.variant ? 'stadium' : 'box', label));
        writer.locate(id(stage), stage.range);
    }
    for (const stage of stages) {
        for (const edge of outgoing(graph, stage.id, 'from')) {
            const parent = nodes.get(edge.to);
            const major = parent !== undefined && isMajorIncrease(String(parent.attrs.version ?? ''), String(stage.attrs.version ?? ''));
            writer.line(1, `${id(edge.to)} ${major ? '-.->|"major"|' : '-->'} ${id(stage)}`);
        }
    }
    if (stages.length === 0) {
        writer.line(1, nodeText(writer.ids.of(emptyKey), 'box', 'No lineage recorded yet'));
    }
    const current = graph.stage === undefined ? undefined : nodes.get(`stage:${graph.stage}`);
    writer.line(1, 'classDef current stroke-width:4px');
    if (current) {
        writer.line(1, `class ${id(current)} current`);
    }

    return writer.finish();
}
