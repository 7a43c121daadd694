import { URI } from 'langium';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import type { Spec } from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import { LineageRefusal } from '../lineage/lineage-refusal.js';
import { SpecRepository } from '../lineage/spec-repository.js';
import { startVariant } from '../lineage/start-variant.js';
import { FactoryMethods, type InitRepositoryParams, type StartVariantParams } from '../protocol.js';

/**
 * Changes to the lineage a client asks for outside a growth: `fspec/startVariant` and
 * `fspec/initRepository`. A refusal answers with an error whose message is meant for the user.
 */
export function registerLineageRequests(connection: Connection, services: FspecServices): void {
    connection.onRequest(FactoryMethods.startVariant, ({ uri, name, from }: StartVariantParams) => refusalsAsErrors(async () => {
        const parsed = URI.parse(uri);
        const documents = services.shared.workspace.LangiumDocuments;
        const spec = parsed.scheme === 'file' && documents.hasDocument(parsed) ? documents.getDocument(parsed)!.parseResult.value as Spec : undefined;
        if (!spec?.name) {
            throw new ResponseError(ErrorCodes.InvalidParams, `The language server has not loaded a spec at ${uri}.`);
        }
        return startVariant(spec.name, parsed.fsPath, name, from);
    }));
    connection.onRequest(FactoryMethods.initRepository, ({ folder }: InitRepositoryParams) => refusalsAsErrors(async () => {
        const repository = await SpecRepository.init(URI.parse(folder).fsPath);
        return { root: repository.root };
    }));
}

async function refusalsAsErrors<T>(change: () => Promise<T>): Promise<T> {
    try {
        return await change();
    } catch (error) {
        if (error instanceof LineageRefusal) {
            throw new ResponseError(ErrorCodes.InvalidRequest, error.message, { reason: error.reason });
        }
        throw error;
    }
}
