import type { CodeLensProvider } from 'langium/lsp';
import type { LangiumDocument } from 'langium';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { SpecGraphCache } from '../language/spec-graph-cache.js';
import { desireGaps, hasGaps } from '../model/desires.js';

/** Commands the lenses run: the VS Code extension implements them; other clients see them as commands to bind. */
export const LensCommands = {
    Preview: 'fspec.preview',
    Grow: 'fspec.grow'
} as const;

/** "Preview" over the spec and each pipeline; "Grow" over the desires when some are not realized yet. */
export class FspecCodeLensProvider implements CodeLensProvider {
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        this.graphs = services.model.SpecGraphs;
    }

    provideCodeLens(document: LangiumDocument, _params: CodeLensParams): CodeLens[] {
        const spec = document.parseResult.value;
        if (!ast.isSpec(spec) || !spec.$cstNode) {
            return [];
        }
        const uri = document.textDocument.uri;
        const top = { start: spec.$cstNode.range.start, end: spec.$cstNode.range.start };
        const lenses: CodeLens[] = [
            { range: top, command: { title: 'Preview', command: LensCommands.Preview, arguments: [uri] } }
        ];
        const graph = this.graphs.get(spec);
        const pending = graph.nodes.filter(n => n.kind === 'desire' && hasGaps(desireGaps(graph, n)));
        const desires = spec.sections.find(ast.isDesires);
        if (pending.length && desires?.$cstNode) {
            const start = desires.$cstNode.range.start;
            const title = `Grow: ${pending.length} new desire${pending.length === 1 ? '' : 's'} (${pending.map(d => d.name).join(', ')})`;
            lenses.push({ range: { start, end: start }, command: { title, command: LensCommands.Grow, arguments: [uri] } });
        }
        for (const pipeline of spec.sections.filter(ast.isWorkflows).flatMap(w => w.pipelines)) {
            const start = pipeline.$cstNode!.range.start;
            lenses.push({ range: { start, end: start }, command: { title: 'Preview', command: LensCommands.Preview, arguments: [uri, pipeline.name] } });
        }
        return lenses;
    }
}
