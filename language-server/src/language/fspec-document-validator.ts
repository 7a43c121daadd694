import { DefaultDocumentValidator, type LangiumDocument, type ValidationOptions } from 'langium';
import { CancellationToken, type Diagnostic } from 'vscode-languageserver';

/**
 * Every diagnostic carries its code twice: as the LSP `code` editors show, and as `data.code`,
 * which quick fixes and Langium's test helpers read. Langium sets only one of the two for some
 * (lexer, parser and linking errors have no `code`; our own checks set no `data`).
 */
export class FspecDocumentValidator extends DefaultDocumentValidator {
    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken = CancellationToken.None): Promise<Diagnostic[]> {
        const diagnostics = await super.validateDocument(document, options, cancelToken);
        for (const diagnostic of diagnostics) {
            const code = diagnostic.code ?? (diagnostic.data as { code?: string } | undefined)?.code;
            if (code !== undefined) {
                diagnostic.code = code;
                diagnostic.data = { ...(diagnostic.data as object | undefined), code };
            }
        }
        return diagnostics;
    }
}
