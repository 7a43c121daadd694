import { DefaultRenameProvider, type LangiumServices } from 'langium/lsp';
import { CstUtils, type AstNode, type LangiumDocument, type LangiumDocuments } from 'langium';
import type { ReferenceDescription } from 'langium';
import { TextEdit, type RenameParams, type WorkspaceEdit } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';

/**
 * Renames keep qualified references qualified: renaming step `allocate` turns
 * `contract_allocation.allocate` into `contract_allocation.new_name`, and renaming pipeline
 * `contract_allocation` turns it into `new_name.allocate`, as references to its steps (and an
 * entity's fields) are written with the owner's name in front.
 */
export class FspecRenameProvider extends DefaultRenameProvider {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumServices) {
        super(services);
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    /** The reference as written, e.g. `contract_allocation.allocate`. */
    private textOf(reference: ReferenceDescription): string {
        return this.documents.getDocument(reference.sourceUri)?.textDocument.getText(reference.segment.range) ?? '';
    }
    override async rename(document: LangiumDocument, params: RenameParams): Promise<WorkspaceEdit | undefined> {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findDeclarationNodeAtOffset(root, document.textDocument.offsetAt(params.position), this.grammarConfig.nameRegexp);
        const target = leaf && this.references.findDeclarations(leaf)[0];
        if (!target) {
            return undefined;
        }
        const changes: Record<string, TextEdit[]> = {};
        const add = (uri: string, edit: TextEdit) => (changes[uri] ??= []).push(edit);
        for (const reference of this.references.findReferences(target, { includeDeclaration: true })) {
            const text = this.textOf(reference);
            const qualifier = text.includes('.') ? text.slice(0, text.lastIndexOf('.') + 1) : '';
            add(reference.sourceUri.toString(), TextEdit.replace(reference.segment.range, qualifier + params.newName));
        }
        for (const child of ownedElements(target)) {
            for (const reference of this.references.findReferences(child, { includeDeclaration: false })) {
                const text = this.textOf(reference);
                if (text.includes('.')) {
                    add(reference.sourceUri.toString(), TextEdit.replace(reference.segment.range, `${params.newName}${text.slice(text.indexOf('.'))}`));
                }
            }
        }
        return { changes };
    }
}

/** Elements referenced with this element's name as their qualifier. */
function ownedElements(node: AstNode): AstNode[] {
    if (ast.isPipeline(node)) {
        return node.steps;
    }
    return ast.isEntity(node) ? node.fields : [];
}
