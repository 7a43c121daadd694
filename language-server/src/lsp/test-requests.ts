import { URI } from 'langium';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { AcceptanceInputError, runAcceptance } from '../compiler/tester/index.js';
import type { FspecServices } from '../fspec-module.js';
import { FactoryMethods, type TestParams } from '../protocol.js';
import { SandboxError } from '../sandbox/index.js';

/**
 * `fspec/test`: the acceptance report for a document's current text (saved or not), as
 * `fspec test --json` prints it. Nothing is written: the app is compiled in memory.
 */
export function registerTestRequests(connection: Connection, services: FspecServices): void {
    connection.onRequest(FactoryMethods.test, async ({ uri, sandbox, today, tests }: TestParams) => {
        const parsed = URI.parse(uri);
        const documents = services.shared.workspace.LangiumDocuments;
        if (!documents.hasDocument(parsed)) {
            return null;
        }
        if (parsed.scheme !== 'file') {
            throw new ResponseError(ErrorCodes.InvalidParams, `fspec/test needs a spec on disk (its records/ folder is beside it), not ${uri}.`);
        }
        if (sandbox !== undefined && sandbox !== 'local' && sandbox !== 'daytona') {
            throw new ResponseError(ErrorCodes.InvalidParams, `sandbox ${JSON.stringify(sandbox)}: choose local or daytona.`);
        }
        try {
            return await runAcceptance(services, parsed.fsPath, documents.getDocument(parsed)!.textDocument.getText(), { sandbox, today, tests });
        } catch (error) {
            // Daytona not configured, a malformed date, an unknown test: the client's to fix, said as it is.
            if (error instanceof SandboxError || error instanceof AcceptanceInputError) {
                throw new ResponseError(ErrorCodes.InvalidParams, error.message);
            }
            throw error;
        }
    });
}
