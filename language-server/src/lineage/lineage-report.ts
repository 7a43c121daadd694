import type { LangiumDocument } from 'langium';
import type { Spec } from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { LineageResult } from '../protocol.js';
import { recordedLineage } from './recorded-versions.js';

/**
 * A spec's lineage: the stages and variants its lineage section declares, its last approved
 * version, and the versions and variant branches recorded in git. `fspec/lineage` and `fspec lineage` both answer with it.
 */
export async function lineageReport(services: FspecServices, document: LangiumDocument<Spec>): Promise<LineageResult> {
    const graph = services.model.SpecGraphs.get(document.parseResult.value);
    const entries = graph.nodes.filter(n => n.kind === 'stage').map(n => ({
        name: n.name, version: String(n.attrs.version ?? ''), variant: n.attrs.variant === true,
        from: graph.edges.find(e => e.kind === 'from' && e.from === n.id)?.to.slice('stage:'.length),
        by: (n.attrs.by ?? []) as string[], current: n.name === graph.stage, range: n.range
    }));
    const approved = await services.model.ApprovedVersions.find(graph.name, document.uri.toString());
    const recorded = document.uri.scheme === 'file' ? await recordedLineage(graph.name, document.uri.fsPath) : { recorded: [], variants: [] };
    return { spec: graph.name, version: graph.version, entries, ...(approved ? { approved: { location: approved.location, version: approved.graph?.version } } : {}), ...recorded };
}
