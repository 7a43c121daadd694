import type { CodeLensProvider } from 'langium/lsp';
import type { LangiumDocument } from 'langium';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';

/** Commands the lenses run: the VS Code extension implements them; other clients see them as commands to bind. Grow and Simulate join them with the crew. */
export const LensCommands = {
    Preview: 'fspec.preview'
} as const;

/** "Preview" over the spec, and over each pipeline (its own flowchart). */
export class FspecCodeLensProvider implements CodeLensProvider {
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
        for (const pipeline of spec.sections.filter(ast.isWorkflows).flatMap(w => w.pipelines)) {
            const start = pipeline.$cstNode!.range.start;
            lenses.push({ range: { start, end: start }, command: { title: 'Preview', command: LensCommands.Preview, arguments: [uri, pipeline.name] } });
        }
        return lenses;
    }
}
