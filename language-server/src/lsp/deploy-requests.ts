import * as fs from 'node:fs';
import { URI } from 'langium';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { AcceptanceInputError } from '../compiler/tester/index.js';
import { deployApprovedVersion } from '../crew/roles/deployer.js';
import type { FspecServices } from '../fspec-module.js';
import { FactoryMethods, type DeployVersionParams } from '../protocol.js';
import { SandboxError } from '../sandbox/index.js';

/**
 * `fspec/deployVersion`: the Deployer on the spec's approved version, answered as `fspec deploy --json`
 * prints it (status deployed, failed or refused, with the acceptance report when the tests ran). The
 * spec is read as saved: what is deployed is the version in git, never the editor's buffer.
 */
export function registerDeployRequests(connection: Connection, services: FspecServices): void {
    connection.onRequest(FactoryMethods.deployVersion, async ({ uri, sandbox, today }: DeployVersionParams) => {
        const parsed = URI.parse(uri);
        const documents = services.shared.workspace.LangiumDocuments;
        if (!documents.hasDocument(parsed)) {
            return null;
        }
        if (parsed.scheme !== 'file') {
            throw new ResponseError(ErrorCodes.InvalidParams, `fspec/deployVersion needs a spec on disk in a git repository, not ${uri}.`);
        }
        if (sandbox !== undefined && sandbox !== 'local' && sandbox !== 'daytona') {
            throw new ResponseError(ErrorCodes.InvalidParams, `sandbox ${JSON.stringify(sandbox)}: choose local or daytona.`);
        }
        if (today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
            throw new ResponseError(ErrorCodes.InvalidParams, `today ${JSON.stringify(today)}: give a date as YYYY-MM-DD.`);
        }
        const file = parsed.fsPath;
        const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : documents.getDocument(parsed)!.textDocument.getText();
        try {
            return await deployApprovedVersion(services, file, text, { sandbox, today });
        } catch (error) {
            // Daytona not configured, a malformed date: the client's to fix, said as it is.
            if (error instanceof SandboxError || error instanceof AcceptanceInputError) {
                throw new ResponseError(ErrorCodes.InvalidParams, error.message);
            }
            throw error;
        }
    });
}
