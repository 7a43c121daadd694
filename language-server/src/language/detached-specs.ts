import { DocumentState, type LangiumDocument, type URI } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import { isSpec, type Spec } from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { SpecGraph } from '../model/spec-graph.js';

/** A spec text read outside the workspace: an approved version, or the crew's proposal. */
export interface DetachedSpec {
    document: LangiumDocument<Spec>;
    /** Its graph; absent when the text does not parse as a spec. */
    graph?: SpecGraph;
    /** The first lexer or parser error, when there is one. */
    problem?: string;
}

/**
 * Parses, links and validates spec texts that are not workspace documents, with the language's
 * own services. They never enter the workspace or the document builder, so an editor never sees
 * diagnostics for them and they never shadow the real file.
 */
export class DetachedSpecs {
    constructor(private readonly services: FspecServices) {}

    async load(text: string, uri: URI): Promise<DetachedSpec> {
        const document = this.services.shared.workspace.LangiumDocumentFactory.fromString<Spec>(text, uri);
        const { parseResult } = document;
        const problem = parseResult.lexerErrors[0]?.message ?? parseResult.parserErrors[0]?.message ?? (isSpec(parseResult.value) ? undefined : 'not a spec');
        if (problem) {
            return { document, problem };
        }
        document.localSymbols = await this.services.references.ScopeComputation.collectLocalSymbols(document);
        document.state = DocumentState.ComputedScopes;
        await this.services.references.Linker.link(document);
        return { document, graph: this.services.model.SpecGraphs.get(parseResult.value) };
    }

    /** Every diagnostic the editor would show for the text, cross-version checks included. */
    async validate(spec: DetachedSpec): Promise<Diagnostic[]> {
        return this.services.validation.DocumentValidator.validateDocument(spec.document);
    }
}
